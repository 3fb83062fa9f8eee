"""The members spreadsheet's columns; reading is ``minga.core.spreadsheet``."""

from __future__ import annotations

from typing import IO

from minga.core import spreadsheet

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


def read_rows(upload: IO[bytes], filename: str) -> list[dict[str, str]]:
    return spreadsheet.read_rows(upload, filename, columns=COLUMNS, required=REQUIRED)
