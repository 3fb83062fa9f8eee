"""From a source's own fields to minga's observation: describe, propose, apply. Pure: no Django.

A community's form is its own: a survey with a ``location`` geopoint, a ``threats``
select_multiple, ``start``/``today``. :func:`describe` tells each field's kind from its values,
:func:`propose` guesses which field says when, where and what (a person confirms or changes it),
and :func:`apply` reads every record through that mapping into observations and tracks, refusing
only rows that cannot be an observation (no place, impossible coordinates, no date at all).
What the category *means* (mining, fire, …) is the table's vocabulary, applied by the services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from minga.monitoring.formats import SUBMISSION, Export, Record

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
# Words the tools' users (and their category trees) use, mapped to minga's kinds; a category
# code is matched by its most specific segment first (``humanactivity.timber.firewood``).
WORDS = {
    "illegal_logging": "illegal_logging logging logged tala tala_ilegal madera timber tree_felling"
    " desmatamento deforestation deforestacion chainsaw motosierra"
    # GFW's tree-cover-loss alerts: guessed as logging until the table says otherwise.
    " integrated glad-l glad-s2 radd",
    "mining": "mining mineria minera minero mina minas garimpo draga dredge gold oro",
    "hunting": "hunting caza caca hunt poaching trapping trap trampa snare",
    "fire": "fire fuego incendio incndio queimada quema burn burning wildfire viirs",
    "wildlife": "wildlife fauna animal animals animal_sighting tracks huellas",
    "boundary_mark": "boundary_mark hito boundary marco lindero",
    "sacred_site": "sacred_site sitio_sagrado sagrado sacred",
    "other": "other otro outro",
}
GUESS = {word: kind for kind, words in WORDS.items() for word in words.split()}
LEVEL_WORDS = {
    "public": {"public", "publico", "publica", "todos", "everyone"},
    "table": {"table", "mesa", "la_mesa", "a_mesa"},
}
MEDIA = re.compile(r"\.(jpe?g|png|webp|heic|gif|m4a|mp3|amr|3gp|ogg|oga|wav|aac|mp4|mov)$", re.I)
NUMBER = r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?"
DECIMAL = r"-?\d+\.\d+(?:[eE]-?\d+)?"
# "lat lon [alt [acc]]": coordinates always have decimals ("3 4" is a select_multiple answer).
GEOPOINT = re.compile(rf"^\s*({DECIMAL})\s+({DECIMAL})(?:\s+{NUMBER}){{0,2}}\s*$")
# Fields the tools add to every record; never a form's own answer.
SYSTEM = re.compile(
    r"^(_|__system/|formhub/|meta/|\$?updatedAt$|\$?modified|SubmissionDate$|SubmitterID$|KEY$|PARENT_KEY$|Status$|ReviewState$|Edits$|DeviceID$|FormVersion$|Attachments)"
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
CODE = re.compile(r"^[\w.\-/:]+$")

WHERE_NAMES = (
    "location", "ubicacion", "ubicación", "localizacion", "localización", "localizacao",
    "localização", "gps", "point", "punto", "ponto", "position", "coordinates", "coords",
    "geopoint", "lugar", "sitio",
)  # fmt: skip
WHEN_NAMES = (
    "start", "today", "date", "fecha", "data", "time", "observed", "created", "inicio", "hoy",
    "hora", "dia", "día",
)  # fmt: skip
WHAT_NAMES = (
    "$category", "category", "categoria", "categoría", "categoryid", "kind", "type", "tipo",
    "threat", "threats", "amenaza", "amenazas", "ameaca", "ameaça", "happening", "impact",
    "impacts", "activity", "actividad", "atividade", "incident", "evento",
)  # fmt: skip
NOTES_NAMES = (
    "notes", "note", "notas", "nota", "observaciones", "observacion", "observações", "comment",
    "comments", "comentario", "comentarios", "description", "descripcion", "descrição",
    "caption", "detail", "details", "detalle", "remarks",
)  # fmt: skip
OBSERVER_NAMES = (
    "observer", "observador", "monitor", "monitors", "monitores", "reporter", "enumerator",
    "full_name", "nombre", "name", "$createdby", "$author", "__system/submittername",
    "submittername", "_submitted_by", "patrol/members", "members",
)  # fmt: skip
SENSITIVITY_NAMES = (
    "sensitivity",
    "sensibilidad",
    "sensibilidade",
    "privacy",
    "privacidad",
    "access",
)


class Bad(Exception):
    """A row that cannot be an observation: ``reason`` (a code) and ``detail``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


