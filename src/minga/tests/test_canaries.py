"""Canary values planted in owner- and table-level fields of every area never reach the public.

The crawl lists its routes from the URLconf and the API schema (through the permission matrix's
``discovered_routes``): a route not visited fails the test. Every answer is read as the public
gets it — HTML, JSON, CSV and GeoJSON as text, ZIP packages file by file, PDFs through
pdftotext — and no canary may appear in any of them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from minga.agreements.models import Agreement
from minga.core.access import SYSTEM, Sensitivity
from minga.core.events import record_event
from minga.core.geo import parse_area
from minga.core.testing import DEMO_TABLE, declared_event_types
from minga.funds.models import Application, Fund
from minga.health import services as health
from minga.labels import services as labels
from minga.labels.models import Target
from minga.ledger import queries as log_queries
from minga.ledger import services as ledger
from minga.ledger import tiles
from minga.ledger.models import LogEntry
from minga.library import services as library
from minga.meetings import services as meetings
from minga.monitoring import formats
from minga.monitoring import services as field_services
from minga.monitoring.models import FieldSource, Observation, Patrol
from minga.tables import services as tables
from minga.tables.models import Membership, Organization, Table, Territory
from minga.tests.routes import _url, discovered_routes

# coordinates no demo place has: a sacred site, an owner-level area, a table-level track
LON, LAT = -78.864209, -3.975318
COORDINATE_MARKS = ("78.8642", "3.9753")
CANARIES = (
    "CANARY-OWNER-NOTES",
    "canary-table@demo.minga.invalid",
    "CANARY-TABLE-PHONE",
    "CANARY-OWNER-GENDER",
    "CANARY-OWNER-PEOPLE",
    "CANARY-TABLE-LANGUAGES",
    "CANARY-TABLE-NAME",
    "CANARY-PRIVATE-MEETING",
    "CANARY-PRIVATE-MINUTES",
    "CANARY-TABLE-TERRITORY",
    "CANARY-OWNER-SITE",
    "CANARY-TABLE-OBSERVATION",
    "CANARY-TABLE-MONITORS",
    "CANARY-OWNER-SYNCED",
    "CANARY-TABLE-SOURCE",
    "CANARY-TABLE-RISK",
    "CANARY-TABLE-MITIGATION",
    "CANARY-TABLE-FUNDING",
    "CANARY-TABLE-FELLOW",
    "CANARY-OWNER-EVENT",
    "CANARY-TABLE-DOCUMENT",
    "CANARY-TABLE-DOCFILE",
    "CANARY-OWNER-DOCUMENT",
    "CANARY-OWNER-DOCFILE",
    # public records a community's Local Contexts label keeps to itself
    "CANARY-LABELLED-SITE",
    "CANARY-LABELLED-DOCFILE",
    *COORDINATE_MARKS,
)


def _square(lon: float, lat: float, d: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def canaries(world: dict[str, Any]) -> dict[str, str]:
    """Plant a canary in every sensitive field of every area; return the pages that hold them."""
    table = Table.objects.get(slug=DEMO_TABLE)
    organization = Organization.objects.get(public_id=world["organization"])
    organization.internal_notes = "CANARY-OWNER-NOTES"
    organization.contact_email = "canary-table@demo.minga.invalid"
    organization.contact_phone = "CANARY-TABLE-PHONE"
    organization.save()
    person = tables.create_person(
        by=SYSTEM,
        table=table,
        full_name="CANARY-TABLE-NAME",
        email="canary-table@demo.minga.invalid",
        phone="CANARY-TABLE-PHONE",
        gender="CANARY-OWNER-GENDER",
        people="CANARY-OWNER-PEOPLE",
        languages="CANARY-TABLE-LANGUAGES",
        birth_year=2001,
        visibility=Sensitivity.TABLE,
    )
    tables.add_membership(
        by=SYSTEM, table=table, organization=organization, person=person, seat="alternate"
    )
    private = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title="CANARY-PRIVATE-MEETING",
        starts_at=timezone.now() - dt.timedelta(days=2),
        place="CANARY-PRIVATE-MEETING place",
        is_public=False,
    )
    meetings.record_attendance(
        by=SYSTEM, meeting=private, rows=[meetings.AttendanceRow(organization, "present")]
    )
    meetings.save_minutes(by=SYSTEM, meeting=private, minutes="CANARY-PRIVATE-MINUTES")
    meetings.publish_minutes(by=SYSTEM, meeting=private)
    hidden = Territory(table=table, name="CANARY-TABLE-TERRITORY", sensitivity=Sensitivity.TABLE)
    hidden.set_area(parse_area(_square(LON, LAT)))
    hidden.save()
    agreement = Agreement.objects.filter(table=table).first()
    Agreement.objects.filter(pk=agreement.pk).update(
        geometry=_square(LON, LAT, 0.02),
        hectares=Decimal("4321.09"),
        area_sensitivity=Sensitivity.OWNER,
    )
    for level, notes in (
        (Sensitivity.OWNER, "CANARY-OWNER-SITE"),
        (Sensitivity.TABLE, "CANARY-TABLE-OBSERVATION"),
    ):
        Observation.objects.create(
            table=table,
            agreement=agreement,
            owner=agreement.community,
            source="odk",
            source_key=f"canary-{level}",
            observed_at=timezone.now() - dt.timedelta(days=1),
            kind="sacred_site" if level == Sensitivity.OWNER else "fire",
            lon=LON,
            lat=LAT,
            notes=notes,
            sensitivity=level,
        )
    Patrol.objects.create(
        table=table,
        source="odk",
        source_key="canary-track",
        started_at=timezone.now() - dt.timedelta(days=1),
        monitors="CANARY-TABLE-MONITORS",
        track={"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.01, LAT + 0.01]]},
    )
    # A community's own source, imported the way field data comes in: its rows stay its own.
    source = FieldSource.objects.create(
        table=table, name="CANARY-TABLE-SOURCE", signature="canary", community=agreement.community,
        owner_level=True, mapping={"where": "$geometry", "when": ["fecha"], "what": "tipo", "notes": ["nota"]},
    )  # fmt: skip
    collection = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "canary-synced",
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
        "properties": {"tipo": "fire", "nota": "CANARY-OWNER-SYNCED", "fecha": "2026-11-01"},
    }]}  # fmt: skip
    field_services.import_field(
        by=SYSTEM, table=table, source=source,
        export=formats.read(json.dumps(collection).encode(), "geojson"),
    )  # fmt: skip
    assert Observation.objects.filter(
        notes="CANARY-OWNER-SYNCED", sensitivity=Sensitivity.OWNER
    ).exists()
    health.add_risk(
        by=SYSTEM,
        table=table,
        kind="other",
        title="CANARY-TABLE-RISK",
        likelihood=2,
        impact=2,
        mitigation="CANARY-TABLE-MITIGATION",
    )
    health.record_secretariat_funding(
        by=SYSTEM,
        table=table,
        source="CANARY-TABLE-FUNDING",
        amount=Decimal("100.00"),
        currency="USD",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
    )
    call = Fund.objects.get(slug="fondo-comun-mesas").calls.get(kind="challenge")
    fellowship = Application.objects.create(
        call=call,
        table=table,
        organization=organization,
        fellow=person,
        title="Beca",
        summary="Formación",
        amount=Decimal("100.00"),
    )
    from django.db import transaction

    with declared_event_types("test.canary_planted"), transaction.atomic():
        record_event(
            "test.canary_planted",
            actor=SYSTEM,
            table=table,
            sensitivity=Sensitivity.OWNER,
            payload={"note": "CANARY-OWNER-EVENT"},
        )
    documents = {}
    for level, name in ((Sensitivity.TABLE, "TABLE"), (Sensitivity.OWNER, "OWNER")):
        planted = library.add_document(
            by=SYSTEM,
            table=table,
            kind="agreement",
            title=f"CANARY-{name}-DOCUMENT",
            sensitivity=level,
            upload=SimpleUploadedFile("texto.pdf", f"CANARY-{name}-DOCFILE".encode()),
            organization=organization,
        )
        library.add_version(
            by=SYSTEM,
            document=planted,
            upload=SimpleUploadedFile("texto-2.pdf", f"CANARY-{name}-DOCFILE v2".encode()),
            note=f"CANARY-{name}-DOCUMENT note",
        )
        documents[name] = planted.public_id
    # A public observation and a public document under the community's restricting labels:
    # whatever their sensitivity said, the labels keep them from every public answer.
    community = agreement.community
    labelled = Observation.objects.create(
        table=table,
        owner=community,
        source="odk",
        source_key="canary-labelled",
        observed_at=timezone.now() - dt.timedelta(days=1),
        kind="wildlife",
        lon=LON,
        lat=LAT,
        notes="CANARY-LABELLED-SITE",
        sensitivity=Sensitivity.PUBLIC,
    )
    shared = library.add_document(
        by=SYSTEM,
        table=table,
        kind="other",
        # its title entered the public log when it was uploaded public; what the label
        # guards from then on is the document itself
        title="Saberes de la comunidad",
        sensitivity=Sensitivity.PUBLIC,
        upload=SimpleUploadedFile("saber.pdf", b"CANARY-LABELLED-DOCFILE"),
        organization=community,
    )
    for label_type, target, target_id in (
        ("secret_sacred", Target.OBSERVATION, labelled.public_id),
        ("community_use_only", Target.DOCUMENT, shared.public_id),
    ):
        label = labels.adopt(
            by=SYSTEM, table=table, community=community, category="tk", label_type=label_type
        )
        labels.apply(by=SYSTEM, label=label, target=target, target_id=target_id)
    before = LogEntry.objects.count()
    ledger.publish()
    assert Membership.objects.filter(person=person).exists()
    return {
        "person": person.public_id,
        "meeting": private.public_id,
        "agreement": agreement.public_id,
        "territory": hidden.public_id,
        "application": fellowship.public_id,
        "documents": documents,
        "log_from": str(before),
        "log_to": str(LogEntry.objects.count()),
    }


def _texts(response: Any) -> list[str]:
    """The answer as text, whatever its kind."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "zip" in kind:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    if "pdf" in kind:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(body)
            pdf.flush()
            done = subprocess.run(["pdftotext", pdf.name, "-"], capture_output=True)
        # an uploaded document that is not a readable PDF is searched as it is
        return [(done.stdout if done.returncode == 0 else body).decode("utf-8", "replace")]
    return [body.decode("utf-8", "replace")]


