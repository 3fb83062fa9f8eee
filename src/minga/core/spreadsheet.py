"""Read an uploaded spreadsheet (.xlsx or .csv) into plain rows; write rows back out, every
CSV and spreadsheet minga writes through here so that no cell is ever a live formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ROWS = 5000
# OWASP's rule for CSV injection: a text cell starting with one of these is a formula to a
# spreadsheet program; it is written with a leading apostrophe. Plain numbers ("-12.50") are not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` as a cell no spreadsheet program runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _unsafe_cell(text: str) -> str:
    """A cell minga wrote with ``safe_cell``, read back as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> SafeCsvWriter:
    return SafeCsvWriter(out, **options)


class ImportFailed(ValidationError):
    """An import was refused; ``row_errors`` maps spreadsheet row numbers to messages."""

    def __init__(self, row_errors: dict[int, list[str]]) -> None:
        self.row_errors = row_errors
        super().__init__(_("Nothing was imported: fix the rows listed and upload again."))


def messages_of(exc: ValidationError) -> list[str]:
    """A ValidationError as lines a person can act on, each naming its column."""
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" for field, errs in exc.message_dict.items() for m in errs]
    return list(exc.messages)


def _normalise(header: list[Any]) -> list[str]:
    return [str(h or "").strip().lower().replace(" ", "_") for h in header]


def read_rows(
    upload: IO[bytes],
    filename: str,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    max_rows: int = MAX_ROWS,
) -> list[dict[str, str]]:
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
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(
            _("The spreadsheet lacks the column(s): %(columns)s.")
            % {"columns": ", ".join(missing)},
            code="columns",
        )
    rows = []
    for values in table[1:]:
        cells = ["" if v is None else _unsafe_cell(str(v).strip()) for v in values]
        if not any(cells):
            continue
        record = dict(zip(header, cells, strict=False))
        rows.append({c: record.get(c, "") for c in columns})
    if not rows:
        raise ValidationError(_("The spreadsheet has a header but no rows."), code="empty")
    if len(rows) > max_rows:
        raise ValidationError(
            _("At most %(max)s rows can be imported at once.") % {"max": max_rows}, code="size"
        )
    return rows


def _read_xlsx(upload: IO[bytes]) -> list[list[Any]]:
    # Imported here: openpyxl loads only when a spreadsheet is read or written.
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
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def write_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "minga"
) -> bytes:
    return write_workbook([(title, columns, rows)])


def write_workbook(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """An .xlsx with one sheet per (title, columns, rows); every text cell stays text."""
    # Imported here: openpyxl loads only when a spreadsheet is read or written.
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(columns))
        for row in rows:
            sheet.append(list(row))
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
