"""Field-tool exports as they really are, read into records. Pure: no Django.

A reader turns a tool's file or API answer into :class:`Export`: its records (a submission, a
document, a repeat row) with their fields flattened to ``group/question`` paths, the tool's own
identity and edit rules (``key``, ``previous``, ``deleted``), the submission time and the media.
Readers know nothing of minga's observation kinds or of any form: which field says when, where
and what is decided by a mapping (``monitoring.mapping``), proposed from the fields and confirmed
by a person. ``docs/formats.md`` describes each reader; ``../shared/FORMATS.md`` gathers what is
known of the tools.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET  # the stdlib parser resolves no external entities
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

FORMATS = (
    "kobo-json",
    "kobo-csv",
    "kobo-xlsx",
    "odk-json",
    "odk-csv",
    "comapeo-json",
    "mapeo-json",
    "geojson",
    "smart-xml",
    "gfw-json",
)
# What a person may name when the content cannot tell (older names kept for the command line).
FORMAT_ALIASES = {"mapeo-geojson": "geojson"}
# Values the tools write for "no answer" in CSV and spreadsheet exports.
PLACEHOLDERS = frozenset({"", "n/a", "NA", "N/A", "null", "None"})
# Nesting deeper than this is not a field export (and would exhaust Python's stack).
MAX_DEPTH = 64
SUBMISSION = "$submitted"  # the virtual field holding a record's server receipt time


class FormatError(ValueError):
    """The file is not in the named (or any known) format: ``code`` says which way (for a
    message in the reader's language), ``str`` the detail in English."""

    def __init__(self, detail: str, code: str = "unknown") -> None:
        super().__init__(detail)
        self.code = code


@dataclass
class Media:
    name: str
    url: str = ""
    type: str = ""


@dataclass
class Record:
    """One submission, document or repeat row, as the tool wrote it."""

    row: str
    key: str
    fields: dict[str, Any]
    level: str = ""
    parent: str = ""
    submitted_at: str = ""
    previous: str = ""
    deleted: bool = False
    media: list[Media] = field(default_factory=list)
    raw: Any = None
    # Where the tool says which copy is newer: ``edits|time`` (see ``revision``, ``older``).
    revision: str = ""


@dataclass
class Export:
    format: str
    signature: str
    records: list[Record] = field(default_factory=list)
    # Category codes with their names per language, where the source gives them.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Names of the choices of select questions, per field, where the source gives them.
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[tuple[str, str, str, Any]] = field(default_factory=list)  # row, reason, detail
    notes: list[str] = field(default_factory=list)
    # Whose identity rules the keys follow: the same record read from a tool's JSON, CSV or
    # spreadsheet export, or pulled from its server, is one record (``kobo``, ``odk``, ``comapeo``…).
    tool: str = ""

    def __post_init__(self) -> None:
        self.tool = self.tool or self.format.split("-", 1)[0]

    def levels(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.records:
            counts[record.level] = counts.get(record.level, 0) + 1
        return counts


# --- helpers -----------------------------------------------------------------------------------


def revision(edits: Any = None, changed: Any = None) -> str:
    """A record's place among its own copies: how many times it was edited (ODK's ``Edits``)
    and when it last changed (ODK's ``updatedAt``, CoMapeo's ``updatedAt``), either may be
    missing."""
    count = str(edits).strip() if edits not in (None, "") else ""
    return f"{count if count.isdigit() else ''}|{changed or ''}" if count or changed else ""


def older(incoming: str, stored: str) -> bool:
    """Whether ``incoming`` is a copy the tool had already replaced by ``stored``: fewer edits,
    or the same edits (or no count) and an earlier change time. Unknown is never older."""
    if not incoming or not stored:
        return False
    edits_in, _sep, time_in = incoming.partition("|")
    edits_st, _sep, time_st = stored.partition("|")
    if edits_in and edits_st and edits_in != edits_st:
        return int(edits_in) < int(edits_st)
    when_in, when_st = _instant(time_in), _instant(time_st)
    return when_in is not None and when_st is not None and when_in < when_st


def _instant(text: str) -> dt.datetime | None:
    try:
        found = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise FormatError("nested too deeply to be a field export", "deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"not JSON ({exc})", "json") from None


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON: keep them as text so nothing downstream sees a float NaN.
    return name


def _depth_ok(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth_ok(v, depth + 1) for v in value)
    return True


def clean(value: Any) -> Any:
    """A value with placeholders as None and text stripped of surrounding blanks."""
    if isinstance(value, str):
        text = value.strip()
        return None if text in PLACEHOLDERS else text
    return value


def flatten(value: dict[str, Any], prefix: str = "", sep: str = "/") -> dict[str, Any]:
    """Nested groups to ``group/question`` paths; lists of objects are left for repeats."""
    out: dict[str, Any] = {}
    for name, item in value.items():
        path = f"{prefix}{sep}{name}" if prefix and not str(name).startswith(prefix + sep) else name
        if isinstance(item, dict) and item and "type" not in item and "coordinates" not in item:
            out.update(flatten(item, path, sep))
        else:
            out[path] = item
    return out


def _is_repeat(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_media_list(value: list[Any]) -> bool:
    return all(isinstance(v, dict) and ("url" in v or "download_url" in v) for v in value)


def _nested(
    export: Export, record: Record, fields: dict[str, Any], depth: int = 0
) -> dict[str, Any]:
    """Split repeats (lists of objects) out of ``fields`` into child records, recursively; each
    child carries its parent's plain fields too (a repeat row is read with its submission)."""
    plain = {k: v for k, v in fields.items() if not (_is_repeat(v) and not _is_media_list(v))}
    for name, items in fields.items():
        if name in plain:
            continue
        # Kobo's repeat keys carry their full path already (``demo/hobbies_list``).
        level = (
            name
            if not record.level or name.startswith(record.level + "/")
            else f"{record.level}/{name}"
        )
        # A row's key names its repeat and its place in its submission, as ODK's ``KEY`` and
        # Kobo's repeat sheets do: the same row read from JSON, CSV or XLSX is one record.
        own_name = name.rsplit("/", 1)[-1]
        for index, item in enumerate(items, start=1):
            child_fields = flatten(item, name)
            child = Record(
                row=f"{record.row}.{name}[{index}]",
                key=f"{record.key}/{own_name}[{index}]",
                fields={},
                level=level,
                parent=record.key,
                submitted_at=record.submitted_at,
                previous=f"{record.previous}/{own_name}[{index}]" if record.previous else "",
                deleted=record.deleted,
                revision=record.revision,
                media=record.media,
                raw=item,
            )
            own = _nested(export, child, child_fields, depth + 1)
            child.fields = {**plain, **own}
            export.records.append(child)
    return plain


class _Semicolon(csv.excel):
    delimiter = ";"


def _is_utf8(data: bytes, step: int = 1 << 20) -> bool:
    """Whether ``data`` is UTF-8, checked a megabyte at a time (no copy of a large file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), step):
            decoder.decode(view[start : start + step])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text(data: bytes) -> io.TextIOWrapper:
    """A CSV export's text, decoded as it is read: UTF-8 (with or without a byte-order mark),
    else Latin-1 (older spreadsheet exports). Neither the whole text nor a copy of it is ever
    held (``io.StringIO`` would keep four bytes per character)."""
    encoding = "utf-8-sig" if _is_utf8(data) else "latin-1"
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def _first_line(data: bytes) -> str:
    head = data[:8192]
    text = head.decode("utf-8-sig", "ignore") if _is_utf8(data) else head.decode("latin-1")
    return text.split("\n", 1)[0].rstrip("\r")


def _csv_rows(data: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    text = _text(data)
    first = text.readline()
    # Kobo offers "," or ";": the header's most common separator (labels may hold commas).
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    dialect: Any = csv.excel
    if counts[";"] > counts[","] or counts["\t"] > counts[","]:
        dialect = csv.excel_tab if counts["\t"] > counts[";"] else _Semicolon
    reader = csv.reader(itertools.chain([first], text), dialect=dialect)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FormatError("empty file", "empty") from None
    except csv.Error as exc:
        raise FormatError(f"not CSV ({exc})", "csv") from None
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            rows.append({h: clean(v) for h, v in zip(header, values, strict=False)})
    except csv.Error as exc:
        raise FormatError(f"not CSV ({exc})", "csv") from None
    return header, rows


def _geojson_point(lat: Any, lon: Any) -> dict[str, Any] | None:
    if lat in (None, "") or lon in (None, ""):
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


SPLIT = (
    re.compile(r"^(?P<base>.+)-Latitude$"),  # ODK Central / Briefcase
    re.compile(r"^_(?P<base>.+)_latitude$"),  # KoboToolbox
)
TRUTHY = frozenset({"true", "1", "yes", "sí", "si", "sim"})
BOOLEAN = TRUTHY | frozenset({"false", "0", "no", "não", "nao"})


def assemble(header: Iterable[str], row: dict[str, Any]) -> dict[str, Any]:
    """Put split geopoints back together and gather select_multiple choice columns.

    ``location-Latitude``/``-Longitude`` (ODK) and ``_location_latitude``/``_longitude`` (Kobo)
    become one GeoJSON point field ``location`` (Kobo also keeps the whole ``location``: that one
    is the form's own answer and is kept); ``toppings/cheese`` True/False columns become
    ``toppings`` = the chosen choices."""
    names = list(header)
    out = dict(row)
    for name in names:
        for pattern in SPLIT:
            found = pattern.match(name)
            if not found:
                continue
            base = found.group("base")
            lon_name = f"{base}-Longitude" if name.endswith("-Latitude") else f"_{base}_longitude"
            if lon_name not in row:
                continue
            point = _geojson_point(row.get(name), row.get(lon_name))
            target = base if base not in row else f"{base} (columns)"
            out[target] = point
            for part in (name, lon_name):
                out.pop(part, None)
            for extra in ("-Altitude", "-Accuracy", "_altitude", "_precision"):
                out.pop(f"{base}{extra}" if extra[0] == "-" else f"_{base}{extra}", None)
    groups: dict[str, list[str]] = {}
    for name in names:
        if "/" in name and not re.search(r"\[\d+\]", name):
            groups.setdefault(name.rsplit("/", 1)[0], []).append(name)
    for base, columns in groups.items():
        if len(columns) < 2 or base in row:
            continue
        values = [row.get(c) for c in columns]
        if all(v is None or str(v).strip().lower() in BOOLEAN for v in values):
            if all(v is None for v in values):
                out[base] = None
            else:
                out[base] = [
                    c.rsplit("/", 1)[1]
                    for c, v in zip(columns, values, strict=True)
                    if v is not None and str(v).strip().lower() in TRUTHY
                ]
            for column in columns:
                out.pop(column, None)
    return out


def _signature(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _header_signature(fmt: str, header: Iterable[str]) -> str:
    return f"{fmt}:{_signature(sorted(set(header)))}"


def _kobo_media(attachments: Any) -> list[Media]:
    found = []
    for item in attachments if isinstance(attachments, list) else []:
        if isinstance(item, dict):
            name = str(item.get("filename") or item.get("media_file_basename") or "")
            found.append(
                Media(
                    name.rsplit("/", 1)[-1],
                    str(item.get("download_url") or item.get("download_large_url") or ""),
                    str(item.get("mimetype") or ""),
                )
            )
    return found


# --- KoboToolbox -------------------------------------------------------------------------------


def read_kobo_json(data: bytes) -> Export:
    """API v2 ``data.json`` (``count/next/results``) or a bare list of submissions.

    Identity: ``meta/instanceID`` changes on every edit and ``meta/deprecatedID`` names the
    instance it replaces (``meta/rootUuid`` is not reliable for this: edited records carry their
    new id there). The submission time ``_submission_time`` is UTC without a zone."""
    document = _json(data)
    results = document.get("results") if isinstance(document, dict) else document
    if not isinstance(results, list):
        raise FormatError("no list of submissions (results)", "records")
    return kobo_records(results)


def kobo_records(results: list[Any]) -> Export:
    export = Export("kobo-json", "")
    for number, item in enumerate(results, start=1):
        row = str(number)
        if not isinstance(item, dict):
            export.problems.append(
                (row, "not_a_record", f"{type(item).__name__}, not an object", item)
            )
            continue
        if not _depth_ok(item):
            export.problems.append((row, "not_a_record", "nested too deeply", None))
            continue
        key = str(item.get("meta/instanceID") or "")
        if not key and item.get("_uuid"):
            key = f"uuid:{item['_uuid']}"
        if not key:
            export.problems.append((row, "missing_key", "no meta/instanceID or _uuid", item))
            continue
        export.signature = export.signature or f"kobo:{item.get('_xform_id_string') or ''}"
        record = Record(
            row=row,
            key=key,
            fields={},
            submitted_at=str(item.get("_submission_time") or ""),
            previous=str(item.get("meta/deprecatedID") or ""),
            media=_kobo_media(item.get("_attachments")),
            raw=item,
        )
        fields = flatten({k: v for k, v in item.items() if k != "_attachments"})
        geolocation = fields.pop("_geolocation", None)
        if isinstance(geolocation, list) and len(geolocation) == 2 and None not in geolocation:
            fields["_geolocation"] = _geojson_point(geolocation[0], geolocation[1])
        fields[SUBMISSION] = record.submitted_at
        record.fields = _nested(export, record, fields)
        export.records.append(record)
    export.signature = export.signature or "kobo:"
    return export


LANGUAGE_CODE = re.compile(r"\(([A-Za-z]{2,3})\)\s*$")


def kobo_choice_labels(asset: dict[str, Any], question: str) -> dict[str, dict[str, str]]:
    """The names of a select question's choices in each of the form's languages, from a
    KoboToolbox asset (``content``: ``survey`` rows naming their ``select_from_list_name``,
    ``choices`` with one ``label`` per entry of ``translations`` such as "Español (es)")."""
    content: dict[str, Any] = asset["content"] if isinstance(asset.get("content"), dict) else {}
    name = question.rsplit("/", 1)[-1]
    listed = ""
    for row in content.get("survey") or []:
        if isinstance(row, dict) and name in (row.get("name"), row.get("$autoname")):
            kind = str(row.get("type") or "")
            listed = str(row.get("select_from_list_name") or "") or kind.partition(" ")[2]
            break
    if not listed:
        return {}
    languages = []
    for position, translation in enumerate(content.get("translations") or [None]):
        found = LANGUAGE_CODE.search(str(translation or ""))
        languages.append(found.group(1).lower() if found else ("und" if position == 0 else ""))
    labels: dict[str, dict[str, str]] = {}
    for choice in content.get("choices") or []:
        if not isinstance(choice, dict) or choice.get("list_name") != listed:
            continue
        texts = choice.get("label")
        texts = texts if isinstance(texts, list) else [texts]
        names = {
            lang: str(text) for lang, text in zip(languages, texts, strict=False) if lang and text
        }
        if choice.get("name") and names:
            labels[str(choice["name"])] = names
    return labels


def xlsform_choice_labels(data: bytes, question: str) -> dict[str, dict[str, str]]:
    """The names of a select question's choices in each language of an XLSForm (the form ODK
    Central gives back as ``.xlsx``): ``label::Español (es)`` columns, or ``label``."""
    # openpyxl is loaded only for spreadsheets.
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # not a workbook: no names, the codes are shown
        return {}
    sheets = {sheet.title.lower(): list(sheet.iter_rows(values_only=True)) for sheet in book}
    book.close()
    survey, choices = sheets.get("survey") or [], sheets.get("choices") or []
    if not survey or not choices:
        return {}
    head = [str(h or "").strip() for h in survey[0]]
    listed = ""
    name = question.rsplit("/", 1)[-1].rsplit("-", 1)[-1]
    for row in survey[1:]:
        values = dict(zip(head, row, strict=False))
        kind = str(values.get("type") or "")
        if str(values.get("name") or "") == name and kind.startswith("select_"):
            listed = kind.split()[-1]
            break
    if not listed:
        return {}
    head = [str(h or "").strip() for h in choices[0]]
    columns = []
    for position, title in enumerate(head):
        if title == "label" or title.startswith("label::"):
            found = LANGUAGE_CODE.search(title)
            columns.append((position, found.group(1).lower() if found else "und"))
    labels: dict[str, dict[str, str]] = {}
    for row in choices[1:]:
        values = dict(zip(head, row, strict=False))
        if str(values.get("list_name") or "") != listed or not values.get("name"):
            continue
        names = {lang: str(row[pos]) for pos, lang in columns if pos < len(row) and row[pos]}
        if names:
            labels[str(values["name"])] = names
    return labels


def read_kobo_csv(data: bytes) -> Export:
    """A KoboToolbox CSV export (either separator; ``/`` or ``-`` in group names; geopoints whole
    and/or split into ``_x_latitude`` columns; ``n/a`` placeholders; select_multiple as one
    column or one column per choice; repeats laid out wide as ``repeat[1]/question``)."""
    header, rows = _csv_rows(data)
    return _kobo_table(header, rows, "kobo-csv")


def _kobo_table(header: list[str], rows: list[dict[str, Any]], fmt: str) -> Export:
    export = Export(fmt, _header_signature("kobo", header))
    for number, row in enumerate(rows, start=2):
        if row.get("_submission__uuid"):  # a repeat's own sheet or CSV: its submission, its index
            key = f"uuid:{row['_submission__uuid']}/{row.get('_index') or number}"
        else:
            key = str(row.get("meta/instanceID") or row.get("meta-instanceID") or "")
        if not key and row.get("_uuid"):
            key = f"uuid:{row['_uuid']}"
        if not key:
            export.problems.append((str(number), "missing_key", "no meta/instanceID or _uuid", row))
            continue
        fields = assemble(header, row)
        submitted = str(
            row.get("_submission_time") or row.get("_submission__submission_time") or ""
        )
        fields[SUBMISSION] = submitted
        export.records.append(
            Record(
                row=str(number),
                key=key,
                fields=fields,
                submitted_at=submitted,
                previous=str(row.get("meta/deprecatedID") or ""),
                raw=row,
            )
        )
    return export


def read_kobo_xlsx(data: bytes) -> Export:
    """A KoboToolbox XLSX export: the first sheet holds the submissions, each further sheet a
    repeat group whose rows point at their submission by ``_parent_index`` = its ``_index``."""
    # openpyxl is loaded only for spreadsheet exports.
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise FormatError(f"not an XLSX workbook ({type(exc).__name__})", "xlsx") from None
    sheets = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            continue
        header = [str(h or "").strip() for h in values[0]]
        rows = [
            {h: clean(_cell(v)) for h, v in zip(header, line, strict=False) if h}
            for line in values[1:]
            if any(v not in (None, "") for v in line)
        ]
        sheets.append((sheet.title, header, rows))
    book.close()
    if not sheets:
        raise FormatError("an empty workbook", "empty")
    title, header, rows = sheets[0]
    export = _kobo_table(header, rows, "kobo-xlsx")
    by_index = {
        str(r.raw.get("_index")): r for r in export.records if r.raw.get("_index") is not None
    }
    for title, header, rows in sheets[1:]:
        places: dict[str, int] = {}
        for number, row in enumerate(rows, start=2):
            parent = by_index.get(str(row.get("_parent_index")))
            if parent is None:
                export.problems.append(
                    (f"{title}:{number}", "orphan_row", "no submission with its _parent_index", row)
                )
                continue
            fields = {**parent.fields, **assemble(header, row)}
            places[parent.key] = places.get(parent.key, 0) + 1
            export.records.append(
                Record(
                    row=f"{title}:{number}",
                    # The sheet is named after the repeat; the place is within the submission.
                    key=f"{parent.key}/{title}[{places[parent.key]}]",
                    fields=fields,
                    level=title,
                    parent=parent.key,
                    submitted_at=parent.submitted_at,
                    raw=row,
                )
            )
    return export


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if value is None or isinstance(value, str) else str(value)


# --- ODK Central -------------------------------------------------------------------------------


def read_odk_json(data: bytes) -> Export:
    """OData ``Submissions`` (``value`` list; ``$expand=*`` nests repeats). ``__id`` is the
    instanceID and stays the submission's id across edits; ``__system/updatedAt`` says when it
    last changed; geopoints are GeoJSON."""
    document = _json(data)
    values = document.get("value") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise FormatError("no OData value list", "records")
    context = str(document.get("@odata.context") or "")
    export = Export("odk-json", f"odk:{context.split('$metadata')[0]}" if context else "")
    for number, item in enumerate(values, start=1):
        row = str(number)
        if not isinstance(item, dict) or not _depth_ok(item):
            export.problems.append((row, "not_a_record", "not an OData entity", None))
            continue
        key = str(item.get("__id") or "")
        if not key:
            export.problems.append((row, "missing_key", "no __id", item))
            continue
        system: dict[str, Any] = item["__system"] if isinstance(item.get("__system"), dict) else {}
        submitted = str(system.get("submissionDate") or "")
        fields = flatten({k: v for k, v in item.items() if k not in ("__system", "__id")})
        fields[SUBMISSION] = submitted
        fields["__system/submitterName"] = system.get("submitterName")
        record = Record(
            row=row,
            key=key,
            fields={},
            submitted_at=submitted,
            deleted=bool(system.get("deletedAt")),
            raw=item,
            revision=revision(system.get("edits"), system.get("updatedAt") or submitted),
        )
        record.fields = _nested(export, record, fields)
        export.records.append(record)
    if not export.signature:
        names = sorted({n for r in export.records if not r.level for n in r.fields})
        export.signature = _header_signature("odk", names)
    return export


KEY_LEVEL = re.compile(r"/([^/\[\]]+)\[\d+\]$")


def read_odk_csv(data: bytes, name: str = "") -> Export:
    """One CSV of a Central or Briefcase export: the submissions (``KEY``, ``SubmissionDate``)
    or a repeat table (``PARENT_KEY``, ``KEY`` = ``uuid:…/repeat[n]``)."""
    return read_odk_csvs([(name, data)])


def read_odk_csvs(files: list[tuple[str, bytes]]) -> Export:
    """The CSVs of one ODK export together (Central's zip): repeat rows are joined to their
    submission by ``PARENT_KEY``, so a repeat row is read with its submission's date and
    submitter."""
    tables = []
    for name, data in files:
        header, rows = _csv_rows(data)
        if "KEY" not in header:
            raise FormatError(f"{name or 'the CSV'} has no KEY column", "csv")
        tables.append((name, header, rows))
    # Parents first: a repeat table may itself hold the parents of a nested repeat.
    tables.sort(key=lambda t: ("PARENT_KEY" in t[1], t[0].count("-")))
    main = [t for t in tables if "PARENT_KEY" not in t[1]]
    signature = _header_signature("odk", main[0][1] if main else tables[0][1])
    export = Export("odk-csv", signature)
    known: dict[str, Record] = {}
    for name, header, rows in tables:
        stem = name.rsplit("/", 1)[-1].removesuffix(".csv")
        for number, row in enumerate(rows, start=2):
            where = f"{stem}:{number}" if len(tables) > 1 else str(number)
            key = str(row.get("KEY") or "")
            if not key:
                export.problems.append((where, "missing_key", "no KEY", row))
                continue
            fields = assemble(header, row)
            parent_key = str(row.get("PARENT_KEY") or "")
            parent = known.get(parent_key)
            level = ""
            if parent_key:
                found = KEY_LEVEL.search(key)
                level = found.group(1) if found else stem
                if parent is not None:
                    fields = {**parent.fields, **fields}
            submitted = str(row.get("SubmissionDate") or (parent.submitted_at if parent else ""))
            fields.setdefault(SUBMISSION, submitted)
            if parent_key and parent is None:
                fields[SUBMISSION] = submitted
            record = Record(
                row=where,
                key=key,
                fields=fields,
                level=level,
                parent=parent_key,
                submitted_at=submitted,
                raw=row,
                # Central's CSV counts edits; Briefcase's has no such column.
                revision=revision(row.get("Edits") or (parent.raw.get("Edits") if parent else "")),
            )
            known[key] = record
            export.records.append(record)
    return export


# --- CoMapeo and Mapeo -------------------------------------------------------------------------


def category_of(tags: Any) -> str:
    """A CoMapeo category as the path of its tag hierarchy: ``type: nature`` → ``nature:
    wildlife`` → ``wildlife: animal`` is ``nature/wildlife/animal``."""
    if not isinstance(tags, dict):
        return ""
    path: list[str] = []
    value = tags.get("type")
    while isinstance(value, str) and value and value not in path and len(path) < 8:
        path.append(value)
        value = tags.get(value)
    if path:
        return "/".join(path)
    legacy = tags.get("categoryId")
    return str(legacy) if isinstance(legacy, str) else ""


def _comapeo_media(attachments: Any) -> list[Media]:
    found = []
    for item in attachments if isinstance(attachments, list) else []:
        if isinstance(item, dict):
            url = str(item.get("url") or "")
            name = str(item.get("name") or item.get("driveDiscoveryId") or url.rsplit("/", 1)[-1])
            found.append(Media(name, url, str(item.get("type") or "")))
    return found


def read_comapeo_json(data: bytes) -> Export:
    """CoMapeo archive-server answers (``{"data": [...]}`` of observation, track, preset or
    field documents) and CoMapeo/Mapeo category configs.

    Identity: ``docId``, versions by ``versionId`` (``links`` name the versions it replaces),
    ``deleted: true`` is a tombstone. The category is the document's tag hierarchy (or its
    preset); presets and category configs give the categories' names, field documents the
    names of fields and choices."""
    document = _json(data)
    if isinstance(document, dict) and "data" in document:
        docs = document["data"]
        docs = docs if isinstance(docs, list) else [docs]
    elif isinstance(document, dict) and "tags" in document and "name" in document:
        docs = [{**document, "schemaName": "preset"}]
    else:
        raise FormatError("no CoMapeo data list", "records")
    export = Export("comapeo-json", "comapeo")
    presets: dict[str, str] = {}
    for number, doc in enumerate(docs, start=1):
        row = str(number)
        if not isinstance(doc, dict) or not _depth_ok(doc):
            export.problems.append((row, "not_a_record", "not a CoMapeo document", None))
            continue
        schema = doc.get("schemaName") or ("observation" if "lat" in doc else "")
        if schema == "preset":
            code = category_of(doc.get("tags"))
            if code and not doc.get("deleted"):
                export.labels.setdefault(code, {})["und"] = str(doc.get("name") or code)
                if doc.get("docId"):
                    presets[str(doc["docId"])] = code
            continue
        if schema == "field":
            if not doc.get("deleted"):
                tag = str(doc.get("tagKey") or "")
                export.choices[tag] = {
                    str(o.get("value")): str(o.get("label"))
                    for o in doc.get("options") or []
                    if isinstance(o, dict)
                }
                export.choices[tag]["$label"] = str(doc.get("label") or tag)
            continue
        if schema not in ("observation", "track"):
            export.notes.append(f"{row}: {schema or 'unknown'} document skipped")
            continue
        key = str(doc.get("docId") or "")
        if not key:
            export.problems.append((row, "missing_key", "no docId", doc))
            continue
        tags: dict[str, Any] = doc["tags"] if isinstance(doc.get("tags"), dict) else {}
        fields: dict[str, Any] = flatten(dict(tags))
        fields["$createdAt"] = doc.get("createdAt")
        fields["$updatedAt"] = doc.get("updatedAt")
        fields["$createdBy"] = doc.get("createdBy")
        preset = doc.get("presetRef")
        fields["$category"] = (
            presets.get(str(preset.get("docId"))) if isinstance(preset, dict) else None
        ) or category_of(tags)
        if schema == "observation":
            fields["$position"] = _geojson_point(doc.get("lat"), doc.get("lon"))
        else:
            locations = doc.get("locations") or []
            fields["$track"] = {
                "type": "LineString",
                "coordinates": [
                    [c.get("longitude"), c.get("latitude")]
                    for c in (loc.get("coords") or {} for loc in locations if isinstance(loc, dict))
                ],
            }
        export.records.append(
            Record(
                row=row,
                key=key,
                fields=fields,
                level="track" if schema == "track" else "",
                submitted_at=str(doc.get("updatedAt") or doc.get("createdAt") or ""),
                deleted=bool(doc.get("deleted")),
                media=_comapeo_media(doc.get("attachments")),
                raw=doc,
                revision=revision(changed=doc.get("updatedAt")),
            )
        )
    return export


def read_mapeo_json(data: bytes) -> Export:
    """Legacy Mapeo observations: a list of ``{id, lat, lon, created_at, attachments, tags}``."""
    document = _json(data)
    items = document.get("observations") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise FormatError("no list of Mapeo observations", "records")
    export = Export("mapeo-json", "mapeo")
    for number, item in enumerate(items, start=1):
        row = str(number)
        if not isinstance(item, dict) or not _depth_ok(item):
            export.problems.append((row, "not_a_record", "not a Mapeo observation", None))
            continue
        key = str(item.get("id") or "")
        if not key:
            export.problems.append((row, "missing_key", "no id", item))
            continue
        tags: dict[str, Any] = item["tags"] if isinstance(item.get("tags"), dict) else {}
        fields = flatten(dict(tags))
        fields["$position"] = _geojson_point(item.get("lat"), item.get("lon"))
        fields["$createdAt"] = item.get("created_at") or item.get("timestamp")
        fields["$category"] = category_of(tags)
        export.records.append(
            Record(
                row=row,
                key=key,
                fields=fields,
                submitted_at=str(item.get("created_at") or ""),
                deleted=bool(item.get("deleted")),
                media=[
                    Media(str(a.get("id") or ""), "", str(a.get("type") or ""))
                    for a in item.get("attachments") or []
                    if isinstance(a, dict)
                ],
                raw=item,
                revision=revision(changed=item.get("timestamp")),
            )
        )
    return export


def read_geojson(data: bytes) -> Export:
    """A GeoJSON FeatureCollection from Mapeo Desktop, CoMapeo's exporter or any GIS: each
    feature a record (Points observations, LineStrings tracks, Polygons areas); the feature's
    ``id`` (or ``docId``) its identity, ``_version``/``updatedAt`` its version, ``deleted`` a
    tombstone; CoMapeo's ``$category`` and ``attachment_N`` and Mapeo's ``_photos`` read."""
    document = _json(data)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FormatError("not a GeoJSON FeatureCollection", "records")
    features = document.get("features")
    if not isinstance(features, list):
        raise FormatError("its features are not a list", "records")
    export = Export("geojson", "")
    names: set[str] = set()
    for number, feature in enumerate(features, start=1):
        row = str(number)
        if not isinstance(feature, dict) or not _depth_ok(feature):
            export.problems.append(
                (
                    row,
                    "not_a_record",
                    "a feature that is not an object",
                    feature if isinstance(feature, (int, float, str)) else None,
                )
            )
            continue
        props = feature.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            export.problems.append(
                (row, "not_a_record", "properties that are not an object", feature)
            )
            continue
        key = str(props.get("docId") or feature.get("id") or props.get("id") or "")
        if not key:
            export.problems.append((row, "missing_key", "no feature id or docId", feature))
            continue
        geometry = feature.get("geometry") if isinstance(feature.get("geometry"), dict) else None
        media: list[Media] = []
        plain: dict[str, Any] = {}
        for name, value in props.items():
            if re.fullmatch(r"attachment_\d+", str(name)) and isinstance(value, str):
                media.append(Media(value.rsplit("/", 1)[-1], value))
            elif name == "_photos" and isinstance(value, list):
                media += [Media(str(p).rsplit("/", 1)[-1], str(p)) for p in value]
            elif isinstance(value, list) and value and _is_media_list(value):
                media += [
                    Media(str(p.get("url")).rsplit("/", 1)[-1], str(p.get("url"))) for p in value
                ]
            else:
                plain[name] = value
        fields = flatten(plain)
        fields["$geometry"] = geometry
        if "$category" not in fields and isinstance(props.get("tags"), dict):
            fields["$category"] = category_of(props["tags"])
        names.update(fields)
        kind = geometry.get("type") if geometry else ""
        export.records.append(
            Record(
                row=row,
                key=key,
                fields=fields,
                level="track" if kind in ("LineString", "MultiLineString") else "",
                submitted_at=str(props.get("updatedAt") or props.get("_modified") or ""),
                deleted=bool(props.get("deleted")),
                media=media,
                raw=feature,
                revision=revision(changed=props.get("updatedAt")),
            )
        )
        if props.get("docId"):
            export.tool = "comapeo"  # CoMapeo's exporter: its docIds are the archive's
    export.signature = _header_signature("geojson", sorted(names))
    return export


# --- SMART -------------------------------------------------------------------------------------

SMART_NS = "{http://www.smartconservationsoftware.org/xml/1.3/patrol}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_smart_xml(data: bytes, conservation_area: str = "") -> Export:
    """A SMART patrol XML 1.3 export: patrol, legs (members), days (the date), waypoints (time of
    day and ``x`` = longitude, ``y`` = latitude) and their observations (a dotted ``categoryKey``
    and attributes). One record per observation element, its attributes as fields; the patrol's
    waypoints make its track. SMART has no stable observation id: the key is a documented hash of
    (conservation area, patrol id, waypoint id, category key, position in the waypoint)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise FormatError("XML with a document type declaration is refused", "xml")
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD (refused above), no external entities
    except ET.ParseError as exc:
        raise FormatError(f"not XML ({exc})", "xml") from None
    if _local(root.tag) != "patrol":
        raise FormatError("not a SMART patrol", "xml")
    area = conservation_area or root.get("conservationArea", "") or root.get("caUuid", "")
    patrol_id = root.get("id", "")
    export = Export("smart-xml", f"smart:{area}")
    members = ", ".join(
        sorted(
            {
                f"{m.get('givenName', '')} {m.get('familyName', '')}".strip()
                for m in root.iter()
                if _local(m.tag) == "members"
            }
        )
    )
    patrol_fields = {
        "patrol/id": patrol_id,
        "patrol/type": root.get("patrolType"),
        "patrol/members": members,
        "patrol/startDate": root.get("startDate"),
    }
    track: list[list[Any]] = []
    for day in (e for e in root.iter() if _local(e.tag) == "days"):
        date = day.get("date", "")
        for waypoint in (e for e in day.iter() if _local(e.tag) == "waypoints"):
            wid = waypoint.get("id", "")
            time = waypoint.get("time", "")
            when = f"{date}T{time}" if date and time and "T" not in time else (time or date)
            observations = [e for e in waypoint.iter() if _local(e.tag) == "observations"]
            try:
                x, y = float(waypoint.get("x", "")), float(waypoint.get("y", ""))
                if not (-180 <= x <= 180 and -90 <= y <= 90):
                    raise ValueError
            except ValueError:
                export.problems.append(
                    (
                        f"waypoint {wid}",
                        "bad_coordinates",
                        f"longitude {waypoint.get('x')}, latitude {waypoint.get('y')}",
                        dict(waypoint.attrib),
                    )
                )
                continue
            position = _geojson_point(y, x)
            track.append([x, y])
            for seq, observation in enumerate(observations, start=1):
                category = observation.get("categoryKey", "")
                key = hashlib.md5(
                    f"{area}_{patrol_id}_{wid}_{category}_{seq}".encode(), usedforsecurity=False
                ).hexdigest()
                fields: dict[str, Any] = {
                    **patrol_fields,
                    "waypoint/id": wid,
                    "waypoint/time": when,
                    "waypoint/position": position,
                    "category": category.rstrip("."),
                }
                for attribute in (e for e in observation.iter() if _local(e.tag) == "attributes"):
                    name = attribute.get("attributeKey", "")
                    value = next(
                        (
                            attribute.get(k)
                            for k in ("itemKey", "sValue", "dValue", "bValue")
                            if attribute.get(k) is not None
                        ),
                        None,
                    )
                    if name:
                        fields[f"attributes/{name}"] = value
                export.records.append(
                    Record(
                        row=f"{wid}.{seq}",
                        key=key,
                        fields=fields,
                        level="observation",
                        parent=f"{area}_{patrol_id}",
                        raw=dict(observation.attrib),
                    )
                )
    export.records.insert(
        0,
        Record(
            row="patrol",
            key=f"{area}_{patrol_id}",
            fields={**patrol_fields, "patrol/track": {"type": "LineString", "coordinates": track}},
            submitted_at="",
            raw={"id": patrol_id},
        ),
    )
    return export


# --- Global Forest Watch -----------------------------------------------------------------------

GFW_PRODUCTS = {
    "gfw_integrated_alerts": "integrated",
    "umd_glad_landsat_alerts": "glad-l",
    "umd_glad_sentinel2_alerts": "glad-s2",
    "wur_radd_alerts": "radd",
    "nasa_viirs_fire_alerts": "viirs",
}


def read_gfw_json(data: bytes, product: str = "") -> Export:
    """A GFW Data API query answer (``{"data": [...], "status": "success"}``) of located alerts:
    ``latitude``/``longitude`` and the product's ``<product>__date`` and ``__confidence``
    (VIIRS: ``alert__date``, ``confidence__cat``). The key is (product, date, position)."""
    document = _json(data)
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise FormatError("no GFW data list", "records")
    if document.get("status") not in (None, "success"):
        raise FormatError(f"GFW answered {document.get('status')!r}", "records")
    export = Export("gfw-json", f"gfw:{product}")
    for number, item in enumerate(document["data"], start=1):
        row = str(number)
        if not isinstance(item, dict):
            export.problems.append((row, "not_a_record", "an alert that is not an object", None))
            continue
        date_name = next((k for k in item if k.endswith("__date")), "")
        confidence_name = next(
            (k for k in item if k.endswith("__confidence") or k == "confidence__cat"), ""
        )
        name = product or next(
            (p for p in GFW_PRODUCTS if date_name.startswith(p)), "gfw_integrated_alerts"
        )
        lat, lon = item.get("latitude"), item.get("longitude")
        fields = {
            "alert/date": item.get(date_name),
            "alert/position": _geojson_point(lat, lon),
            "alert/confidence": item.get(confidence_name),
            "alert/product": GFW_PRODUCTS.get(name, name),
            "category": f"gfw/{GFW_PRODUCTS.get(name, name)}",
        }
        export.records.append(
            Record(
                row=row,
                key=f"{GFW_PRODUCTS.get(name, name)}:{item.get(date_name)}:{lat}:{lon}",
                fields=fields,
                raw=item,
            )
        )
    return export


# --- detection ---------------------------------------------------------------------------------


ZIP_MEMBERS = 200
ZIP_TOTAL = 200 * 1024 * 1024  # what the members of one zip may unpack to, in all


def _zip_members(data: bytes) -> list[tuple[str, bytes]]:
    """The files of a zip, read with a running cap on what they unpack to (a zip bomb's
    declared sizes are not trusted); a damaged or encrypted zip is a FormatError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        if len(infos) > ZIP_MEMBERS:
            raise FormatError(f"more than {ZIP_MEMBERS} files in the zip", "zip")
        members, total = [], 0
        for info in infos:
            chunks = []
            with archive.open(info) as member:
                while chunk := member.read(1024 * 1024):
                    total += len(chunk)
                    if total > ZIP_TOTAL:
                        raise FormatError("the zip unpacks to more than the limit", "zip")
                    chunks.append(chunk)
            members.append((info.filename, b"".join(chunks)))
    except FormatError:
        raise
    except (zipfile.BadZipFile, RuntimeError, EOFError, OSError, ValueError) as exc:
        raise FormatError(f"a damaged or encrypted zip ({type(exc).__name__})", "zip") from None
    return members


def _zip_names(data: bytes) -> list[str]:
    try:
        return [i.filename for i in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    except (zipfile.BadZipFile, RuntimeError, EOFError, OSError, ValueError):
        raise FormatError("a damaged zip", "zip") from None


def detect(data: bytes, filename: str = "") -> str:
    """The format, from the content (the name only breaks ties)."""
    if data[:4] == b"PK\x03\x04":
        lowered = filename.lower()
        if lowered.endswith(".xlsx"):
            return "kobo-xlsx"
        names = _zip_names(data)
        if any(n.lower().endswith(".csv") for n in names):
            return "odk-csv"
        if any(n.endswith(("xl/workbook.xml",)) for n in names):
            return "kobo-xlsx"
        raise FormatError("a zip without CSV files", "zip")
    head = data[:4096].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith(b"<"):
        return "smart-xml"
    if head.startswith((b"{", b"[")):
        document = _json(data)
        if isinstance(document, dict):
            if document.get("type") == "FeatureCollection":
                return "geojson"
            if "value" in document:
                return "odk-json"
            if "results" in document:
                return "kobo-json"
            if isinstance(document.get("data"), list):
                first = next((d for d in document["data"] if isinstance(d, dict)), {})
                if any(k.endswith("__date") for k in first) or (
                    document.get("status") == "success" and "latitude" in first
                ):
                    return "gfw-json"
                return "comapeo-json"
            if "tags" in document and "name" in document:
                return "comapeo-json"
        if isinstance(document, list):
            head_record: dict[str, Any] = next((d for d in document if isinstance(d, dict)), {})
            if "tags" in head_record and ("lat" in head_record or "lon" in head_record):
                return "mapeo-json"
            return "kobo-json"
        raise FormatError("JSON of no known tool")
    first_line = _first_line(data)
    if "KEY" in re.split(r"[,;\t]", first_line) or "SubmissionDate" in first_line:
        return "odk-csv"
    if re.search(r"meta/instanceID|_uuid|_submission", first_line) or "/" in first_line:
        return "kobo-csv"
    raise FormatError(f"{filename or 'the file'} is not an export minga knows")


def read(data: bytes, fmt: str | None = None, filename: str = "") -> Export:
    """Read ``data`` as ``fmt`` (detected from the content when None)."""
    fmt = FORMAT_ALIASES.get(fmt or "", fmt) or detect(data, filename)
    if fmt == "odk-csv" and data[:4] == b"PK\x03\x04":
        members = [(n, d) for n, d in _zip_members(data) if n.lower().endswith(".csv")]
        if not members:
            raise FormatError("a zip without CSV files", "zip")
        return read_odk_csvs(members)
    readers: dict[str, Any] = {
        "kobo-json": read_kobo_json,
        "kobo-csv": read_kobo_csv,
        "kobo-xlsx": read_kobo_xlsx,
        "odk-json": read_odk_json,
        "odk-csv": lambda d: read_odk_csv(d, filename),
        "comapeo-json": read_comapeo_json,
        "mapeo-json": read_mapeo_json,
        "geojson": read_geojson,
        "smart-xml": read_smart_xml,
        "gfw-json": read_gfw_json,
    }
    if fmt not in readers:
        raise FormatError(f"unknown format {fmt}")
    try:
        export: Export = readers[fmt](data)
    except RecursionError:
        raise FormatError("nested too deeply to be a field export", "deep") from None
    return export
