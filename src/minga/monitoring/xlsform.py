"""The patrol form as an XLSForm for ODK Collect and KoboCollect (sheets survey, choices,
settings), with labels in Spanish, Portuguese and English and a column the table fills in for
its local language."""

from __future__ import annotations

import io

from openpyxl import Workbook

from minga.monitoring.mapping import KINDS

LANGUAGES = [("Español (es)", 0), ("Português (pt)", 1), ("English (en)", 2)]

SURVEY = [
    # type, name, (es, pt, en), extra
    ("start", "start", ("", "", ""), {}),
    ("end", "end", ("", "", ""), {}),
    ("begin_group", "patrol", ("Patrullaje", "Patrulha", "Patrol"), {}),
    ("text", "monitors", ("Monitores", "Monitores", "Monitors"), {"required": "yes"}),
    ("geotrace", "track", ("Recorrido", "Percurso", "Track"), {}),
    ("end_group", "", ("", "", ""), {}),
    ("begin_repeat", "obs", ("Observación", "Observação", "Observation"), {}),
    ("geopoint", "location", ("Lugar", "Local", "Location"), {"required": "yes"}),
    ("select_one kind", "kind", ("Tipo", "Tipo", "Type"), {"required": "yes"}),
    ("image", "photo", ("Foto", "Foto", "Photo"), {"parameters": "max-pixels=1280"}),
    ("text", "notes", ("Notas", "Notas", "Notes"), {}),
    (
        "select_one level",
        "sensitivity",
        ("¿Quién puede verla?", "Quem pode vê-la?", "Who may see it?"),
        {"default": "table"},
    ),
    ("end_repeat", "", ("", "", ""), {}),
]
KIND_LABELS = {
    "illegal_logging": ("Tala ilegal", "Extração ilegal de madeira", "Illegal logging"),
    "mining": ("Minería", "Mineração", "Mining"),
    "hunting": ("Caza", "Caça", "Hunting"),
    "fire": ("Fuego", "Fogo", "Fire"),
    "wildlife": ("Fauna", "Fauna", "Wildlife"),
    "boundary_mark": ("Hito de linderos", "Marco de divisa", "Boundary mark"),
    "sacred_site": ("Sitio sagrado", "Lugar sagrado", "Sacred site"),
    "other": ("Otro", "Outro", "Other"),
}
LEVEL_LABELS = {
    "public": ("Todos", "Todos", "Everyone"),
    "table": ("La mesa", "A mesa", "The table"),
    "owner": ("Solo la comunidad", "Só a comunidade", "Only the community"),
}


def patrol_xlsform(*, form_id: str, title: str, version: str, local_language: str = "") -> bytes:
    """The XLSForm workbook; ``local_language`` (e.g. "Shuar (shr)") adds empty label columns."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    languages = [name for name, _ in LANGUAGES] + ([local_language] if local_language else [])
    survey.append(
        ["type", "name", *[f"label::{lang}" for lang in languages], "required", "default"]
    )
    for kind, name, labels, extra in SURVEY:
        local = [""] if local_language else []
        survey.append(
            [kind, name, *labels, *local, extra.get("required", ""), extra.get("default", "")]
        )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *[f"label::{lang}" for lang in languages]])
    for kind in KINDS:
        choices.append(["kind", kind, *KIND_LABELS[kind], *([""] if local_language else [])])
    for level, labels in LEVEL_LABELS.items():
        choices.append(["level", level, *labels, *([""] if local_language else [])])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([title, form_id, version, "Español (es)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CHECK_SURVEY = [
    ("start", "start", ("", "", ""), {}),
    ("end", "end", ("", "", ""), {}),
    (
        "select_one point",
        "point",
        ("Punto", "Ponto", "Point"),
        {"required": "yes", "appearance": "map"},
    ),
    ("geopoint", "location", ("Dónde estoy", "Onde estou", "Where I am"), {"required": "yes"}),
    (
        "select_one reference",
        "reference",
        ("Qué hay en el terreno", "O que há no terreno", "What is on the ground"),
        {"required": "yes"},
    ),
    ("image", "photo", ("Foto", "Foto", "Photo"), {"parameters": "max-pixels=1280"}),
    ("text", "notes", ("Notas", "Notas", "Notes"), {}),
]
REFERENCE_LABELS = {
    "loss": (
        "Bosque perdido en el periodo",
        "Floresta perdida no período",
        "Forest lost in the period",
    ),
    "forest": ("Bosque en pie", "Floresta em pé", "Standing forest"),
    "other": (
        "No es bosque (desde antes)",
        "Não é floresta (desde antes)",
        "Not forest (since before)",
    ),
    "confirmed": ("Sí hay desbroce", "Há desmatamento", "Clearing confirmed"),
    "false_alarm": ("No hay desbroce", "Não há desmatamento", "No clearing found"),
}


def points_xlsform(
    *,
    form_id: str,
    title: str,
    version: str,
    points: list[tuple[str, str, float, float]],
    answers: list[str],
) -> bytes:
    """A check form with the points preloaded: ODK Collect's "select one from map" shows them
    (choices carry a ``geometry`` column), the monitor picks one, stands there and answers."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    languages = [name for name, _ in LANGUAGES]
    survey.append(
        [
            "type",
            "name",
            *[f"label::{lang}" for lang in languages],
            "required",
            "appearance",
            "parameters",
        ]
    )
    for kind, name, labels, extra in CHECK_SURVEY:
        survey.append(
            [
                kind,
                name,
                *labels,
                extra.get("required", ""),
                extra.get("appearance", ""),
                extra.get("parameters", ""),
            ]
        )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *[f"label::{lang}" for lang in languages], "geometry"])
    for name, label, lat, lon in points:
        choices.append(["point", name, label, label, label, f"{lat:.7f} {lon:.7f} 0 0"])
    for answer in answers:
        choices.append(["reference", answer, *REFERENCE_LABELS[answer], ""])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([title, form_id, version, "Español (es)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
