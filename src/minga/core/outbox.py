"""Forms a phone may send late: once each, with an answer the device can show.

A form marked ``data-outbox`` in its template gets an ``idempotency_key`` field when it is
submitted. Without a connection the service worker keeps it on the device and sends it when the
link returns, with the header ``Minga-Outbox: 1``. The view, wrapped in :func:`once`, runs only the
first time a key arrives; a key sent again gets the stored answer. To the device the answer is
JSON: ``{"status": accepted | late | conflict | refused | login | pending, "message", "url",
"yours", "theirs"}``; to a browser that posted the form itself, the view's own page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from minga.core.models import Submission

KEY_FIELD = "idempotency_key"
HEADER = "Minga-Outbox"
# who typed it (the page's viewer), so that it is never sent under someone else's session
VIEWER = "Minga-Viewer"
KEY = re.compile(r"[A-Za-z0-9-]{8,64}")
# the status each answer goes back with, so that a device that reads no JSON still tells them apart
HTTP = {"accepted": 200, "late": 409, "conflict": 409, "refused": 422, "login": 401, "pending": 503}

ANONYMOUS = "-"

View = Callable[..., HttpResponse]


def viewer(user: Any) -> str:
    """An opaque name for who reads a page, the same on every page of theirs: the service worker
    files what it keeps under it, and throws away the rest when it changes (another person
    logged in on the same phone, or this one logged out)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return salted_hmac("minga.offline.viewer", str(user.pk), algorithm="sha256").hexdigest()[:24]


def from_device(request: HttpRequest) -> bool:
    """Whether the service worker, not the page, sent this request."""
    return request.headers.get(HEADER) == "1"


def explain(
    request: HttpRequest,
    status: str,
    message: str,
    *,
    yours: str = "",
    theirs: str = "",
) -> None:
    """Say why a view refused what a device sent: ``late`` (the round or the sheet closed
    meanwhile), ``conflict`` (someone else's change came first: both versions, in words) or
    ``refused``."""
    request.outbox = {"status": status, "message": message, "yours": yours, "theirs": theirs}  # type: ignore[attr-defined]


def _outcome(request: HttpRequest, response: HttpResponse) -> dict[str, str]:
    said: dict[str, str] = getattr(request, "outbox", {})
    if response.status_code in (301, 302, 303) or (response.status_code == 200 and not said):
        url = response["Location"] if isinstance(response, HttpResponseRedirect) else request.path
        return {"status": "accepted", "message": _("Sent and recorded."), "url": url}
    answer = {
        "status": "refused",
        "message": _("The server refused it: open the page to see why."),
        "yours": "",
        "theirs": "",
        **said,
    }
    answer["url"] = request.headers.get("Referer", "") or request.path
    return answer


def _json(answer: dict[str, Any]) -> JsonResponse:
    return JsonResponse(answer, status=HTTP[answer["status"]])


def once(view: View) -> View:
    """Run ``view`` once per idempotency key; answer the service worker in JSON.

    The key's row, the view's writes and the stored answer commit together: a view that fails
    (or a database that times out) leaves no trace, and the key may be sent again."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = from_device(request)
        key = request.POST.get(KEY_FIELD, "") if request.method == "POST" else ""
        if device and not request.user.is_authenticated:
            return _json({"status": "login", "message": _("Log in again to send it.")})
        if not key or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if not KEY.fullmatch(key):
            return HttpResponse(_("That idempotency key is malformed."), status=400)
        typed_by = request.headers.get(VIEWER)
        if device and typed_by and typed_by != viewer(request.user):
            # typed by someone else on this phone: it waits for them to log in again
            return _json({"status": "login", "message": _("Log in again to send it.")})
        done = Submission.objects.filter(user=request.user, key=key).first()
        if done is not None and done.path != request.path:
            return HttpResponse(_("That idempotency key was used for another form."), status=409)
        if done is not None and done.status:
            if device:
                return _json(done.answer)
            return HttpResponseRedirect(done.answer.get("url") or request.path)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(
                        user=request.user, key=key, path=request.path
                    )
            except IntegrityError:
                # the same key is being handled by another request right now: try again
                return _json({"status": "pending", "message": _("Still being recorded.")})
            try:
                with transaction.atomic():
                    response = view(request, *args, **kwargs)
            except (PermissionDenied, Http404) as exc:
                if not device:
                    raise
                message = str(exc) or _("This page does not exist or you may not see it.")
                answer = {"status": "refused", "message": message, "url": request.path}
            else:
                answer = _outcome(request, response)
            submission.status, submission.answer = answer["status"], answer
            submission.save(update_fields=["status", "answer"])
        return _json(answer) if device else response

    return wrapped
