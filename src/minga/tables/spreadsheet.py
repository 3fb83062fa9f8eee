"""Read the members spreadsheet (.xlsx or .csv) into plain rows; nothing is written here."""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

COLUMNS = (
    "organization",
    "sector",
    "acronym",
    "full_name",
    "email",
    "phone",
    "role",
    "seat",
    "gender",
    "birth_year",
    "people",
    "languages",
)
REQUIRED = ("organization", "sector", "full_name")
MAX_ROWS = 5000


def _normalise(header: list[Any]) -> list[str]:
    return [str(h or "").strip().lower().replace(" ", "_") for h in header]


def read_rows(upload: IO[bytes], filename: str) -> list[dict[str, str]]:
    """Rows as dicts of the known columns (missing ones empty); raises ValidationError."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(upload)
    elif name.endswith(".csv"):
        table = _read_csv(upload)
    else:
        raise ValidationError(_("Upload an .xlsx or .csv file."), code="format")
    if not table:
        raise ValidationError(_("The spreadsheet is empty."), code="empty")
    header = _normalise(table[0])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            _("The spreadsheet lacks the column(s): %(columns)s.")
            % {"columns": ", ".join(missing)},
            code="columns",
        )
    rows = []
    for values in table[1:]:
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        record = dict(zip(header, cells, strict=False))
        rows.append({c: record.get(c, "") for c in COLUMNS})
    if not rows:
        raise ValidationError(_("The spreadsheet has a header but no rows."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("At most %(max)s rows can be imported at once.") % {"max": MAX_ROWS}, code="size"
        )
    return rows


def _read_xlsx(upload: IO[bytes]) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        raise ValidationError(
            _("This file is not a readable .xlsx workbook."), code="format"
        ) from None
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _read_csv(upload: IO[bytes]) -> list[list[Any]]:
    raw = upload.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ValidationError(_("The file's text encoding is not recognised."), code="encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
