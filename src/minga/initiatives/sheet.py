"""The initiatives spreadsheet: columns, rows → InitiativeData, initiatives → rows (stable ids)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minga.initiatives.data import FundingLine, InitiativeData
from minga.initiatives.models import Funding, Initiative
from minga.initiatives.queries import fundings_of
from minga.roadmap.models import Axis
from minga.tables.models import Organization, Table

COLUMNS = (
    "id",
    "title",
    "organization",
    "axis",
    "status",
    "progress",
    "starts_on",
    "ends_on",
    "place",
    "longitude",
    "latitude",
    "people",
    "families",
    "communities",
    "funder",
    "amount",
    "currency",
    "source_type",
    "funder_activity",
    "description",
)
REQUIRED = ("title", "organization", "starts_on", "ends_on")


def _date(value: str, column: str) -> dt.date:
    text = value.strip()[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {column: _("Write dates as YYYY-MM-DD (%(value)s).") % {"value": value}}
        ) from None


def _int(value: str, column: str) -> int:
    if not value.strip():
        return 0
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(
            {column: _("%(value)s is not a number.") % {"value": value}}
        ) from None
    if number < 0 or number != int(number):
        raise ValidationError(
            {column: _("%(value)s is not a whole number of zero or more.") % {"value": value}}
        )
    return int(number)


def to_data(table: Table, row: dict[str, str]) -> InitiativeData:
    """One spreadsheet row as the service's input; raises ValidationError naming the column."""
    organization = Organization.objects.filter(name__iexact=row["organization"].strip()).first()
    if organization is None:
        raise ValidationError(
            {
                "organization": _("No organization is called %(value)s.")
                % {"value": row["organization"]}
            }
        )
    axis = None
    if row["axis"].strip():
        axis = Axis.objects.filter(table=table, name__iexact=row["axis"].strip()).first()
        if axis is None:
            raise ValidationError(
                {"axis": _("The table has no axis called %(value)s.") % {"value": row["axis"]}}
            )
    geometry: dict[str, Any] | None = None
    if row["longitude"].strip() or row["latitude"].strip():
        try:
            geometry = {
                "type": "Point",
                "coordinates": [float(row["longitude"]), float(row["latitude"])],
            }
        except ValueError:
            raise ValidationError(
                {"longitude": _("Longitude and latitude must be numbers.")}
            ) from None
    fundings = []
    if row["funder"].strip() or row["amount"].strip():
        funder = Organization.objects.filter(name__iexact=row["funder"].strip()).first()
        if funder is None:
            raise ValidationError(
                {"funder": _("No organization is called %(value)s.") % {"value": row["funder"]}}
            )
        fundings.append(
            FundingLine(
                funder,
                row["amount"],
                row["currency"],
                row["source_type"].strip() or "grant",
                row["funder_activity"].strip(),
            )
        )
    return InitiativeData(
        title=row["title"],
        organization=organization,
        starts_on=_date(row["starts_on"], "starts_on"),
        ends_on=_date(row["ends_on"], "ends_on"),
        axis=axis,
        description=row["description"],
        status=row["status"].strip() or "planned",
        progress=_int(row["progress"], "progress"),
        place=row["place"].strip(),
        geometry=geometry,
        people=_int(row["people"], "people"),
        families=_int(row["families"], "families"),
        communities=_int(row["communities"], "communities"),
        fundings=fundings,
    )


def to_rows(initiatives: list[Initiative]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for i in initiatives:
        point = (
            i.geometry["coordinates"]
            if i.geometry and i.geometry.get("type") == "Point"
            else ["", ""]
        )
        fundings: list[Funding | None] = [f for f in fundings_of(i) if not i.is_joint] or [None]
        for funding in fundings:
            rows.append(
                [
                    i.public_id,
                    i.title,
                    i.organization.name,
                    i.axis.name if i.axis else "",
                    i.status,
                    i.progress,
                    i.starts_on.isoformat(),
                    i.ends_on.isoformat(),
                    i.place,
                    point[0],
                    point[1],
                    i.people,
                    i.families,
                    i.communities,
                    funding.funder.name if funding else "",
                    str(funding.amount) if funding else "",
                    funding.currency if funding else "",
                    funding.source_type if funding else "",
                    funding.funder_activity if funding else "",
                    i.description,
                ]
            )
    return rows