# --- mapping ----------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Which of the source's fields says what (empty: none). ``level`` names the records that are
    observations (a repeat such as ``obs``; "" the submissions themselves)."""

    level: str = ""
    when: list[str] = field(default_factory=list)
    where: str = ""
    what: str = ""
    notes: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    observer: str = ""
    sensitivity: str = ""
    track: str = ""
    area: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Mapping:
        data = data or {}
        names = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in names}
        for listed in ("when", "notes", "media"):
            value = values.get(listed)
            if isinstance(value, str):
                values[listed] = [value] if value else []
        return cls(**values)


@dataclass
class FieldInfo:
    name: str
    level: str
    type: str  # geopoint geotrace geoshape datetime date select media number text
    sample: str
    filled: int
    own: bool = True


def _value_type(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("type")
        return {
            "Point": "geopoint",
            "LineString": "geotrace",
            "MultiLineString": "geotrace",
            "Polygon": "geoshape",
            "MultiPolygon": "geoshape",
        }.get(str(kind), "text")
    if isinstance(value, bool):
        return "select"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "select" if all(isinstance(v, str) for v in value) else "text"
    text = str(value).strip()
    if GEOPOINT.match(text):
        return "geopoint"
    if ";" in text and all(GEOPOINT.match(p) for p in text.split(";") if p.strip()):
        points = [p.strip() for p in text.split(";") if p.strip()]
        return "geoshape" if len(points) > 3 and points[0] == points[-1] else "geotrace"
    if DATETIME.match(text):
        return "datetime"
    if DATE.match(text):
        return "date"
    if MEDIA.search(text) and " " not in text:
        return "media"
    if re.fullmatch(NUMBER, text):
        return "number"
    tokens = text.split()
    # A code, or a select_multiple's space-separated codes.
    if (
        len(text) <= 80
        and all(CODE.match(t) for t in tokens)
        and (len(tokens) == 1 or text == text.lower())
    ):
        return "select"
    return "text"
    return "text"


def describe(export: Export, sample: int = 400) -> list[FieldInfo]:
    """Each field of each level: its kind (from its values), a sample value, how many filled."""
    by_level: dict[str, list[Record]] = {}
    for record in export.records:
        if not record.deleted:
            by_level.setdefault(record.level, []).append(record)
    parents = {r.key: r.level for r in export.records}
    found: list[FieldInfo] = []
    for level, records in by_level.items():
        parent_level = next((parents.get(r.parent) for r in records if r.parent), None)
        parent_fields = (
            {n for r in by_level.get(parent_level, [])[:sample] for n in r.fields}
            if parent_level is not None and parent_level != level
            else set()
        )
        types: dict[str, Counter[str]] = {}
        samples: dict[str, str] = {}
        filled: Counter[str] = Counter()
        distinct: dict[str, set[str]] = {}
        for record in records[:sample]:
            for name, value in record.fields.items():
                if name == SUBMISSION:
                    continue
                types.setdefault(name, Counter())
                if value in (None, "", [], {}):
                    continue
                kind = _value_type(value)
                types[name][kind] += 1
                filled[name] += 1
                samples.setdefault(name, _short(value))
                distinct.setdefault(name, set()).add(json.dumps(value, sort_keys=True, default=str))
        for name, counter in types.items():
            kind = counter.most_common(1)[0][0] if counter else "text"
            if kind == "select" and len(distinct.get(name, ())) > max(30, filled[name] // 2):
                kind = "text"  # many different values: free text, not choices
            found.append(
                FieldInfo(
                    name,
                    level,
                    kind,
                    samples.get(name, ""),
                    filled[name],
                    name not in parent_fields,
                )
            )
    return found


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _plain(name: str) -> str:
    """``group/sub-question`` → ``question``, lowercased, accents kept."""
    last = re.split(r"[/\-]", name.strip("$").lower())[-1]
    return last.replace(" (columns)", "")


def _named(name: str, words: tuple[str, ...]) -> int:
    """How well the field's name says it is one of ``words``: the earlier the word in ``words``,
    the higher when the name is exactly it; 1 when the name contains one; else 0."""
    plain, whole = _plain(name), name.lower()
    for position, word in enumerate(words):
        if word in (plain, whole):
            return 2 + len(words) - position
    return 1 if any(w in plain for w in words if len(w) > 3) else 0


def propose(export: Export, fields: list[FieldInfo] | None = None) -> Mapping:
    """A first mapping from the fields' names and kinds; a person confirms or changes it."""
    fields = fields if fields is not None else describe(export)
    points = [f for f in fields if f.type == "geopoint"]

    def where_rank(f: FieldInfo) -> tuple[int, ...]:
        derived = f.name in ("_geolocation",) or f.name.endswith(" (columns)")
        return (not derived, f.own, f.filled, _named(f.name, WHERE_NAMES), -f.level.count("/"))

    mapping = Mapping()
    if points:
        best = max(points, key=where_rank)
        mapping.where, mapping.level = best.name, best.level
    else:
        shapes = [f for f in fields if f.type == "geoshape"]
        if shapes:
            best = max(shapes, key=lambda f: (f.own, f.filled))
            mapping.level = best.level
        else:
            # Tracks (a GeoJSON's lines, CoMapeo's track documents) are never observations.
            counts = {lv: n for lv, n in export.levels().items() if lv != "track"}
            mapping.level = max(counts, key=lambda lv: (lv == "", counts[lv])) if counts else ""
    here = [f for f in fields if f.level == mapping.level]

    answers = [f for f in here if not SYSTEM.match(f.name)]

    def best_of(kinds: tuple[str, ...], words: tuple[str, ...], least: int = 0) -> str:
        candidates = [f for f in answers if f.type in kinds and _named(f.name, words) >= least]
        if not candidates:
            return ""
        return max(
            candidates,
            key=lambda f: (_named(f.name, words), f.type == kinds[0], f.own, f.filled),
        ).name

    dated = [f for f in answers if f.type in ("datetime", "date")]
    dated.sort(
        key=lambda f: (
            not f.own,  # a repeat row's own time before its submission's
            -_named(f.name, WHEN_NAMES),
            f.name.lower().startswith(("end", "fin")),
            f.type != "datetime",
            not f.own,
        )
    )
    mapping.when = [f.name for f in dated[:3]]
    mapping.what = best_of(("select", "text"), WHAT_NAMES, least=1)
    mapping.notes = [
        f.name
        for f in answers
        if f.type in ("text", "select") and _named(f.name, NOTES_NAMES) and f.name != mapping.what
    ][:3]
    media = [f for f in answers if f.type == "media"]
    mapping.media = [f.name for f in ([m for m in media if m.own] or media)][:6]
    submitter = [f.name for f in here if f.name in ("_submitted_by", "__system/submitterName")]
    mapping.observer = best_of(("text", "select"), OBSERVER_NAMES, least=2) or next(
        (name for name in submitter if any(f.name == name and f.filled for f in here)), ""
    )
    mapping.sensitivity = best_of(("select", "text"), SENSITIVITY_NAMES, least=2)
    mapping.track = best_of(("geotrace",), ("track", "line", "route", "ruta", "recorrido"))
    if not mapping.track:
        # A track may live above the observations (a patrol and its observations repeat).
        lines = [f for f in fields if f.type == "geotrace"]
        mapping.track = max(lines, key=lambda f: f.filled).name if lines else ""
    mapping.area = best_of(("geoshape",), ("area", "shape", "polygon", "poligono", "zona"))
    return mapping


