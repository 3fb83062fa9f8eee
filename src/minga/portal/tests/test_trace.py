"""Following a funder's money: the IDB's demo activity into the initiatives and the fund it pays,
in the IATI file (provider-activity-id) and on the portal page, and the identifiers refused when
they could not be IATI's."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from lxml import etree

from minga.core.access import SYSTEM
from minga.core.spreadsheet import read_rows
from minga.demo import data as demo
from minga.funds import services as funds
from minga.funds.models import Award, Contribution, Fund
from minga.initiatives import data as initiative_data
from minga.initiatives import services as initiatives
from minga.initiatives import sheet
from minga.initiatives.models import Funding, Initiative
from minga.portal import iati_records
from minga.tables.models import Organization, Table

pytestmark = pytest.mark.django_db
IDB = demo.FUNDING_ACTIVITIES[demo.BANK]


def _receiving(root: etree._Element, activity: str) -> set[str]:
    """The activities whose transactions name ``activity`` as where their money comes from."""
    return {
        node.findtext("iati-identifier")
        for node in root.iter("iati-activity")
        if node.xpath("transaction/provider-org[@provider-activity-id=$a]", a=activity)
    }


def test_the_idb_s_activity_leads_to_the_initiatives_and_the_fund_it_pays():
    bank = Organization.objects.get(name=demo.BANK)
    assert bank.funding_activity == IDB
    paid = Initiative.objects.filter(fundings__funder=bank).distinct()
    assert paid.count() >= 4
    fund = Fund.objects.get(contributions__donor=bank)
    root = etree.fromstring(iati_records.export("activities"))
    assert _receiving(root, IDB) == {iati_records.initiative_identifier(i) for i in paid} | {
        fund.activity_id()
    }
    for initiative in paid:
        node = root.xpath(
            "iati-activity[iati-identifier=$id]",
            id=iati_records.initiative_identifier(initiative),
        )[0]
        assert node.xpath("participating-org[@role='1'][@activity-id=$a]", a=IDB)
        assert node.xpath("planned-disbursement/provider-org[@provider-activity-id=$a]", a=IDB)
    # the fund's money goes on to its awards: each award names the fund's activity as provider
    awards = _receiving(root, fund.activity_id())
    assert awards == {
        fund.activity_id(a.public_id) for a in Award.objects.filter(application__call__fund=fund)
    }
    assert awards


@pytest.mark.parametrize("language", ["es", "pt"])
def test_the_portal_follows_the_idb_s_money(client, language):
    bank = Organization.objects.get(name=demo.BANK)
    with translation.override(language):
        url = reverse("portal-trace")
    page = client.get(url, {"from": IDB}, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    text = page.content.decode()
    for funding in Funding.objects.filter(funder=bank).select_related("initiative"):
        assert funding.initiative.title in text
        assert (
            reverse(
                "initiative", args=[funding.initiative.table.slug, funding.initiative.public_id]
            )
            in text
        )
    fund = Fund.objects.get(contributions__donor=bank)
    assert fund.name in text
    for award in Award.objects.filter(application__call__fund=fund):
        assert award.application.title in text
    assert {"es": "Seguir el dinero", "pt": "Seguir o dinheiro"}[language] in text
    # the index lists the activities known; an unknown one says nobody names it
    empty = client.get(url, {"from": "XM-DAC-0000-NOTHING"}, HTTP_ACCEPT_LANGUAGE=language)
    assert IDB in empty.content.decode()
    assert "XM-DAC-0000-NOTHING" in empty.content.decode()
    assert bank.public_id  # the organization page links to it
    org_page = client.get(reverse("organization", args=[bank.public_id]))
    assert f"{url}?from={IDB}" in org_page.content.decode()


def _line(activity: str) -> initiative_data.InitiativeData:
    bank = Organization.objects.get(name=demo.BANK)
    member = Organization.objects.get(name=demo.FEDERATION)
    return initiative_data.InitiativeData(
        title="Vivero con financiamiento trazado",
        organization=member,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        fundings=[initiative_data.FundingLine(bank, "5000", "USD", "loan", activity)],
    )


def test_a_funding_line_names_its_own_activity_or_is_refused_in_the_readers_language():
    table = Table.objects.get(slug="morona-santiago")
    with translation.override("pt"), pytest.raises(ValidationError) as caught:
        initiatives.save_initiative(by=SYSTEM, table=table, data=_line("EC L1249 / 2"))
    assert "não é um identificador IATI" in " ".join(caught.value.message_dict["funder_activity"])
    assert not Initiative.objects.filter(title="Vivero con financiamiento trazado").exists()
    saved = initiatives.save_initiative(by=SYSTEM, table=table, data=_line("XM-DAC-46012-EC-L1249"))
    funding = saved.fundings.get()
    assert funding.source_activity == "XM-DAC-46012-EC-L1249"  # its own, not the bank's
    root = etree.fromstring(iati_records.export("activities", table))
    assert iati_records.initiative_identifier(saved) in _receiving(root, "XM-DAC-46012-EC-L1249")
    # the spreadsheet carries it both ways
    rows = sheet.to_rows([saved])
    exported = dict(zip(sheet.COLUMNS, rows[0], strict=True))
    assert exported["funder_activity"] == "XM-DAC-46012-EC-L1249"
    parsed = read_rows(
        io.BytesIO(
            ("\n".join([",".join(sheet.COLUMNS), ",".join(str(v) for v in rows[0])])).encode()
        ),
        "x.csv",
        columns=sheet.COLUMNS,
        required=sheet.REQUIRED,
    )
    assert parsed[0]["funder_activity"] == "XM-DAC-46012-EC-L1249"


def test_a_pledge_traces_from_the_donor_s_activity_or_is_refused():
    fund = Fund.objects.first()
    donor = Organization.objects.get(name=demo.FUNDER)
    assert donor.funding_activity == ""
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        funds.pledge(
            by=SYSTEM,
            fund=fund,
            donor=donor,
            amount=Decimal("100"),
            currency=fund.currency,
            pledged_on=dt.date(2026, 5, 1),
            donor_activity="sin identificador",
        )
    assert "no es un identificador IATI" in " ".join(caught.value.message_dict["donor_activity"])
    before = Contribution.objects.count()
    pledged = funds.pledge(
        by=SYSTEM,
        fund=fund,
        donor=donor,
        amount=Decimal("100"),
        currency=fund.currency,
        pledged_on=dt.date(2026, 5, 1),
        donor_activity="XI-IATI-EXAMPLE-2026-01",
    )
    assert Contribution.objects.count() == before + 1
    assert fund.transactions.filter(
        contribution=pledged, provider_activity="XI-IATI-EXAMPLE-2026-01"
    ).exists()
