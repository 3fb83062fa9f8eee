"""Field data straight from the tools' servers: KoboToolbox API v2, ODK Central OData, a CoMapeo
archive server and the Global Forest Watch Data API. No Django: the services give a
:class:`Connection` and get an :class:`formats.Export` and the cursor to resume from.

Every request has a timeout; a 5xx answer, a timeout or a dropped connection is retried with
exponential back-off; a 401/403 is not (the credential is wrong) and nor is a malformed answer.
Each failure raises :class:`SyncError` with a code the Sources page explains in the reader's
language. Credentials travel only in headers (never in a URL that could reach a log), except
ODK Central app-user tokens, whose URL form (``/v1/key/<token>/``) is the only one Central has.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from minga.monitoring import formats

TOOLS = ("kobo", "odk", "comapeo", "gfw")
GFW_LOOKBACK_DAYS = 90
GFW_DATASETS = (
    "gfw_integrated_alerts",
    "umd_glad_landsat_alerts",
    "umd_glad_sentinel2_alerts",
    "wur_radd_alerts",
    "nasa_viirs_fire_alerts",
)


class SyncError(Exception):
    """``code``: auth, server, timeout, network, malformed, config, too_large, refused."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


@dataclass
class Connection:
    tool: str
    url: str  # the server's base address, e.g. https://kf.kobotoolbox.org
    ref: str  # Kobo asset uid; ODK "project/form"; CoMapeo project id; GFW dataset
    credential: str = field(default="", repr=False)
    timeout: float = 30
    retries: int = 3
    backoff: float = 1.0
    page_size: int = 1000
    max_bytes: int = 50 * 1024 * 1024
    geometry: dict[str, Any] | None = None  # GFW: the area to ask about
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @property
    def base(self) -> str:
        return self.url.rstrip("/")


def origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.netloc or "").lower()


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the origin asked: the credential never leaves it."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        if origin(newurl) != origin(req.full_url):
            raise SyncError("server", f"HTTP {code}: redirected to another server")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOrigin)


def _request(
    connection: Connection, url: str, headers: dict[str, str], body: bytes | None = None
) -> bytes:
    attempt = 0
    while True:
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with _OPENER.open(request, timeout=connection.timeout) as answer:
                data: bytes = answer.read(connection.max_bytes + 1)
                if len(data) > connection.max_bytes:
                    raise SyncError("too_large", f"more than {connection.max_bytes} bytes")
                announced = answer.headers.get("Content-Length")
                if announced and announced.isdigit() and len(data) < int(announced):
                    raise http.client.IncompleteRead(data, int(announced) - len(data))
                return data
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise SyncError("auth", f"HTTP {exc.code}") from None
            if exc.code < 500 and exc.code != 429:
                raise SyncError("server", f"HTTP {exc.code}") from None
            failure = SyncError("server", f"HTTP {exc.code}")
        except TimeoutError:
            failure = SyncError("timeout", f"no answer in {connection.timeout:g} s")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                failure = SyncError("timeout", f"no answer in {connection.timeout:g} s")
            else:
                failure = SyncError("network", str(exc.reason))
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            failure = SyncError("network", f"{type(exc).__name__}: the connection broke")
        attempt += 1
        if attempt > connection.retries:
            raise failure
        connection.sleep(connection.backoff * 2 ** (attempt - 1))


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data, parse_constant=lambda name: name)
    except (ValueError, RecursionError):
        raise SyncError("malformed", f"{what} is not JSON") from None


# --- KoboToolbox -------------------------------------------------------------------------------


def kobo_pages(connection: Connection, since: str = "") -> Iterator[list[dict[str, Any]]]:
    """Submissions received after ``since`` (``_submission_time``), page by page (``next``)."""
    query = {"_submission_time": {"$gt": since}} if since else {}
    params = {"format": "json", "limit": str(connection.page_size)}
    if query:
        params["query"] = json.dumps(query)
    url: str | None = (
        f"{connection.base}/api/v2/assets/{urllib.parse.quote(connection.ref, safe='')}/data.json?"
        + urllib.parse.urlencode(params)
    )
    headers = {"Authorization": f"Token {connection.credential}", "Accept": "application/json"}
    seen = 0
    while url:
        page = _json(_request(connection, url, headers), "a KoboToolbox page")
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise SyncError("malformed", "a KoboToolbox page without a results list")
        yield page["results"]
        seen += 1
        following = page.get("next")
        if following is not None and not isinstance(following, str):
            raise SyncError("malformed", "a KoboToolbox page whose next is not a URL")
        url = following or None
        if seen > 100000:
            raise SyncError("malformed", "more than 100000 pages")


