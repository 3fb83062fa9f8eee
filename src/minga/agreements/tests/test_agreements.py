import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from shapely import unary_union
from shapely.geometry import Point

from minga.agreements import services
from minga.agreements.models import Agreement, Consent, Delivery
from minga.core import geo
from minga.core.access import SYSTEM, Sensitivity
from minga.core.models import Event
from minga.demo import data as demo
from minga.monitoring import formats
from minga.monitoring.models import Observation
from minga.monitoring.services import import_field
from minga.tables.models import Organization, Table


@pytest.fixture
def table(db):
    return Table.objects.get(slug="morona-santiago")


def draft(table, **extra):
    values = {
        "by": SYSTEM,
        "table": table,
        "title": "Acuerdo de prueba",
        "community": Organization.objects.get(name=demo.COMMUNITY),
        "counterpart": Organization.objects.get(name=demo.PREFECTURE),
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2030, 12, 31),
    }
    values.update(extra)
    return services.create_agreement(**values)


def test_it_holds_the_seven_demo_agreements(table):
    signed = Agreement.objects.filter(table=table, status="signed", signed_on=dt.date(2025, 6, 27))
    assert signed.count() == 7
    for agreement in signed:
        kinds = set(agreement.incentives.values_list("kind", flat=True))
        assert kinds == {"solar_internet", "energy_kits", "water_purification"}
        assert Delivery.objects.filter(incentive__agreement=agreement).exists()
        assert agreement.consultations.count() >= 2 and agreement.consent.decision == "consent"


def test_it_refuses_to_sign_without_consent(client_for, table):
    agreement = draft(table)
    events = Event.objects.count()
    response = client_for("secretariat").post(
        f"/t/morona-santiago/agreements/{agreement.public_id}/sign/?lang=es",
        {"signed_on": "2026-02-01", "signatories": "Prefecto; síndico", "confirm": "on"},
        follow=True,
    )
    assert (
        "no puede firmarse sin el consentimiento libre, previo e informado"
        in response.content.decode()
    )
    agreement.refresh_from_db()
    assert agreement.status == "draft" and Event.objects.count() == events


def test_it_refuses_an_incentive_delivered_twice_or_beyond_plan(table):
    agreement = Agreement.objects.filter(table=table, status="signed").first()
    incentive = agreement.incentives.get(kind="energy_kits")
    delivered = Delivery.objects.filter(incentive=incentive).first()
    before = Delivery.objects.count()
    with translation.override("es"), pytest.raises(ValidationError) as twice:
        services.record_delivery(
            by=SYSTEM, incentive=incentive, quantity=1, delivered_on=delivered.delivered_on
        )
    assert "Ya está registrada una entrega de este incentivo" in str(twice.value)
    with translation.override("es"), pytest.raises(ValidationError) as beyond:
        services.record_delivery(
            by=SYSTEM, incentive=incentive, quantity=1000, delivered_on=dt.date(2026, 1, 2)
        )
    assert "Solo quedan por entregar" in str(beyond.value)
    assert Delivery.objects.count() == before


def test_it_refuses_an_area_outside_the_territory(table):
    outside = {
        "type": "Polygon",
        "coordinates": [[[-60, -10], [-59, -10], [-59, -9], [-60, -9], [-60, -10]]],
    }
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        draft(table, geometry=outside)
    assert "El área está fuera del territorio de la mesa." in caught.value.message_dict["geometry"]
    assert not Agreement.objects.filter(title="Acuerdo de prueba").exists()


def test_it_never_shows_an_owner_level_area_outside_the_community(client_for, personas):
    secret = Agreement.objects.get(area_sensitivity=Sensitivity.OWNER)
    marker = json.dumps(secret.geometry["coordinates"][0][0])
    for persona in ("public", "outsider", "other_secretariat", "observer", "member", "secretariat"):
        client = client_for(persona)
        for url in (
            "/t/morona-santiago/agreements.geojson",
            "/t/morona-santiago/agreements/",
            f"/t/morona-santiago/agreements/{secret.public_id}/",
            "/api/v1/tables/morona-santiago",
        ):
            body = client.get(url).content.decode()
            assert marker.strip("[]").split(",")[0] not in body, (persona, url)
    from django.contrib.auth import get_user_model

    from minga.tables import services as tables
    from minga.tables.models import Membership, Person

    user = get_user_model().objects.create_user("comunero", password="x")
    person = Person.objects.create(full_name="Comunero Kuamar", user=user)
    Membership.objects.create(
        table=secret.table,
        organization=secret.community,
        person=person,
        role="monitor",
        since=dt.date(2025, 1, 1),
    )
    own = Client()
    own.force_login(user)
    assert secret.public_id in own.get("/t/morona-santiago/agreements.geojson").content.decode()
    assert tables  # the community's own monitor sees its area


