"""Reading a project from the Local Contexts Hub API (``GET /api/v2/projects/<id>/`` with the
``X-Api-Key`` header). Used only to refresh the local copy: pages never ask the Hub."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 2_000_000
TIMEOUT = 20.0


class HubError(Exception):
    """Why the Hub gave no project, in the reader's language."""


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """The API key never leaves the Hub: a redirect elsewhere is refused."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        if _origin(newurl) != _origin(req.full_url):
            raise HubError(_("The Hub sent the request to another server; it was not followed."))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOrigin)


def project_url(project_id: str) -> str:
    base = settings.MINGA_LOCALCONTEXTS_URL.rstrip("/")
    return f"{base}/api/v2/projects/{urllib.parse.quote(project_id.strip(), safe='')}/"


def fetch(project_id: str) -> dict[str, Any]:
    """The project as the Hub's API answers it, or HubError."""
    key = settings.MINGA_LOCALCONTEXTS_API_KEY
    if not key:
        raise HubError(
            _("No Local Contexts Hub API key is set (MINGA_LOCALCONTEXTS_API_KEY): load the "
              "project's file instead.")
        )  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 (the configured Hub, http or https)
        project_url(project_id), headers={"X-Api-Key": key, "Accept": "application/json"}
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as answer:
            data = answer.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise HubError(_("The Hub refused the API key.")) from None
        if exc.code == 404:
            raise HubError(_("The Hub has no project with that identifier.")) from None
        raise HubError(_("The Hub answered HTTP %(code)s.") % {"code": exc.code}) from None
    except (TimeoutError, urllib.error.URLError, OSError):
        raise HubError(
            _("The Hub did not answer; the labels kept here stay as they were.")
        ) from None
    if len(data) > MAX_BYTES:
        raise HubError(_("The Hub's answer is too large to be a project."))
    return parse(data)


def parse(data: bytes) -> dict[str, Any]:
    """A Hub project from its JSON, or HubError when it is not one."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HubError(_("That is not a Local Contexts Hub project (not JSON).")) from None
    return check(body)


def check(body: Any) -> dict[str, Any]:
    """``body`` if it has a project's shape, or HubError."""
    if (
        not isinstance(body, dict)
        or not body.get("unique_id")
        or not isinstance(body.get("tk_labels", []), list)
        or not isinstance(body.get("bc_labels", []), list)
    ):
        raise HubError(_("That is not a Local Contexts Hub project (no unique_id or labels)."))
    return body
