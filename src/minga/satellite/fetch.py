"""Satellite granules from their publishers: read the zones' window, or download the whole file.

For one granule of one product (``fetch_granule``):

1. ``HEAD`` tells the file's size and version (``ETag``, ``Last-Modified``). When the window
   written last time came from that same version, nothing more is asked.
2. A small ranged ``GET`` (``Range: bytes=0-15``) tells whether the server honours ranges. If it
   answers ``206``, GDAL opens the file over HTTP (``/vsicurl/``) and reads only the window that
   covers the zones. If it answers ``200``, that answer is the whole file: it is kept, once, under
   the granule cache, and the window is cut from it there.
3. A whole download goes to ``<name>.part`` and resumes with ``Range: bytes=N-`` (and
   ``If-Range``, so a file that changed meanwhile starts over) after a broken connection, in this
   run or the next.
4. Before anything is written: the first bytes must be a TIFF's, GDAL must read it as a GeoTIFF
   in EPSG:4326 on the product's grid (``publishers.grid_problem``), a whole download must have
   exactly the announced size. The window goes to a temporary name and is renamed when complete.

No database here: ``services.run_layer_fetch`` decides what to fetch and registers the result.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from minga.satellite.publishers import Box, Granule, Source, Window, grid_problem, pixel_window

ATTEMPTS = 3  # connections a whole download may lose in one run before it gives up (resumable)
TIMEOUT = 60  # seconds without an answer
CHUNK = 1 << 20
PROBE = 16  # bytes asked for to learn whether the server honours ranges
TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # little/big-endian, classic/Big
USER_AGENT = "minga fetch-layers"
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")

Progress = Callable[[float], None]


class FetchError(Exception):
    """A granule that could not be fetched or failed a check, with the reason for people."""


@dataclass(frozen=True)
class Remote:
    """What the publisher's server says about a file, without its content."""

    url: str
    size: int | None
    etag: str
    last_modified: str

    @property
    def versioned(self) -> bool:
        """Can a copy be recognised as this very file (size and a validator known)?"""
        return self.size is not None and bool(self.etag or self.last_modified)

    @property
    def validator(self) -> str:
        return self.etag or self.last_modified


@dataclass(frozen=True)
class Fetched:
    path: Path
    changed: bool  # False: the window from last time is still the publisher's
    how: str  # "window" (ranged reads), "whole" (the granule downloaded or kept) or "kept"
    downloaded: int  # bytes of whole-granule downloads in this run
    window: Window | None


def fetch_granule(
    source: Source,
    granule: Granule,
    box: Box,
    *,
    url: str,
    bands: int,
    out: Path,
    cache: Path,
    whole: bool = False,
    progress: Progress | None = None,
) -> Fetched:
    """Write ``out``: the part of ``granule`` that covers ``box``, from ``url``; ``cache`` keeps
    whole granules (``whole=True`` always downloads them, and so does a server without ranges)."""
    report = progress or (lambda fraction: None)
    remote = head(url)
    stamp = {**asdict(remote), "box": [round(v, 9) for v in box], "bands": bands}
    sidecar = out.with_name(out.name + ".json")
    if out.is_file() and remote.versioned and _read_json(sidecar) == stamp:
        report(1.0)
        return Fetched(out, changed=False, how="kept", downloaded=0, window=None)
    kept = cache / out.name
    downloaded = 0
    if whole or _complete(kept, remote):
        kept, downloaded = download(remote, kept, progress=report)
        location, how = str(kept), "whole"
    else:
        try:
            response = _get(url, start=0, end=PROBE - 1)
        except _Broken as exc:
            raise FetchError(
                _("Could not reach %(url)s: %(reason)s") % {"url": url, "reason": exc.reason}
            ) from None
        if response.status == 206:
            try:
                first = response.read(PROBE)
            except (OSError, http.client.HTTPException) as exc:
                raise FetchError(
                    _("Could not reach %(url)s: %(reason)s") % {"url": url, "reason": _reason(exc)}
                ) from None
            finally:
                response.close()
            _check_magic(first, url)
            location, how = f"/vsicurl/{url}", "window"
        else:  # 200: the server ignores ranges, and this answer is the whole granule
            kept, downloaded = download(remote, kept, progress=report, first=response)
            location, how = str(kept), "whole"
    report(0.9)
    try:
        window = cut_window(location, source, granule, box, url=url, bands=bands, out=out)
    except FetchError:
        if how == "whole":  # a granule that fails its checks is not kept either
            forget(kept)
        raise
    sidecar.write_text(json.dumps(stamp))
    report(1.0)
    return Fetched(out, changed=True, how=how, downloaded=downloaded, window=window)