# --- values -----------------------------------------------------------------------------------


def point(value: Any) -> tuple[float, float] | None:
    """(lon, lat) from any of the tools' encodings; None when empty; Bad when impossible."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, dict):
        coordinates = value.get("coordinates")
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise Bad("bad_coordinates", f"geometry {_short(value)}")
        if value.get("type") != "Point":
            return centroid(value)
        return _checked(coordinates[0], coordinates[1])
    if isinstance(value, list) and len(value) >= 2:
        return _checked(value[1], value[0])  # Kobo's _geolocation: latitude first
    text = str(value)
    found = GEOPOINT.match(text)
    if not found:
        raise Bad("bad_coordinates", f"geopoint {_short(value)}")
    return _checked(found.group(2), found.group(1))  # "lat lon alt acc": latitude first


def _checked(lon: Any, lat: Any) -> tuple[float, float]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise Bad("bad_coordinates", f"longitude {_short(lon)}, latitude {_short(lat)}") from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise Bad("bad_coordinates", f"longitude {x}, latitude {y}")
    return x, y


def line(value: Any) -> list[tuple[float, float]]:
    """The points of a geotrace/geoshape string or a GeoJSON line or polygon (its outer ring)."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, dict):
        coordinates = value.get("coordinates") or []
        kind = value.get("type")
        if kind == "Polygon":
            coordinates = coordinates[0] if coordinates else []
        elif kind in ("MultiLineString", "MultiPolygon"):
            flat: list[Any] = []
            for part in coordinates:
                flat += part[0] if kind == "MultiPolygon" and part else part
            coordinates = flat
        if not isinstance(coordinates, list):
            raise Bad("bad_coordinates", f"geometry {_short(value)}")
        out = []
        for c in coordinates:
            if not isinstance(c, list) or len(c) < 2:
                raise Bad("bad_coordinates", f"coordinate {_short(c)}")
            out.append(_checked(c[0], c[1]))
        return out
    found = []
    for part in str(value).split(";"):
        if part.strip():
            p = point(part)
            if p:
                found.append(p)
    return found