def test_it_suspends_and_forgets_the_owner_area_when_consent_is_withdrawn(client_for):
    secret = Agreement.objects.get(area_sensitivity=Sensitivity.OWNER)
    secretariat = client_for("secretariat")
    secretariat.post(
        f"/t/morona-santiago/agreements/{secret.public_id}/withdraw/",
        {"withdrawn_on": "2026-11-01", "reason": "La asamblea revisó su decisión", "confirm": "on"},
    )
    secret.refresh_from_db()
    assert secret.status == "suspended" and secret.geometry is None
    assert Consent.objects.get(agreement=secret).withdrawn_on == dt.date(2026, 11, 1)
    # The area (by the agreement), and the sacred site its monitors recorded (by field
    # monitoring, in the same transaction): fingerprints only.
    withdrawn = Event.objects.get(type="agreements.consent_withdrawn")
    observations = Event.objects.get(type="monitoring.owner_observations_deleted")
    assert observations.subject == withdrawn.subject and observations.sensitivity == 2
    hashes = withdrawn.payload["deleted_sha256"] + observations.payload["deleted_sha256"]
    assert len(hashes) == 2 and all(len(h) == 64 for h in hashes)
    assert not Observation.objects.filter(agreement=secret, sensitivity=Sensitivity.OWNER).exists()