def kobo_asset(connection: Connection) -> dict[str, Any]:
    """The asset's description (its name and form), to test the connection."""
    url = f"{connection.base}/api/v2/assets/{urllib.parse.quote(connection.ref, safe='')}/?format=json"
    headers = {"Authorization": f"Token {connection.credential}", "Accept": "application/json"}
    answer = _json(_request(connection, url, headers), "the KoboToolbox asset")
    if not isinstance(answer, dict):
        raise SyncError("malformed", "the KoboToolbox asset is not an object")
    return answer


# --- ODK Central -------------------------------------------------------------------------------


def _odk_root(connection: Connection) -> tuple[str, dict[str, str]]:
    """Central takes HTTP Basic (a web user's e-mail:password) or an app user's token in the
    path; the project and form are ``ref`` = "project/form"."""
    project, _, form = connection.ref.partition("/")
    if not project or not form:
        raise SyncError("config", "ODK Central needs project/form")
    path = f"/v1/projects/{urllib.parse.quote(project, safe='')}/forms/{urllib.parse.quote(form, safe='')}"
    credential = connection.credential
    if ":" in credential:
        token = base64.b64encode(credential.encode()).decode()
        return f"{connection.base}{path}", {"Authorization": f"Basic {token}"}
    return f"{connection.base}/v1/key/{urllib.parse.quote(credential, safe='')}{path[3:]}", {}


def odk_pages(
    connection: Connection, since: str = "", *, deleted: bool = False
) -> Iterator[dict[str, Any]]:
    """OData ``Submissions?$expand=*`` changed after ``since`` (``__system/updatedAt`` or, for
    never-edited ones, ``submissionDate``), page by page (``$top``/``$skip``, or the server's
    ``@odata.nextLink``)."""
    root, headers = _odk_root(connection)
    headers["Accept"] = "application/json"
    params = {"$expand": "*", "$top": str(connection.page_size), "$count": "true"}
    if since:
        params["$filter"] = f"__system/updatedAt gt {since} or __system/submissionDate gt {since}"
    if deleted:
        # Central leaves soft-deleted submissions out unless the filter names deletedAt.
        params["$filter"] = (
            f"__system/deletedAt gt {since}" if since else "not __system/deletedAt eq null"
        )
    skip = 0
    url: str | None = f"{root}.svc/Submissions?" + urllib.parse.urlencode(params)
    asked: set[str] = set()
    while url:
        if url in asked:
            raise SyncError("malformed", "ODK Central sent the same page again")
        asked.add(url)
        page = _json(_request(connection, url, headers), "an ODK Central page")
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise SyncError("malformed", "an ODK Central page without a value list")
        yield page
        following = page.get("@odata.nextLink")
        if isinstance(following, str) and following:
            url = following
        elif len(page["value"]) >= connection.page_size:
            skip += len(page["value"])
            url = f"{root}.svc/Submissions?" + urllib.parse.urlencode({**params, "$skip": skip})
        else:
            url = None


def odk_form_xlsx(connection: Connection) -> bytes:
    """The form as the XLSForm it was published from (b"" when Central has none: an XForm)."""
    root, headers = _odk_root(connection)
    try:
        return _request(connection, f"{root}.xlsx", headers)
    except SyncError as exc:
        if exc.code == "server":
            return b""
        raise


# --- CoMapeo -----------------------------------------------------------------------------------


def comapeo_documents(connection: Connection) -> list[dict[str, Any]]:
    """A project's presets (for the categories' names), observations and tracks."""
    headers = {"Authorization": f"Bearer {connection.credential}", "Accept": "application/json"}
    project = urllib.parse.quote(connection.ref, safe="")
    documents: list[dict[str, Any]] = []
    for kind, route, required in (
        ("preset", "presets", False),
        ("observation", "observations", True),
        ("track", "tracks", False),
    ):
        url = f"{connection.base}/projects/{project}/{route}"
        try:
            answer = _json(_request(connection, url, headers), f"the CoMapeo {kind} list")
        except SyncError as exc:
            if required or exc.code in ("auth", "malformed"):
                raise
            continue  # an older archive server without presets or tracks
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list):
            raise SyncError("malformed", f"the CoMapeo {kind} list has no data list")
        for document in data:
            if isinstance(document, dict):
                documents.append({"schemaName": kind, **document})
    return documents