def centroid(value: Any) -> tuple[float, float] | None:
    points = line(value)
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def moment(value: Any, zone: ZoneInfo, *, naive_utc: bool = False) -> dt.datetime | None:
    """A date or date-time as the tools write them. A device time carries its offset; one
    without (a SMART waypoint, a date-only ``today``) is the table's local time; a server's
    submission time without a zone (Kobo's ``_submission_time``) is UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            return None
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    text = str(value).strip().replace("Z", "+00:00")
    if DATE.match(text):
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, 12, tzinfo=zone)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0300 → +03:00
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=dt.UTC if naive_utc else zone)
    return found


def codes(value: Any) -> list[str]:
    """A category answer as its codes: a list, a select_multiple's space-separated codes, one
    code, or a free-text answer kept whole."""
    if value in (None, "", []):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, bool):
        return [str(value).lower()]
    text = str(value).strip()
    parts = text.split()
    if len(parts) > 1 and all(CODE.match(p) for p in parts) and text == text.lower():
        return parts
    return [text]


def normalize(code: str) -> str:
    """A category code as the vocabulary keys it: lowercase, no accents, ``_`` for blanks."""
    text = unicodedata.normalize("NFKD", str(code)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", "_", text.strip().lower()).strip("._")[:200]


def guess_kind(code: str) -> str:
    """The kind a category code names in the words the tools' users use, or ""."""
    key = normalize(code)
    if key in GUESS:
        return GUESS[key]
    for segment in reversed(re.split(r"[/.:]", key)):
        if segment in GUESS:
            return GUESS[segment]
    # A code in several words ("mineria_ilegal"): the kind one of its words names.
    return guess_from_name(re.split(r"[/.:]", key)[-1])