def test_it_walks_a_new_agreement_through_consent_to_signature(client_for, table):
    secretariat = client_for("secretariat")
    point = table.territories.get().shape.representative_point()
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [point.x, point.y],
                [point.x + 0.01, point.y],
                [point.x + 0.01, point.y + 0.01],
                [point.x, point.y + 0.01],
                [point.x, point.y],
            ]
        ],
    }
    response = secretariat.post(
        "/t/morona-santiago/agreements/new/",
        {
            "title": "Acuerdo Tsapau 2026",
            "community": Organization.objects.get(name=demo.COMMUNITY).public_id,
            "counterpart": Organization.objects.get(name=demo.PREFECTURE).public_id,
            "starts_on": "2026-01-01",
            "ends_on": "2031-01-01",
            "geometry": json.dumps(square),
            "area_sensitivity": 0,
        },
    )
    agreement = Agreement.objects.get(title="Acuerdo Tsapau 2026")
    base = f"/t/morona-santiago/agreements/{agreement.public_id}"
    assert response.url == base + "/"
    monitor = client_for("monitor")  # Comunidad Shuar Tsapau's monitor records its own FPIC process
    monitor.post(
        f"{base}/consultations/",
        {"held_on": "2025-12-01", "place": "Tsapau", "language": "Shuar", "participants": 60},
    )
    monitor.post(
        f"{base}/consent/",
        {"decision": "consent", "decided_on": "2025-12-20", "minutes": "Aprobado en asamblea"},
    )
    secretariat.post(
        f"{base}/incentives/", {"kind": "water_purification", "planned": 10, "unit": "filtros"}
    )
    secretariat.post(
        f"{base}/sign/",
        {"signed_on": "2026-01-05", "signatories": "Prefecto; síndico", "confirm": "on"},
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    incentive = agreement.incentives.get()
    monitor.post(
        f"{base}/incentives/{incentive.pk}/deliveries/",
        {"quantity": 4, "delivered_on": "2026-02-01"},
    )
    assert incentive.deliveries.get().quantity == 4
    assert (
        client_for("outsider")
        .post(
            f"{base}/incentives/{incentive.pk}/deliveries/",
            {"quantity": 1, "delivered_on": "2026-02-02"},
        )
        .status_code
        == 403
    )


def test_after_a_refusal_there_is_no_signing_but_a_renegotiation_can_win_consent(client_for, table):
    agreement = draft(table, title="Acuerdo renegociado")
    base = f"/t/morona-santiago/agreements/{agreement.public_id}"
    monitor, secretariat = client_for("monitor"), client_for("secretariat")
    monitor.post(
        f"{base}/consultations/",
        {"held_on": "2025-10-01", "place": "Tsapau", "language": "Shuar", "participants": 40},
    )
    monitor.post(
        f"{base}/consent/",
        {"decision": "refuse", "decided_on": "2025-10-20", "minutes": "La asamblea no acepta"},
    )
    page = secretariat.get(f"{base}/?lang=es").content.decode()
    assert f"{base}/sign/" not in page  # no form that can only be refused
    assert "Rechazo" in page and "La asamblea no acepta" in page
    # A new decision needs a consultation held after the refusal: the renegotiation.
    early = monitor.post(
        f"{base}/consent/?lang=es",
        {"decision": "consent", "decided_on": "2025-11-20", "minutes": "Aprobado"},
        follow=True,
    )
    assert "después del rechazo" in early.content.decode()
    assert Consent.objects.filter(agreement=agreement).count() == 1
    monitor.post(
        f"{base}/consultations/",
        {"held_on": "2025-11-10", "place": "Tsapau", "language": "Shuar", "participants": 55},
    )
    monitor.post(
        f"{base}/consent/",
        {"decision": "consent", "decided_on": "2025-11-20", "minutes": "Aprobado tras renegociar"},
    )
    assert [c.decision for c in Consent.objects.filter(agreement=agreement)] == [
        "refuse",
        "consent",
    ]
    page = secretariat.get(f"{base}/?lang=es").content.decode()
    assert f"{base}/sign/" in page and "La asamblea no acepta" in page  # the history stays
    # Not without saying yes to what signing does
    unconfirmed = secretariat.post(
        f"{base}/sign/?lang=en", {"signed_on": "2025-12-01", "signatories": "Prefecto"}, follow=True
    )
    assert "Tick the box to confirm that you want this to happen." in unconfirmed.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "draft"
    page = secretariat.get(f"{base}/?lang=en").content.decode()
    assert "its signature is written in the public log, where it cannot be undone" in page
    secretariat.post(
        f"{base}/sign/", {"signed_on": "2025-12-01", "signatories": "Prefecto", "confirm": "on"}
    )
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    again = monitor.post(
        f"{base}/consent/?lang=es",
        {"decision": "refuse", "decided_on": "2025-12-20", "minutes": "Otra"},
        follow=True,
    )
    assert "ya está registrada" in again.content.decode()


def test_field_observations_do_not_attach_to_an_agreement_the_assembly_refused(table):
    point = table.territories.get().shape.representative_point()
    x, y = point.x, point.y
    ring = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
    agreement = draft(
        table,
        title="Acuerdo rechazado",
        geometry={"type": "Polygon", "coordinates": [ring]},
    )
    services.record_consultation(
        by=SYSTEM,
        agreement=agreement,
        held_on=dt.date(2025, 10, 1),
        place="Tsapau",
        language="Shuar",
        participants=30,
    )
    services.record_consent(
        by=SYSTEM,
        agreement=agreement,
        decision="refuse",
        decided_on=dt.date(2025, 10, 20),
        minutes="No",
    )
    feature = {
        "type": "Feature",
        "id": "obs-in-refused-area",
        "geometry": {"type": "Point", "coordinates": [x + 0.01, y + 0.01]},
        "properties": {"notes": "Tala reciente", "createdAt": "2026-03-01T10:00:00Z"},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    import_field(by=SYSTEM, table=table, export=formats.read(data, "geojson"))
    observation = Observation.objects.get(notes="Tala reciente")
    overlapping = [
        a
        for a in Agreement.objects.filter(table=table, status="signed")
        if a.geometry and geo.parse_area(a.geometry).covers(Point(x + 0.01, y + 0.01))
    ]
    assert observation.agreement_id in {a.pk for a in overlapping} | {None}
    assert observation.agreement_id != agreement.pk


def _free_spot(table):
    """A point inside the territory, clear of the demo's agreements."""
    taken = unary_union(
        [
            geo.parse_area(a.geometry).buffer(0.05)
            for a in table.agreements.exclude(geometry__isnull=True)
        ]
    )
    return table.territories.get().shape.buffer(-0.05).difference(taken).representative_point()


def _square_in(table, size=0.01, spot=None):
    spot = spot or _free_spot(table)
    x, y = spot.x, spot.y
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_new_agreement_over_another_communitys_agreement_warns_before_it_is_saved(
    client_for, table
):
    secretariat = client_for("secretariat")
    spot = _free_spot(table)
    first = draft(table, title="Acuerdo Tsapau", geometry=_square_in(table, spot=spot))
    other = Organization.objects.filter(sector="community").exclude(name=demo.COMMUNITY).first()
    form = {
        "title": "Acuerdo vecino",
        "community": other.public_id,
        "counterpart": Organization.objects.get(name=demo.PREFECTURE).public_id,
        "starts_on": "2026-01-01",
        "ends_on": "2031-01-01",
        "geometry": json.dumps(_square_in(table, 0.02, spot=spot)),
        "area_sensitivity": 0,
    }
    warned = secretariat.post("/t/morona-santiago/agreements/new/?lang=es", form)
    html = warned.content.decode()
    assert warned.status_code == 400 and not Agreement.objects.filter(title="Acuerdo vecino")
    assert "Acuerdo Tsapau" in html and demo.COMMUNITY in html and "se superpone" in html
    saved = secretariat.post(
        "/t/morona-santiago/agreements/new/", form | {"overlap_confirmed": "on"}
    )
    assert saved.status_code == 302
    created = Event.objects.filter(type="agreements.agreement_created").last()
    assert created.payload["overlaps"] == [first.public_id]
    # The same community's own agreement, or one that only touches, is no overlap.
    same = secretariat.post(
        "/t/morona-santiago/agreements/new/",
        form | {"title": "Renovación Tsapau", "community": first.community.public_id},
    )
    assert same.status_code == 400  # it still overlaps the neighbour's new one
    assert "Acuerdo vecino" in same.content.decode()
    assert "Acuerdo Tsapau" not in same.content.decode().split("errorlist", 1)[-1]


def test_a_new_agreement_reads_not_analysed_yet_on_the_satellite_pages(client_for, table):
    agreement = draft(table, title="Acuerdo sin analizar", geometry=_square_in(table))
    public = client_for("public")
    overview = public.get("/t/morona-santiago/satellite/?lang=es").content.decode()
    row = overview.split("Acuerdo sin analizar", 1)[1].split("</tr>", 1)[0]
    assert "Aún no analizada" in row and "0,0" not in row
    zone = public.get(
        f"/t/morona-santiago/satellite/agreement/{agreement.public_id}/?lang=es"
    ).content.decode()
    assert "Aún no analizada" in zone