def _entry_bundles(canaries: dict[str, Any]) -> list[str]:
    """The tlog-tiles entry bundles that hold the canaries' leaves, as the tree now stands."""
    size = log_queries.size()
    first, last = (
        int(canaries["log_from"]) // tiles.WIDTH,
        (int(canaries["log_to"]) - 1) // tiles.WIDTH,
    )
    urls = []
    for n in range(first, last + 1):
        width = tiles.width_at(0, n, size)
        suffix = "" if width == tiles.WIDTH else f".p/{width}"
        urls.append(f"/log/tile/entries/{tiles.index_path(n)}{suffix}")
    return urls


def test_no_canary_reaches_the_public(canaries, world):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) reads the PDFs: apt-get install poppler-utils")
    client = Client()
    visited: set[str] = set()
    urls: list[tuple[str, str]] = []
    for route in sorted(discovered_routes()):
        url, _body = _url(route, world, "public")
        urls.append((route, url))
    table = f"/t/{DEMO_TABLE}"
    urls += [
        ("canary", f"/p/{canaries['person']}/"),
        ("canary", f"{table}/meetings/{canaries['meeting']}/"),
        ("canary", f"{table}/meetings/{canaries['meeting']}/report/"),
        ("canary", f"{table}/meetings/{canaries['meeting']}/report.pdf"),
        ("canary", f"{table}/meetings/{canaries['meeting']}/meeting.ics"),
        ("canary", f"{table}/agreements/{canaries['agreement']}/"),
        ("canary", f"{table}/satellite/territory/{canaries['territory']}/"),
        ("canary", f"{table}/satellite/agreement/{canaries['agreement']}/"),
        ("canary", f"/funds/applications/{canaries['application']}/"),
        ("canary", f"{table}/library/"),
        *(
            ("canary", f"{table}/library/{document}/{part}")
            for document in canaries["documents"].values()
            for part in ("", "v1/", "v2/")
        ),
        ("canary", f"/open-data/{DEMO_TABLE}/agreements.geojson"),
        ("canary", f"/open-data/{DEMO_TABLE}/observations.geojson"),
        ("canary", f"/api/v1/open-data/{DEMO_TABLE}/agreements"),
        ("canary", f"/api/v1/open-data/{DEMO_TABLE}/observations"),
        *(
            ("canary", f"/log/entries/{i}")
            for i in range(int(canaries["log_from"]), int(canaries["log_to"]))
        ),
        *(("canary", url) for url in _entry_bundles(canaries)),
    ]
    leaks: dict[str, list[str]] = {}
    for route, url in urls:
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        visited.add(route)
        text = "\n".join(_texts(response))
        found = [c for c in CANARIES if c in text]
        if found:
            leaks[url] = found
    assert leaks == {}
    assert discovered_routes() - visited == set(), "routes the crawl did not visit"
    # the planted values are really there for those who may see them
    secretariat = Client()
    secretariat.force_login(
        Membership.objects.filter(
            table__slug=DEMO_TABLE, role="secretariat", person__user__isnull=False
        )
        .first()
        .person.user
    )
    health_page = secretariat.get(f"{table}/health/").content.decode()
    assert "CANARY-TABLE-RISK" in health_page and "CANARY-TABLE-FUNDING" in health_page
    assert "CANARY-PRIVATE-MEETING" in secretariat.get(f"{table}/meetings/").content.decode()
    shelf = secretariat.get(f"{table}/library/").content.decode()
    # the secretariat reads the table's documents, not another organization's own ones
    assert "CANARY-TABLE-DOCUMENT" in shelf and "CANARY-OWNER-DOCUMENT" not in shelf