def guess_from_name(name: str) -> str:
    """The kind a category's human name says in one of its words ("Balsa de garimpo")."""
    for word in normalize(name).split("_"):
        if word in GUESS and GUESS[word] != "other":
            return GUESS[word]
    return ""


def level_of(value: Any) -> str:
    """Who may see a row, from the answer of the mapped field: "public" and "table" (and their
    spellings) as said; any other answer keeps the row with its community (owner), since a
    community's "confidencial" or "sagrado" must never be read as public."""
    if value in (None, "", []):
        return ""
    text = normalize(str(value))
    for level, words in LEVEL_WORDS.items():
        if text in words:
            return level
    return "owner"


MAX_RAW_ITEMS = 5000  # a raw record keeps this many items of a list (a long track's vertices)


def safe_json(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON any database accepts: NaN and infinities as text, depth bounded."""
    if depth > 64:
        return "…"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): safe_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        kept = [safe_json(v, depth + 1) for v in value[:MAX_RAW_ITEMS]]
        if len(value) > MAX_RAW_ITEMS:
            kept.append(f"… {len(value) - MAX_RAW_ITEMS} more")
        return kept
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


# --- applying ---------------------------------------------------------------------------------


@dataclass
class Observation:
    key: str
    version: str
    observed_at: dt.datetime | None
    lon: float
    lat: float
    codes: list[str] = field(default_factory=list)
    notes: str = ""
    media: list[dict[str, str]] = field(default_factory=list)
    observer: str = ""
    sensitivity: str = ""
    area: list[tuple[float, float]] = field(default_factory=list)
    patrol_key: str = ""
    previous: str = ""
    deleted: bool = False
    row: str = ""
    raw: Any = None
    revision: str = ""


@dataclass
class Track:
    key: str
    version: str
    started_at: dt.datetime
    points: list[tuple[float, float]]
    monitors: str = ""
    previous: str = ""
    deleted: bool = False
    revision: str = ""


@dataclass
class Rejected:
    row: str
    reason: str  # no_location, bad_coordinates, missing_date, missing_key, not_a_record
    detail: str
    raw: Any = None


@dataclass
class Parsed:
    format: str
    signature: str
    tool: str = ""
    observations: list[Observation] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    skipped: int = 0  # records of other levels, read with their submission


def _version(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _text(record: Record, names: list[str]) -> str:
    values = []
    for name in names:
        value = record.fields.get(name)
        if value not in (None, "", [], {}):
            values.append(
                value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            )
    return "\n".join(values)


def apply(export: Export, mapping: Mapping, zone: ZoneInfo) -> Parsed:
    """Every record through ``mapping``: observations, tracks, and the rows refused with why."""
    parsed = Parsed(export.format, export.signature, export.tool)
    for row, reason, detail, raw in export.problems:
        parsed.rejected.append(Rejected(row, reason, detail, safe_json(raw)))
    with_track: dict[str, str] = {}
    by_key = {r.key: r for r in export.records}
    for record in export.records:
        value = record.fields.get(mapping.track) if mapping.track else None
        parent = by_key.get(record.parent)
        if parent is not None and parent.fields.get(mapping.track) == value:
            continue  # a repeat row carries its submission's track: the submission has it
        if value not in (None, "", {}) and _value_type(value) in ("geotrace", "geoshape"):
            try:
                track = _track(record, mapping, zone)
            except Bad as bad:
                parsed.rejected.append(
                    Rejected(record.row, bad.reason, bad.detail, safe_json(record.fields))
                )
                continue
            if track is not None:
                parsed.tracks.append(track)
                with_track[record.key] = track.key
        elif record.deleted and record.level == "track":
            # A track's tombstone may come alone, in an export a mapping's proposal never saw.
            parsed.tracks.append(_gone_track(record))
    for record in export.records:
        if record.level != mapping.level:
            parsed.skipped += record.level != "track" or not mapping.track
            continue
        try:
            observation = _observation(record, mapping, zone, with_track)
        except Bad as bad:
            parsed.rejected.append(
                Rejected(record.row, bad.reason, bad.detail, safe_json(record.fields))
            )
            continue
        if observation is not None:
            parsed.observations.append(observation)
    return parsed


# Where a track's date lives when the mapping's date fields are the observations' own.
TRACK_DATES = ("$createdAt", "createdAt", "created_at", "start", "startTime", "date", "timestamp")


def _when(
    record: Record, mapping: Mapping, zone: ZoneInfo, extra: tuple[str, ...] = ()
) -> dt.datetime:
    for name in (*mapping.when, *extra):
        found = moment(record.fields.get(name), zone)
        if found is not None:
            return found
    found = moment(record.submitted_at or record.fields.get(SUBMISSION), zone, naive_utc=True)
    if found is None:
        named = ", ".join(mapping.when) or "—"
        raise Bad("missing_date", f"no date in {named} nor a submission time")
    return found


def _gone_track(record: Record) -> Track:
    return Track(
        record.key, "", dt.datetime.now(tz=dt.UTC), [], deleted=True, revision=record.revision
    )


def _track(record: Record, mapping: Mapping, zone: ZoneInfo) -> Track | None:
    if record.deleted:
        return _gone_track(record)
    points = line(record.fields.get(mapping.track))
    if len(points) < 2:
        return None
    monitors = str(record.fields.get(mapping.observer) or "") if mapping.observer else ""
    started = _when(record, mapping, zone, TRACK_DATES)
    return Track(
        f"{record.key}#track" if mapping.level == record.level and mapping.where else record.key,
        _version(points, monitors, started.isoformat()),
        started,
        points,
        monitors[:250],
        record.previous,
        revision=record.revision,
    )


def _observation(
    record: Record, mapping: Mapping, zone: ZoneInfo, with_track: dict[str, str]
) -> Observation | None:
    if record.deleted:
        return Observation(
            record.key,
            "",
            None,
            0,
            0,
            previous=record.previous,
            deleted=True,
            row=record.row,
            revision=record.revision,
        )
    area = line(record.fields.get(mapping.area)) if mapping.area else []
    where = point(record.fields.get(mapping.where)) if mapping.where else None
    if where is None and area:
        where = centroid({"type": "LineString", "coordinates": [list(p) for p in area]})
    if where is None:
        if mapping.where:
            raise Bad("no_location", f"no answer in {mapping.where}")
        raise Bad("no_location", "no location field in the mapping")
    observed_at = _when(record, mapping, zone)
    found_codes = codes(record.fields.get(mapping.what)) if mapping.what else []
    names = set()
    for name in mapping.media:
        value = record.fields.get(name)
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, ""):
                names.add(str(item).rsplit("/", 1)[-1])
    media = [
        {"name": m.name, "url": m.url, "type": m.type}
        for m in record.media
        if not mapping.media or m.name in names
    ]
    known = {m["name"] for m in media}
    media += [{"name": n, "url": "", "type": ""} for n in sorted(names - known)]
    observer = str(record.fields.get(mapping.observer) or "") if mapping.observer else ""
    sensitivity = level_of(record.fields.get(mapping.sensitivity)) if mapping.sensitivity else ""
    notes = _text(record, mapping.notes)
    patrol = with_track.get(record.key) or with_track.get(record.parent, "")
    return Observation(
        key=record.key,
        version=_version(
            observed_at.isoformat(), where, found_codes, notes, media, observer, sensitivity, area
        ),
        observed_at=observed_at,
        lon=where[0],
        lat=where[1],
        codes=found_codes,
        notes=notes,
        media=media,
        observer=observer[:200],
        sensitivity=sensitivity,
        area=area,
        patrol_key=patrol,
        previous=record.previous,
        row=record.row,
        raw=safe_json(record.raw if isinstance(record.raw, dict) else record.fields),
        revision=record.revision,
    )
