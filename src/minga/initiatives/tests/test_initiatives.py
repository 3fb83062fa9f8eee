"""Initiatives, money, alignment, commitments and reports through their services and pages."""

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.demo import data as demo
from minga.initiatives import data as initiative_data
from minga.initiatives import events, services
from minga.initiatives.models import AccountabilityReport, Commitment, Funding, Initiative
from minga.initiatives.queries import report_figures
from minga.roadmap import services as roadmap
from minga.roadmap.models import Indicator, Measurement
from minga.tables.models import Organization, Table


@pytest.fixture
def table(db):
    return Table.objects.get(slug="morona-santiago")


def org(name):
    return Organization.objects.get(name=name)


def data(table, **extra):
    point = table.territories.get().shape.representative_point()
    values = {
        "title": "Viveros de especies nativas",
        "organization": org(demo.NGO),
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "axis": table.axes.first(),
        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        "fundings": [initiative_data.FundingLine(org(demo.FUNDER), "25000", "USD")],
    }
    values.update(extra)
    return initiative_data.InitiativeData(**values)


def counts():
    return (
        Initiative.objects.count(),
        Funding.objects.count(),
        Event.objects.count(),
        Measurement.objects.count(),
    )


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            {"geometry": {"type": "Point", "coordinates": [-60.0, -10.0]}},
            "geometry",
            "El lugar está fuera del territorio de la mesa.",
        ),
        ({"fundings": "currency"}, "currency", "XYZ no es un código de moneda ISO 4217"),
        ({"fundings": "negative"}, "amount", "Un monto debe ser mayor que cero."),
    ],
)
def test_it_refuses_bad_initiatives_and_writes_nothing(table, extra, field, message):
    if extra.get("fundings") == "currency":
        extra = {"fundings": [initiative_data.FundingLine(org(demo.FUNDER), "100", "XYZ")]}
    elif extra.get("fundings") == "negative":
        extra = {"fundings": [initiative_data.FundingLine(org(demo.FUNDER), "-5", "USD")]}
    before = counts()
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        services.save_initiative(by=SYSTEM, table=table, data=data(table, **extra))
    assert message in " ".join(caught.value.message_dict[field])
    assert counts() == before


def test_it_refuses_a_measurement_for_someone_elses_indicator(table, personas):
    indicator = (
        Indicator.objects.filter(objective__axis__table=table)
        .exclude(responsible__acronym="FESUK")
        .first()
    )
    before = counts()
    with translation.override("es"), pytest.raises(PermissionDenied) as caught:
        roadmap.record_measurement(
            by=personas["member"],
            indicator=indicator,
            measured_on=timezone.localdate(),
            value=Decimal(3),
        )
    assert (
        f"Solo {indicator.responsible.name}, responsable de este indicador, o la secretaría pueden medirlo."
        == str(caught.value)
    )
    response = Client()
    response.force_login(personas["member"])
    page = response.post(
        f"/t/morona-santiago/roadmap/indicators/{indicator.public_id}/measurements/?lang=es",
        {"measured_on": timezone.localdate().isoformat(), "value": "3"},
    )
    assert page.status_code == 403
    assert counts() == before


def test_it_lets_the_responsible_organization_measure(table, personas):
    indicator = Indicator.objects.filter(objective__axis__table=table).first()
    indicator.responsible = org(demo.FEDERATION)
    indicator.save()
    client = Client()
    client.force_login(personas["member"])
    client.post(
        f"/t/morona-santiago/roadmap/indicators/{indicator.public_id}/measurements/",
        {"measured_on": timezone.localdate().isoformat(), "value": "12.5", "evidence": "Informe"},
    )
    assert indicator.measurements.filter(value=Decimal("12.5")).exists()