# --- Global Forest Watch -----------------------------------------------------------------------


def gfw_query(connection: Connection, since: str) -> dict[str, Any]:
    """Alerts of one dataset inside ``connection.geometry`` dated on or after ``since``."""
    dataset = connection.ref
    if dataset not in GFW_DATASETS:
        raise SyncError("config", f"unknown GFW dataset {dataset}")
    if connection.geometry is None:
        raise SyncError("config", "no area to ask about")
    if dataset == "nasa_viirs_fire_alerts":
        columns, date = "latitude, longitude, alert__date, confidence__cat", "alert__date"
    else:
        date = f"{dataset}__date"
        columns = f"latitude, longitude, {date}, {dataset}__confidence"
    since = since or "2015-01-01"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise SyncError("config", f"the cursor {since!r} is not a date")
    # The dataset is one of GFW_DATASETS and the date was checked above: nothing else enters.
    sql = f"SELECT {columns} FROM results WHERE {date} >= '{since}'"  # noqa: S608
    body = json.dumps({"sql": sql, "geometry": connection.geometry}).encode()
    url = f"{connection.base}/dataset/{dataset}/latest/query/json"
    headers = {"x-api-key": connection.credential, "Accept": "application/json"}
    answer = _json(_request(connection, url, headers, body), "the GFW answer")
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise SyncError("malformed", "the GFW answer has no data list")
    return answer


# --- one fetch ---------------------------------------------------------------------------------


def fetch(
    connection: Connection,
    since: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[formats.Export, str]:
    """Everything new since the cursor ``since``, read as an export, and the next cursor.
    Nothing is returned unless every page came: a failure half-way raises."""
    tool = connection.tool
    if tool == "kobo":
        results: list[Any] = []
        for page in kobo_pages(connection, since):
            results += page
            if progress:
                progress(len(results), len(results))
        export = formats.kobo_records(results)
        times = [str(r.get("_submission_time") or "") for r in results if isinstance(r, dict)]
        return export, max([since, *times])
    if tool == "odk":
        values: list[Any] = []
        context = ""
        for answer in odk_pages(connection, since):
            values += answer["value"]
            context = context or str(answer.get("@odata.context") or "")
            if progress:
                progress(len(values), int(answer.get("@odata.count") or len(values)))
        gone = []
        for answer in odk_pages(connection, since, deleted=True):
            gone += [v for v in answer["value"] if isinstance(v, dict)]
        body = json.dumps({"@odata.context": context, "value": values + gone}).encode()
        export = formats.read_odk_json(body)
        stamps = [
            str(
                (v.get("__system") or {}).get("updatedAt")
                or (v.get("__system") or {}).get("submissionDate")
                or ""
            )
            for v in values
            if isinstance(v, dict)
        ]
        return export, max([since, *stamps])
    if tool == "comapeo":
        documents = comapeo_documents(connection)
        if progress:
            progress(len(documents), len(documents))
        export = formats.read_comapeo_json(json.dumps({"data": documents}).encode())
        export.signature = f"comapeo:{connection.ref}"
        stamps = [str(d.get("updatedAt") or "") for d in documents]
        return export, max([since, *stamps])
    if tool == "gfw":
        # Alerts are published late with earlier dates (RADD, GLAD-S2) and their confidence
        # rises: ask again for the last GFW_LOOKBACK_DAYS; known alerts change nothing.
        asked = since
        if since:
            day = dt.date.fromisoformat(since) - dt.timedelta(days=GFW_LOOKBACK_DAYS)
            asked = day.isoformat()
        answer = gfw_query(connection, asked)
        export = formats.read_gfw_json(json.dumps(answer).encode(), connection.ref)
        dates = [str(r.fields.get("alert/date") or "") for r in export.records]
        if progress:
            progress(len(export.records), len(export.records))
        return export, max([since, *dates])
    raise SyncError("config", f"unknown tool {tool}")


def download(connection: Connection, url: str, limit: int) -> bytes:
    """An attachment (a photo, a recording), within ``limit`` bytes."""
    headers: dict[str, str] = {}
    if origin(url) != origin(connection.url):
        pass  # another host: it gets no credential
    elif connection.tool == "kobo":
        headers["Authorization"] = f"Token {connection.credential}"
    elif connection.tool == "comapeo":
        headers["Authorization"] = f"Bearer {connection.credential}"
    bounded = Connection(**{**connection.__dict__, "max_bytes": limit})
    return _request(bounded, url, headers)