def head(url: str) -> Remote:
    """Size and version of ``url``; a server that refuses ``HEAD`` leaves them unknown."""
    request = _request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http only)
            length = response.headers.get("Content-Length")
            return Remote(
                url=url,
                size=int(length) if length and length.isdigit() else None,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
    except urllib.error.HTTPError as exc:
        if exc.code in (405, 501):
            return Remote(url, None, "", "")
        raise _http_error(url, exc.code) from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(
            _("Could not reach %(url)s: %(reason)s") % {"url": url, "reason": _reason(exc)}
        ) from None


def download(
    remote: Remote,
    target: Path,
    *,
    progress: Progress,
    first: http.client.HTTPResponse | None = None,
) -> tuple[Path, int]:
    """The whole file at ``remote.url`` as ``target`` (kept when it is already that version),
    through ``target.part``: a broken connection resumes where it stopped, now or next run.
    Returns the path and the bytes this call received."""
    if _complete(target, remote):
        if first is not None:
            first.close()
        progress(0.9)
        return target, 0
    url = remote.url
    part = target.with_name(target.name + ".part")
    part_stamp = part.with_name(part.name + ".json")
    if part.exists() and _read_json(part_stamp) != asdict(remote):
        part.unlink()  # a part of another version of the file: start over
    target.parent.mkdir(parents=True, exist_ok=True)
    part_stamp.write_text(json.dumps(asdict(remote)))
    received, broken = 0, ""
    for _attempt in range(ATTEMPTS):
        have = part.stat().st_size if part.exists() else 0
        if remote.size is not None and have >= remote.size and first is None:
            if have == remote.size:
                break
            part.unlink()
            have = 0
        try:
            response = first or _get(url, start=have or None, if_range=remote.validator)
        except _Broken as exc:
            broken = exc.reason
            continue
        first = None
        try:
            if response.status == 206:
                start, total = _content_range(response, url)
                if start != have:
                    raise FetchError(
                        _("%(url)s answered from byte %(start)s, not %(have)s.")
                        % {"url": url, "start": start, "have": have}
                    )
                mode = "ab"
            else:
                have, mode = 0, "wb"
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else remote.size
            with part.open(mode) as f:
                while chunk := response.read(CHUNK):
                    f.write(chunk)
                    have += len(chunk)
                    received += len(chunk)
                    if total:
                        progress(0.9 * have / total)
            if total is not None and have < total:
                broken = _("the connection closed early")
                continue
            break
        except (OSError, http.client.HTTPException) as exc:
            broken = _reason(exc)
        finally:
            response.close()
    else:
        have = part.stat().st_size if part.exists() else 0
        raise FetchError(
            _(
                "The download of %(url)s broke off (%(reason)s) on each of %(n)s tries. Run "
                "the fetch again: it goes on from byte %(have)s."
            )
            % {"url": url, "n": ATTEMPTS, "reason": broken, "have": have}
        )
    size = part.stat().st_size
    if remote.size is not None and size != remote.size:
        forget(part)
        raise FetchError(
            _("%(url)s came with %(got)s bytes, not the %(size)s announced; it was not kept.")
            % {"url": url, "got": size, "size": remote.size}
        )
    with part.open("rb") as f:
        first_bytes = f.read(PROBE)
    try:
        _check_magic(first_bytes, url)
    except FetchError:
        forget(part)
        raise
    part.replace(target)
    part_stamp.unlink(missing_ok=True)
    target.with_name(target.name + ".json").write_text(json.dumps(asdict(remote)))
    return target, received


def cut_window(
    location: str, source: Source, granule: Granule, box: Box, *, url: str, bands: int, out: Path
) -> Window:
    """Check the granule at ``location`` (a path, or ``/vsicurl/`` URL) and write the window of it
    that covers ``box`` to ``out`` as a tiled GeoTIFF."""
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    # Imported here: rasterio (GDAL) loads only for raster work.
    from rasterio.windows import Window as RasterWindow

    with rasterio.Env(**gdal_options(url)):
        try:
            ds = rasterio.open(location)
        except rasterio.errors.RasterioIOError as exc:
            raise FetchError(
                _("%(url)s is not a GeoTIFF minga can read (%(reason)s).")
                % {"url": url, "reason": str(exc)[:200]}
            ) from None
        with ds:
            if ds.driver != "GTiff":
                raise FetchError(
                    _("%(url)s is not a GeoTIFF (GDAL reads it as %(driver)s).")
                    % {"url": url, "driver": ds.driver}
                )
            if ds.crs is None or ds.crs.to_epsg() != 4326:
                raise FetchError(
                    _("%(url)s is in %(crs)s, not in EPSG:4326 like the product.")
                    % {"url": url, "crs": ds.crs.to_string() if ds.crs else _("no CRS")}
                )
            t = ds.transform
            problem = grid_problem(
                (t.a, t.b, t.c, t.d, t.e, t.f),
                width=ds.width,
                height=ds.height,
                granule=granule,
                res=source.res,
            )
            if problem:
                raise FetchError(
                    _("%(url)s is not on the grid of %(product)s: %(problem)s.")
                    % {"url": url, "product": source.product, "problem": problem}
                )
            if ds.count < bands or any(
                not np.issubdtype(np.dtype(t), np.integer) for t in ds.dtypes[:bands]
            ):
                raise FetchError(
                    _("%(url)s needs %(n)s integer bands; it has %(m)s (%(types)s).")
                    % {"url": url, "n": bands, "m": ds.count, "types": ", ".join(ds.dtypes)}
                )
            window = pixel_window(
                box,
                west=ds.transform.c,
                north=ds.transform.f,
                res=source.res,
                width=ds.width,
                height=ds.height,
            )
            if window is None:
                raise FetchError(
                    _("%(url)s does not reach the zones.") % {"url": url},
                )
            read = RasterWindow(window.col, window.row, window.width, window.height)
            try:
                data = ds.read(list(range(1, bands + 1)), window=read)
            except rasterio.errors.RasterioIOError as exc:
                raise FetchError(
                    _("Reading %(url)s broke off: %(reason)s")
                    % {"url": url, "reason": str(exc)[:200]}
                ) from None
            profile: dict[str, Any] = {
                "driver": "GTiff",
                "width": window.width,
                "height": window.height,
                "count": bands,
                "dtype": ds.dtypes[0],
                "crs": ds.crs,
                "transform": ds.window_transform(read),
                "nodata": ds.nodata,
                "tiled": True,
                "blockxsize": 256,
                "blockysize": 256,
                "compress": "deflate",
            }
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with rasterio.open(partial, "w", **profile) as dst:
        dst.write(data)
    partial.replace(out)
    return window


def forget(path: Path) -> None:
    """Remove a fetched file and its stamp."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".json").unlink(missing_ok=True)


def gdal_options(url: str) -> dict[str, str]:
    """GDAL's network file access for one file: no directory listing, no sidecar probes, no
    cache kept after the file closes (alert granules change weekly), retries on 5xx."""
    return {
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff",
        "CPL_VSIL_CURL_NON_CACHED": f"/vsicurl/{url}",
        "GDAL_HTTP_TIMEOUT": str(TIMEOUT),
        "GDAL_HTTP_MAX_RETRY": str(ATTEMPTS),
        "GDAL_HTTP_RETRY_DELAY": "1",
        "GDAL_HTTP_USERAGENT": USER_AGENT,
    }


class _Broken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _get(
    url: str, *, start: int | None = None, end: int | None = None, if_range: str = ""
) -> http.client.HTTPResponse:
    request = _request(url)
    if start is not None:
        request.add_header("Range", f"bytes={start}-{'' if end is None else end}")
        if if_range:
            request.add_header("If-Range", if_range)
    try:
        response: http.client.HTTPResponse = urllib.request.urlopen(  # noqa: S310 (http only)
            request, timeout=TIMEOUT
        )
    except urllib.error.HTTPError as exc:
        raise _http_error(url, exc.code) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _Broken(_reason(exc)) from None
    return response


def _request(url: str, *, method: str = "GET") -> urllib.request.Request:
    # Only http(s): the MINGA_*_URL settings refuse anything else, and so does this.
    if not url.startswith(("https://", "http://")):
        raise FetchError(_("%(url)s is not an http:// or https:// URL.") % {"url": url})
    return urllib.request.Request(  # noqa: S310 (checked above)
        url, method=method, headers={"User-Agent": USER_AGENT}
    )


def _http_error(url: str, code: int) -> FetchError:
    if code == 404:
        return FetchError(
            _("%(url)s is not there (HTTP 404): the publisher has no such granule.") % {"url": url}
        )
    if code in (401, 403):
        # GFW's data lake is a requester-pays bucket: anonymous requests are refused.
        return FetchError(
            _(
                "%(url)s refused the request (HTTP %(code)s): the publisher serves it only to "
                "accounts. Point the product's MINGA_*_URL setting at a mirror this server may "
                "read."
            )
            % {"url": url, "code": code}
        )
    return FetchError(_("%(url)s answered HTTP %(code)s.") % {"url": url, "code": code})


def _content_range(response: http.client.HTTPResponse, url: str) -> tuple[int, int | None]:
    found = CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    if not found:
        raise FetchError(_("%(url)s answered a range without saying which.") % {"url": url})
    total = found[3]
    return int(found[1]), None if total == "*" else int(total)


def _check_magic(first: bytes, url: str) -> None:
    if first[:4] not in TIFF_MAGIC:
        raise FetchError(
            _("%(url)s is not a GeoTIFF: it does not start like a TIFF file.") % {"url": url}
        )


def _complete(path: Path, remote: Remote) -> bool:
    return (
        path.is_file()
        and remote.versioned
        and path.stat().st_size == remote.size
        and _read_json(path.with_name(path.name + ".json")) == asdict(remote)
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason) or type(exc).__name__
