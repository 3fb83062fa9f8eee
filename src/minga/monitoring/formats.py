"""Field-monitoring exports as they really are, read into one shape. Pure: no Django.

Every reader returns observations and tracks keyed by the tool's own stable id, plus the rows it
refused with their reason — nothing is dropped silently. ``docs/formats.md`` describes each format
as minga reads it; ``../shared/FORMATS.md`` gathers what is known of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import xml.etree.ElementTree as ET  # the stdlib parser resolves no external entities
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "illegal_logging",
    "mining",
    "hunting",
    "fire",
    "wildlife",
    "boundary_mark",
    "sacred_site",
    "other",
)
SERIOUS = frozenset({"illegal_logging", "mining", "fire"})
LEVELS = ("public", "table", "owner")
# Spellings the tools' users actually type, mapped to minga's kinds.
ALIASES = {
    "logging": "illegal_logging",
    "tala": "illegal_logging",
    "tala_ilegal": "illegal_logging",
    "mineria": "mining",
    "minería": "mining",
    "caza": "hunting",
    "fuego": "fire",
    "incendio": "fire",
    "fauna": "wildlife",
    "hito": "boundary_mark",
    "sitio_sagrado": "sacred_site",
    "otro": "other",
}
FORMATS = ("kobo-csv", "kobo-json", "odk-json", "odk-csv", "mapeo-geojson", "smart-xml")


class FormatError(ValueError):
    """The file is not in the named (or any known) format."""


@dataclass
class Observation:
    source: str
    key: str
    version: str
    observed_at: dt.datetime
    lon: float
    lat: float
    kind: str
    notes: str = ""
    photos: tuple[str, ...] = ()
    sensitivity: str = "table"
    patrol_key: str = ""
    deleted: bool = False
    row: int | str = 0
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Track:
    source: str
    key: str
    version: str
    started_at: dt.datetime
    points: list[tuple[float, float]]
    monitors: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rejected:
    source: str
    row: int | str
    reason: str  # missing_date, bad_coordinates, unknown_type, missing_key
    detail: str
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Parsed:
    format: str
    observations: list[Observation] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class _Refuse(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        self.reason, self.detail = reason, detail


def _when(value: Any) -> dt.datetime:
    text = str(value or "").strip()
    if not text:
        raise _Refuse("missing_date", "no date")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Refuse("missing_date", f"unreadable date {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _point(lon: Any, lat: Any) -> tuple[float, float]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise _Refuse("bad_coordinates", f"longitude {lon!r}, latitude {lat!r}") from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise _Refuse("bad_coordinates", f"longitude {x}, latitude {y}")
    return x, y


def _odk_geopoint(text: Any) -> tuple[float, float]:
    """An ODK/Kobo geopoint string, latitude first: "lat lon alt acc"."""
    parts = str(text or "").split()
    if len(parts) < 2:
        raise _Refuse("bad_coordinates", f"geopoint {text!r}")
    return _point(parts[1], parts[0])


def _odk_geotrace(text: Any) -> list[tuple[float, float]]:
    return [_odk_geopoint(p) for p in str(text or "").split(";") if p.strip()]


def _kind(value: Any) -> str:
    text = str(value or "").strip().lower().replace(" ", "_")
    kind = ALIASES.get(text, text)
    if kind not in KINDS:
        raise _Refuse("unknown_type", f"type {value!r}")
    return kind


def _level(value: Any) -> str:
    text = str(value or "table").strip().lower()
    return text if text in LEVELS else "table"


def _guard(parsed: Parsed, row: int | str, raw: dict[str, Any], build: Any) -> None:
    try:
        build()
    except _Refuse as refused:
        parsed.rejected.append(Rejected(parsed.format, row, refused.reason, refused.detail, raw))


# --- KoboToolbox -------------------------------------------------------------------------------


def _kobo_submission(parsed: Parsed, record: dict[str, Any], row: int) -> None:
    root = str(record.get("meta/rootUuid") or record.get("meta/instanceID") or "")
    if not root:
        parsed.rejected.append(
            Rejected(parsed.format, row, "missing_key", "no meta/rootUuid", record)
        )
        return
    version = str(record.get("meta/instanceID") or record.get("_uuid") or "")
    when_text = record.get("start") or record.get("_submission_time")
    monitors = str(record.get("patrol/monitors", ""))

    def track() -> None:
        points = _odk_geotrace(record.get("patrol/track"))
        if points:
            parsed.tracks.append(
                Track(parsed.format, root, version, _when(when_text), points, monitors, record)
            )

    _guard(parsed, row, record, track)
    for index, item in enumerate(record.get("obs") or [], start=1):

        def build(item: dict[str, Any] = item, index: int = index) -> None:
            lon, lat = _odk_geopoint(item.get("obs/location"))
            parsed.observations.append(
                Observation(
                    parsed.format,
                    f"{root}/obs/{index}",
                    version,
                    _when(when_text),
                    lon,
                    lat,
                    _kind(item.get("obs/kind")),
                    str(item.get("obs/notes", "")),
                    tuple(p for p in [item.get("obs/photo")] if p),
                    _level(item.get("obs/sensitivity")),
                    root,
                    row=f"{row}.{index}",
                    raw=item,
                )
            )

        _guard(parsed, f"{row}.{index}", item, build)


def read_kobo_json(data: bytes) -> Parsed:
    parsed = Parsed("kobo-json")
    try:
        document = json.loads(data)
    except ValueError:
        raise FormatError("not JSON") from None
    results = document.get("results") if isinstance(document, dict) else document
    if not isinstance(results, list):
        raise FormatError("no results list")
    for row, record in enumerate(results, start=1):
        _kobo_submission(parsed, record, row)
    return parsed


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def read_kobo_csv(data: bytes) -> Parsed:
    """Kobo's CSV export of the observations repeat (groups in headers, "/" separator): one row
    per observation, with ``_submission__uuid`` and ``_index`` naming its submission and place."""
    parsed = Parsed("kobo-csv")
    rows = _csv_rows(data)
    if not rows or "obs/location" not in rows[0]:
        raise FormatError("no obs/location column")
    for number, row in enumerate(rows, start=2):

        def build(row: dict[str, str] = row, number: int = number) -> None:
            root = row.get("meta/rootUuid") or row.get("_submission__uuid") or ""
            if not root:
                raise _Refuse("missing_key", "no meta/rootUuid or _submission__uuid")
            lon, lat = _odk_geopoint(row.get("obs/location"))
            parsed.observations.append(
                Observation(
                    parsed.format,
                    f"{root}/obs/{row.get('_index', '1')}",
                    row.get("meta/instanceID") or row.get("_submission__uuid", ""),
                    _when(row.get("start") or row.get("_submission__submission_time")),
                    lon,
                    lat,
                    _kind(row.get("obs/kind")),
                    row.get("obs/notes", ""),
                    tuple(p for p in [row.get("obs/photo")] if p),
                    _level(row.get("obs/sensitivity")),
                    root,
                    row=number,
                    raw=dict(row),
                )
            )

        _guard(parsed, number, dict(row), build)
    return parsed


# --- ODK Central -------------------------------------------------------------------------------


def read_odk_json(data: bytes) -> Parsed:
    """OData ``Submissions?$expand=*``: ``__id`` and ``__system/updatedAt``; geopoints as GeoJSON."""
    parsed = Parsed("odk-json")
    try:
        document = json.loads(data)
    except ValueError:
        raise FormatError("not JSON") from None
    values = document.get("value") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise FormatError("no OData value list")
    for row, record in enumerate(values, start=1):
        key = str(record.get("__id") or "")
        system = record.get("__system") or {}
        version = str(system.get("updatedAt") or system.get("submissionDate") or "")
        patrol = record.get("patrol") or {}
        when_text = record.get("start") or system.get("submissionDate")

        def track(
            record: dict[str, Any] = record,
            key: str = key,
            version: str = version,
            patrol: Any = patrol,
            when_text: Any = when_text,
        ) -> None:
            line = patrol.get("track")
            if line:
                points = [_point(c[0], c[1]) for c in line.get("coordinates", [])]
                parsed.tracks.append(
                    Track(
                        parsed.format,
                        key,
                        version,
                        _when(when_text),
                        points,
                        str(patrol.get("monitors", "")),
                        record,
                    )
                )

        _guard(parsed, row, record, track)
        for index, item in enumerate(record.get("obs") or [], start=1):

            def build(
                item: dict[str, Any] = item,
                index: int = index,
                key: str = key,
                version: str = version,
                when_text: Any = when_text,
                row: int = row,
            ) -> None:
                location = item.get("location") or {}
                coordinates = location.get("coordinates") or [None, None]
                lon, lat = _point(coordinates[0], coordinates[1])
                parsed.observations.append(
                    Observation(
                        parsed.format,
                        f"{key}/obs/{index}",
                        version,
                        _when(when_text),
                        lon,
                        lat,
                        _kind(item.get("kind")),
                        str(item.get("notes") or ""),
                        tuple(p for p in [item.get("photo")] if p),
                        _level(item.get("sensitivity")),
                        key,
                        row=f"{row}.{index}",
                        raw=item,
                    )
                )

            _guard(parsed, f"{row}.{index}", item, build)
    return parsed


def read_odk_csv(data: bytes) -> Parsed:
    """The repeat CSV of a Central/Briefcase export (``<form>-obs.csv``): geopoints split into
    ``-Latitude``/``-Longitude`` columns, ``PARENT_KEY`` the submission, ``KEY`` the row."""
    parsed = Parsed("odk-csv")
    rows = _csv_rows(data)
    if not rows or "KEY" not in rows[0] or "location-Latitude" not in rows[0]:
        raise FormatError("no KEY and location-Latitude columns")
    for number, row in enumerate(rows, start=2):

        def build(row: dict[str, str] = row, number: int = number) -> None:
            lon, lat = _point(row.get("location-Longitude"), row.get("location-Latitude"))
            parent = row.get("PARENT_KEY", "")
            parsed.observations.append(
                Observation(
                    parsed.format,
                    row["KEY"],
                    row.get("Edits", "0")
                    + "|"
                    + hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:16],
                    _when(row.get("SubmissionDate") or row.get("start")),
                    lon,
                    lat,
                    _kind(row.get("kind")),
                    row.get("notes", ""),
                    tuple(p for p in [row.get("photo")] if p),
                    _level(row.get("sensitivity")),
                    parent.split("/")[0],
                    row=number,
                    raw=dict(row),
                )
            )

        _guard(parsed, number, dict(row), build)
    return parsed


# --- Mapeo / CoMapeo ---------------------------------------------------------------------------


def read_mapeo_geojson(data: bytes) -> Parsed:
    """A Mapeo/CoMapeo FeatureCollection: Points are observations (``docId`` or feature ``id``,
    versioned by ``updatedAt``/``_version``, ``deleted`` tombstones); LineStrings are tracks."""
    parsed = Parsed("mapeo-geojson")
    try:
        document = json.loads(data)
    except ValueError:
        raise FormatError("not JSON") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FormatError("not a FeatureCollection")
    for row, feature in enumerate(document.get("features") or [], start=1):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        key = str(props.get("docId") or feature.get("id") or "")
        version = str(props.get("updatedAt") or props.get("_version") or "")

        def build(
            feature: dict[str, Any] = feature,
            row: int = row,
            props: dict[str, Any] = props,
            geometry: dict[str, Any] = geometry,
            key: str = key,
            version: str = version,
        ) -> None:
            if not key:
                raise _Refuse("missing_key", "no docId or id")
            when = _when(props.get("createdAt") or props.get("_created"))
            if geometry.get("type") == "LineString":
                points = [_point(c[0], c[1]) for c in geometry.get("coordinates", [])]
                parsed.tracks.append(
                    Track(
                        parsed.format,
                        key,
                        version,
                        when,
                        points,
                        str(props.get("monitors", "")),
                        feature,
                    )
                )
                return
            coordinates = geometry.get("coordinates") or [None, None]
            lon, lat = _point(coordinates[0], coordinates[1])
            photos = tuple(a.get("url", "") for a in props.get("attachments") or []) or tuple(
                props.get("_photos") or ()
            )
            parsed.observations.append(
                Observation(
                    parsed.format,
                    key,
                    version,
                    when,
                    lon,
                    lat,
                    _kind(props.get("categoryId") or props.get("type")),
                    str(props.get("notes") or ""),
                    photos,
                    _level(props.get("sensitivity")),
                    str(props.get("trackId") or ""),
                    deleted=bool(props.get("deleted")),
                    row=row,
                    raw=feature,
                )
            )

        _guard(parsed, row, feature, build)
    return parsed


# --- SMART -------------------------------------------------------------------------------------

SMART_NS = "{http://www.smartconservationsoftware.org/xml/1.3/patrol}"


def read_smart_xml(data: bytes, conservation_area: str = "") -> Parsed:
    """SMART patrol XML (1.3). SMART has no stable observation id: the key is a documented hash
    of (conservation area, patrol id, waypoint id, category key, position in the waypoint)."""
    parsed = Parsed("smart-xml")
    try:
        root = ET.fromstring(data)  # noqa: S314 - stdlib parser does not resolve external entities
    except ET.ParseError:
        raise FormatError("not XML") from None
    if not root.tag.endswith("patrol"):
        raise FormatError("not a SMART patrol")
    patrol_id = root.get("id", "")
    members = ", ".join(
        f"{m.get('givenName', '')} {m.get('familyName', '')}".strip()
        for m in root.iter(f"{SMART_NS}members")
    )
    version = hashlib.sha256(data).hexdigest()[:16]
    points: list[tuple[float, float]] = []
    first: dt.datetime | None = None
    for waypoint in root.iter(f"{SMART_NS}waypoints"):
        wid = waypoint.get("id", "")
        try:
            x, y = _point(waypoint.get("x"), waypoint.get("y"))
            when = _when(waypoint.get("time"))
        except _Refuse as refused:
            parsed.rejected.append(
                Rejected(parsed.format, wid, refused.reason, refused.detail, dict(waypoint.attrib))
            )
            continue
        points.append((x, y))
        first = first or when
        for seq, observation in enumerate(waypoint.iter(f"{SMART_NS}observations"), start=1):
            category = observation.get("categoryKey", "")
            key = hashlib.md5(
                f"{conservation_area}_{patrol_id}_{wid}_{category}_{seq}".encode(),
                usedforsecurity=False,
            ).hexdigest()
            notes = " ".join(
                a.get("sValue", "")
                for a in observation.iter(f"{SMART_NS}attributes")
                if a.get("sValue")
            )

            def build(
                category: str = category,
                key: str = key,
                notes: str = notes,
                x: float = x,
                y: float = y,
                when: dt.datetime = when,
                wid: str = wid,
                seq: int = seq,
            ) -> None:
                kind = _kind(category.split(".")[-1])
                parsed.observations.append(
                    Observation(
                        parsed.format,
                        key,
                        version,
                        when,
                        x,
                        y,
                        kind,
                        notes,
                        (),
                        "table",
                        patrol_id,
                        row=f"{wid}.{seq}",
                        raw={"categoryKey": category},
                    )
                )

            _guard(parsed, f"{wid}.{seq}", {"categoryKey": category}, build)
    if points and first is not None:
        parsed.tracks.append(
            Track(
                parsed.format,
                f"{conservation_area}_{patrol_id}",
                version,
                first,
                points,
                members,
                {"id": patrol_id},
            )
        )
    return parsed


READERS = {
    "kobo-json": read_kobo_json,
    "kobo-csv": read_kobo_csv,
    "odk-json": read_odk_json,
    "odk-csv": read_odk_csv,
    "mapeo-geojson": read_mapeo_geojson,
    "smart-xml": read_smart_xml,
}


def detect(data: bytes, filename: str = "") -> str:
    """Guess the format from the file's content (its name only breaks ties)."""
    head = data[:4096].lstrip()
    if head.startswith(b"<"):
        return "smart-xml"
    if head.startswith((b"{", b"[")):
        try:
            document = json.loads(data)
        except ValueError:
            raise FormatError("unreadable JSON") from None
        if isinstance(document, dict) and document.get("type") == "FeatureCollection":
            return "mapeo-geojson"
        if isinstance(document, dict) and "value" in document:
            return "odk-json"
        if (isinstance(document, dict) and "results" in document) or isinstance(document, list):
            return "kobo-json"
        raise FormatError("JSON of no known tool")
    first_line = data.decode("utf-8-sig", errors="replace").splitlines()[0] if data else ""
    if "location-Latitude" in first_line and "KEY" in first_line:
        return "odk-csv"
    if "obs/location" in first_line:
        return "kobo-csv"
    raise FormatError(f"{filename or 'the file'} is not an export minga knows")


def parse(data: bytes, fmt: str | None = None, filename: str = "") -> Parsed:
    fmt = fmt or detect(data, filename)
    if fmt not in READERS:
        raise FormatError(f"unknown format {fmt}")
    return READERS[fmt](data)