def test_it_converts_money_with_the_dated_rate_it_names(table):
    from minga.initiatives.queries import report_figures

    services.save_initiative(
        by=SYSTEM,
        table=table,
        data=data(
            table,
            title="Con euros",
            fundings=[initiative_data.FundingLine(org(demo.FUNDER), "1000", "EUR")],
        ),
    )
    services.set_rate(
        by=SYSTEM,
        table=table,
        currency="EUR",
        valid_on=dt.date(2026, 12, 30),
        rate="2.5",
        source="prueba",
    )
    figures = report_figures(table, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert ["EUR", "2.50000000", "2026-12-30", "prueba"] in figures["money"]["rates"]
    assert Decimal(dict(figures["money"]["by_funder"])[demo.FUNDER]) >= Decimal(2500)


def spreadsheet(rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "id",
            "title",
            "organization",
            "axis",
            "starts_on",
            "ends_on",
            "longitude",
            "latitude",
            "funder",
            "amount",
            "currency",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "iniciativas.xlsx"
    return buffer


def test_it_imports_all_or_nothing_and_round_trips_with_stable_ids(client_for, table):
    point = table.territories.get().shape.representative_point()
    axis = table.axes.first().name
    good = [
        "",
        "Agua segura en Yawi",
        demo.NGO,
        axis,
        "2026-01-01",
        "2026-06-30",
        point.x,
        point.y,
        demo.FUNDER,
        5000,
        "USD",
    ]
    bad = [
        "",
        "Mal lugar",
        demo.NGO,
        axis,
        "2026-01-01",
        "2026-06-30",
        -60,
        -10,
        demo.FUNDER,
        5000,
        "USD",
    ]
    worse = [
        "",
        "Mala moneda",
        demo.NGO,
        axis,
        "2026-01-01",
        "2026-06-30",
        point.x,
        point.y,
        demo.FUNDER,
        5000,
        "XYZ",
    ]
    secretariat = client_for("secretariat")
    before = Initiative.objects.count()
    response = secretariat.post(
        "/t/morona-santiago/initiatives/import/?lang=es",
        {"spreadsheet": spreadsheet([good, bad, worse])},
    )
    page = response.content.decode()
    assert response.status_code == 400 and Initiative.objects.count() == before
    assert (
        "<td>3</td>" in page
        and "<td>4</td>" in page
        and "fuera del territorio" in page
        and "XYZ" in page
    )
    response = secretariat.post(
        "/t/morona-santiago/initiatives/import/", {"spreadsheet": spreadsheet([good])}
    )
    assert response.status_code == 302 and Initiative.objects.count() == before + 1
    exported = secretariat.get("/t/morona-santiago/initiatives/export.csv").content.decode(
        "utf-8-sig"
    )
    line = next(x for x in exported.splitlines() if "Agua segura en Yawi" in x)
    public_id = line.split(",")[0]
    renamed = [public_id, "Agua segura en Yawi y Kuamar", *good[2:]]
    secretariat.post(
        "/t/morona-santiago/initiatives/import/", {"spreadsheet": spreadsheet([renamed])}
    )
    assert Initiative.objects.get(public_id=public_id).title == "Agua segura en Yawi y Kuamar"
    assert Initiative.objects.count() == before + 1


def test_it_pools_overlapping_initiatives_keeping_each_contribution(client_for, table):
    from minga.initiatives.queries import alignment_of, fundings_of

    first = services.save_initiative(by=SYSTEM, table=table, data=data(table, title="Vivero A"))
    second = services.save_initiative(
        by=SYSTEM,
        table=table,
        data=data(table, title="Vivero B", organization=org("Universidad Amazónica del Upano")),
    )
    pairs = {(a.public_id, b.public_id) for a, b in alignment_of(table).overlaps}
    assert tuple(sorted((first.public_id, second.public_id))) in pairs
    chosen = {"initiatives": [first.public_id, second.public_id], "title": "Red de viveros"}
    asked = client_for("secretariat").post("/t/morona-santiago/initiatives/pool/", chosen)
    assert asked.status_code == 200 and b'name="confirm"' in asked.content  # asks first
    assert not Initiative.objects.filter(title="Red de viveros").exists()
    response = client_for("secretariat").post(
        "/t/morona-santiago/initiatives/pool/", {**chosen, "confirm": "1"}
    )
    joint = Initiative.objects.get(title="Red de viveros")
    assert response.status_code == 302 and joint.is_joint
    assert sorted(f.initiative.title for f in fundings_of(joint)) == ["Vivero A", "Vivero B"]
    assert (
        client_for("member")
        .post("/t/morona-santiago/initiatives/pool/", {"initiatives": [first.public_id]})
        .status_code
        == 403
    )


def test_pooling_initiatives_at_two_places_keeps_every_page_working_and_can_be_undone(
    client_for, table
):
    """Two initiatives at different points: pooling them broke the alignment page and the
    GeoJSON with a 500 (a MultiPoint no reader accepted)."""
    from shapely.geometry import Point

    inside = table.territories.get().shape
    a = inside.representative_point()
    b = next(
        p
        for p in (Point(a.x + d, a.y + d) for d in (0.02, -0.02, 0.01, -0.01))
        if inside.contains(p)
    )
    first = services.save_initiative(
        by=SYSTEM, table=table, data=data(table, title="Vivero A", status="ongoing", progress=40)
    )
    second = services.save_initiative(
        by=SYSTEM,
        table=table,
        data=data(
            table,
            title="Vivero B",
            status="planned",
            progress=10,
            organization=org("Universidad Amazónica del Upano"),
            geometry={"type": "Point", "coordinates": [b.x, b.y]},
        ),
    )
    secretariat = client_for("secretariat")
    with translation.override("es"), pytest.raises(ValidationError, match="título"):
        services.pool_initiatives(by=SYSTEM, table=table, initiatives=[first, second], title=" ")
    secretariat.post(
        "/t/morona-santiago/initiatives/pool/",
        {"initiatives": [first.public_id, second.public_id], "title": "Red", "confirm": "1"},
    )
    joint = Initiative.objects.get(title="Red", is_joint=True)
    assert joint.progress == 25 and joint.geometry["type"] == "Point"
    for url in (
        "/t/morona-santiago/initiatives/alignment/",
        "/t/morona-santiago/initiatives.geojson",
        f"/t/morona-santiago/initiatives/{joint.public_id}/",
        "/t/morona-santiago/initiatives/",
    ):
        for who in ("public", "member", "secretariat"):
            assert client_for(who).get(url).status_code == 200, (url, who)  # fmt: skip
    page = secretariat.get(f"/t/morona-santiago/initiatives/{joint.public_id}/").content.decode()
    assert "Deshacer la agrupación" in page
    assert (
        client_for("member")
        .post(f"/t/morona-santiago/initiatives/{joint.public_id}/unpool/")
        .status_code
        == 403
    )
    # Something recorded against the joint initiative since: undoing would lose it.
    funding = Funding.objects.create(
        initiative=joint, funder=org(demo.FUNDER), amount=1000, currency="USD",
        source_type=Funding._meta.get_field("source_type").choices[0][0],
    )  # fmt: skip
    refused = secretariat.post(f"/t/morona-santiago/initiatives/{joint.public_id}/unpool/")
    assert refused.status_code == 302 and Initiative.objects.filter(pk=joint.pk).exists()
    funding.delete()
    done = secretariat.post(f"/t/morona-santiago/initiatives/{joint.public_id}/unpool/")
    assert done.status_code == 302 and not Initiative.objects.filter(pk=joint.pk).exists()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.progress, first.pooled_into) == ("ongoing", 40, None)
    assert (second.status, second.progress) == ("planned", 10)
    assert Event.objects.filter(type=events.INITIATIVES_UNPOOLED).exists()


def test_it_marks_overdue_commitments_daily_and_requires_reasons(table):
    commitment = services.make_commitment(
        by=SYSTEM,
        table=table,
        organization=org(demo.MUNICIPALITY),
        what="Entregar el plan",
        to_whom="La mesa",
        due_on=dt.date(2026, 1, 1),
    )
    assert services.mark_overdue(by=SYSTEM, today=dt.date(2026, 1, 2)) >= 1
    commitment.refresh_from_db()
    assert commitment.status == "overdue"
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        services.update_commitment(by=SYSTEM, commitment=commitment, status="dropped")
    assert "Diga por qué se abandonó el compromiso." in caught.value.message_dict["reason"]
    from django.core.management import call_command

    call_command("mark_overdue_commitments")


def test_it_bounds_the_queries_of_3w_and_report_with_1000_initiatives(client_for, table):
    axis = table.axes.first()
    members = list(Organization.objects.filter(memberships__table=table).distinct()[:10])
    funder = org(demo.FUNDER)
    rows = [
        Initiative(
            table=table,
            title=f"Iniciativa masiva {n}",
            organization=members[n % 10],
            axis=axis,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            place=f"Lugar {n % 17}",
            geometry={"type": "Point", "coordinates": [-77.7 + n * 1e-4, -2.4]},
            west=0,
            south=0,
            east=0,
            north=0,
        )
        for n in range(1000)
    ]
    Initiative.objects.bulk_create(rows)
    created = Initiative.objects.filter(title__startswith="Iniciativa masiva")
    Funding.objects.bulk_create(
        Funding(initiative=i, funder=funder, amount=100, currency="USD", source_type="grant")
        for i in created
    )
    client = client_for("observer")
    for url in ("/t/morona-santiago/initiatives/3w/", "/t/morona-santiago/initiatives/"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert len(captured) <= 20, (url, len(captured))
    with CaptureQueriesContext(connection) as captured:
        report = services.publish_report(
            by=SYSTEM, table=table, period="quarter", day=dt.date(2026, 11, 1), early=True
        )
    assert len(captured) <= 40
    assert report.figures["initiatives"] >= 1000
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/t/morona-santiago/reports/{report.public_id}/").status_code == 200
    assert len(captured) <= 20


def test_it_publishes_a_report_as_page_and_pdf_and_an_observer_attests_it(client_for, table):
    secretariat = client_for("secretariat")
    response = secretariat.post(
        "/t/morona-santiago/reports/", {"period": "quarter", "day": "2024-11-10", "confirm": "on"}
    )
    assert response.status_code == 302
    url = response.url
    page = Client().get(url + "?lang=es").content.decode()
    assert "Informe de rendición de cuentas 2024-T4" in page
    again = secretariat.post(
        "/t/morona-santiago/reports/?lang=es",
        {"period": "quarter", "day": "2024-10-05", "confirm": "on"},
    )
    assert again.status_code == 400 and "ya está publicado" in again.content.decode()
    client_for("observer").post(url + "attest/", {"statement": "Cifras verificadas"})
    assert "Cifras verificadas" in Client().get(url).content.decode()
    assert Event.objects.filter(type="initiatives.report_attested").exists()
    pdf = Client().get(url + "report.pdf?lang=es")
    assert pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (apt poppler-utils) is needed to read the PDF back")
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "Informe de rendición de cuentas 2024-T4" in text and "Cifras verificadas" in text
    assert "Dinero por financiador" in text


def test_it_round_trips_an_initiative_with_two_funders(client_for, table):
    from minga.core.spreadsheet import read_rows
    from minga.initiatives import sheet

    initiative = services.save_initiative(
        by=SYSTEM,
        table=table,
        data=data(
            table,
            title="Dos financiadores",
            fundings=[
                initiative_data.FundingLine(org(demo.FUNDER), "1000", "USD"),
                initiative_data.FundingLine(
                    org(demo.BANK),
                    "2000",
                    "USD",
                    "mdb_platform_line",
                ),
            ],
        ),
    )
    exported = client_for("secretariat").get("/t/morona-santiago/initiatives/export.xlsx").content
    rows = read_rows(io.BytesIO(exported), "x.xlsx", columns=sheet.COLUMNS, required=sheet.REQUIRED)
    assert len([r for r in rows if r["id"] == initiative.public_id]) == 2
    before = Funding.objects.count()
    services.import_initiatives(by=SYSTEM, table=table, rows=rows)
    assert Funding.objects.count() == before
    assert sorted(f.amount for f in initiative.fundings.all()) == [Decimal(1000), Decimal(2000)]


def test_it_reminds_a_week_before_once(table):
    from django.core import mail
    from django.core.management import call_command

    commitment = services.make_commitment(
        by=SYSTEM,
        table=table,
        organization=org(demo.FEDERATION),
        what="Entregar el mapa de zonas de uso",
        to_whom="La mesa",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    call_command("mark_overdue_commitments")
    reminders = [m for m in mail.outbox if "Entregar el mapa de zonas de uso" in m.body]
    assert len(reminders) == 1 and "member@demo.minga.invalid" in reminders[0].to
    call_command("mark_overdue_commitments")
    assert len([m for m in mail.outbox if "Entregar el mapa de zonas de uso" in m.body]) == 1
    commitment.refresh_from_db()
    assert commitment.reminded_at is not None and commitment.status == "pending"


def test_it_lets_a_member_report_its_own_initiative_only(client_for, table):
    member = client_for("member")
    point = table.territories.get().shape.representative_point()
    form = {
        "title": "Guardianes del Kutukú",
        "organization": org(demo.FEDERATION).public_id,
        "status": "ongoing",
        "progress": 10,
        "starts_on": "2026-02-01",
        "ends_on": "2026-12-31",
        "longitude": point.x,
        "latitude": point.y,
        "people": 120,
        "families": 30,
        "communities": 3,
        "funder": org(demo.FUNDER).public_id,
        "amount": "15000",
        "currency": "USD",
        "source_type": "grant",
    }
    response = member.post("/t/morona-santiago/initiatives/new/", form)
    assert response.status_code == 302
    created = Initiative.objects.get(title="Guardianes del Kutukú")
    assert created.fundings.get().amount == Decimal(15000)
    other = {
        **form,
        "title": "Ajena",
        "organization": org(demo.MUNICIPALITY).public_id,
    }
    refused = member.post("/t/morona-santiago/initiatives/new/?lang=es", other)
    assert refused.status_code == 403
    assert not Initiative.objects.filter(title="Ajena").exists()
    edit = member.post(
        f"/t/morona-santiago/initiatives/{created.public_id}/edit/", {**form, "progress": 60}
    )
    assert edit.status_code == 302
    created.refresh_from_db()
    assert created.progress == 60


def test_a_commitment_past_its_date_is_overdue_without_waiting_for_the_daily_task(
    client_for, table
):
    late = services.make_commitment(
        by=SYSTEM,
        table=table,
        organization=org(demo.MUNICIPALITY),
        what="Entregar el plan de ordenamiento",
        to_whom="La mesa",
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    assert late.status == "pending"  # stored; the daily task has not run
    html = client_for("secretariat").get("/t/morona-santiago/commitments/?lang=es").content
    row = html.decode().split("Entregar el plan de ordenamiento")[0].rsplit("<tr", 1)[1]
    assert 'class="commitment overdue"' in "<tr" + row
    starts_on, ends_on = services.period_bounds("quarter", late.due_on)
    figures = report_figures(table, starts_on, ends_on)
    assert figures["commitments"]["counts"]["overdue"] >= 1
    due = [
        c
        for c in Commitment.objects.filter(table=table, due_on__range=(starts_on, ends_on))
        if c.status in ("pending", "in_progress") and c.due_on >= timezone.localdate()
    ]
    assert figures["commitments"]["counts"]["pending"] + figures["commitments"]["counts"][
        "in_progress"
    ] == len(due)


def test_a_report_before_its_period_ends_needs_saying_so_and_says_it(client_for, table):
    secretariat = client_for("secretariat")
    today = timezone.localdate().isoformat()
    refused = secretariat.post(
        "/t/morona-santiago/reports/?lang=es", {"period": "year", "day": today, "confirm": "on"}
    )
    assert refused.status_code == 400
    assert "Marque la casilla para publicarlo de todos modos." in refused.content.decode()
    assert not AccountabilityReport.objects.filter(period="year").exists()
    done = secretariat.post(
        "/t/morona-santiago/reports/",
        {"period": "year", "day": today, "early": "on", "confirm": "on"},
    )
    assert done.status_code == 302
    page = Client().get(done.url + "?lang=es").content.decode()
    assert "Publicado antes del final del periodo" in page


def test_a_commitment_falls_due_after_the_meeting_that_made_it(table):
    from minga.meetings.models import Meeting

    meeting = Meeting.objects.filter(table=table).order_by("-starts_at").first()
    made_on = timezone.localdate(meeting.starts_at)
    before = Commitment.objects.count()
    with translation.override("en"), pytest.raises(ValidationError, match="falls due after"):
        services.make_commitment(
            by=SYSTEM,
            table=table,
            organization=org(demo.MUNICIPALITY),
            what="Entregar el mapa",
            to_whom="La mesa",
            due_on=made_on - dt.timedelta(days=1),
            meeting=meeting,
        )
    assert Commitment.objects.count() == before
    for c in Commitment.objects.filter(meeting__isnull=False).select_related("meeting"):
        assert c.due_on >= timezone.localdate(c.meeting.starts_at), c.what


def test_a_table_s_3w_places_are_its_own_communities(table):
    from minga.demo.plans import PLACES
    from minga.initiatives.queries import three_w

    places = set().union(*three_w(table).places.values())
    assert places and all(p.removeprefix("Comunidad ") in PLACES[table.slug] for p in places)
