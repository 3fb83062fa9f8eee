"""Local Contexts labels: a Hub project read from a real HTTP server speaking the Hub API and
kept here (pages never ask the Hub again), labels that bind — a restricting label holds a record
to its community in the database itself, at import too, and keeps it out of open data and the
public log's payloads; a non-commercial one keeps an area out of credit sales — and labels shown
with the record on its page, in open data, GeoJSON, the package metadata and the portal map."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from shapely.geometry import shape

from minga.agreements.models import Agreement
from minga.core.access import SYSTEM, Sensitivity
from minga.core.models import Event
from minga.credits import cadt
from minga.credits import services as credits
from minga.credits.models import Account, Project
from minga.demo import data as demo
from minga.demo.labels import HUB_PROJECT
from minga.labels import catalog, hub, services
from minga.labels.models import Applied, HubProject, Label, Target
from minga.ledger import services as ledger
from minga.ledger.models import LogEntry
from minga.library import services as library
from minga.monitoring import queries as monitoring_queries
from minga.monitoring import services as monitoring
from minga.monitoring.models import Observation
from minga.portal import opendata
from minga.tables.models import Organization, Table

pytestmark = pytest.mark.django_db
KEY = "hub-api-key-for-tests"
PROJECT = "fake0000-0000-0000-0000-000000000001"


@pytest.fixture
def table():
    return Table.objects.get(slug="morona-santiago")


@pytest.fixture
def tsapau():
    return Organization.objects.get(name=demo.COMMUNITY)


class _Hub(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        server: Any = self.server
        server.asked.append((self.path, self.headers.get("X-Api-Key")))
        if self.path == "/elsewhere":
            self._answer(307, b"", {"Location": f"{server.other}/api/v2/projects/x/"})
        elif self.headers.get("X-Api-Key") != KEY:
            self._answer(401, b'{"detail": "Invalid API key."}')
        elif self.path == f"/api/v2/projects/{PROJECT}/":
            body = {**HUB_PROJECT, "unique_id": PROJECT, "title": "Proyecto en el Hub"}
            body["project_page"] = f"https://sandbox.localcontextshub.org/projects/{PROJECT}"
            self._answer(200, json.dumps(body).encode())
        elif self.path.startswith("/api/v2/projects/redirect"):
            self._answer(302, b"", {"Location": f"{server.other}/api/v2/projects/{PROJECT}/"})
        else:
            self._answer(404, b'{"detail": "Not found."}')

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hub_server(settings):
    servers = []
    for _ in range(2):
        server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
        server.asked = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    main, other = servers
    main.other = f"http://127.0.0.1:{other.server_port}"
    other.other = main.other
    settings.MINGA_LOCALCONTEXTS_URL = f"http://127.0.0.1:{main.server_port}"
    settings.MINGA_LOCALCONTEXTS_API_KEY = KEY
    yield main, other
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_catalog_names_every_label_and_notice_with_its_page():
    assert len([t for t in catalog.TYPES if t.category == catalog.TK]) == 20
    assert len([t for t in catalog.TYPES if t.category == catalog.BC]) == 10
    assert len([t for t in catalog.TYPES if t.category == catalog.NOTICE]) == 4
    assert set(catalog.BY_KEY) >= catalog.RESTRICTING | catalog.NON_COMMERCIAL
    assert catalog.BY_KEY[(catalog.TK, "secret_sacred")].url == (
        "https://localcontexts.org/label/tk-secret-sacred/"
    )
    with translation.override("pt"):
        assert str(catalog.BY_KEY[(catalog.TK, "non_commercial")].meaning) == (
            "Nunca para uso comercial."
        )


def test_a_hub_project_is_read_from_the_hub_and_kept_then_pages_never_ask(
    hub_server, table, tsapau, client, settings
):
    main, other = hub_server
    project = services.fetch_hub_project(
        by=SYSTEM, table=table, community=tsapau, project_id=PROJECT
    )
    assert main.asked == [(f"/api/v2/projects/{PROJECT}/", KEY)]
    assert project.title == "Proyecto en el Hub" and project.page.endswith(PROJECT)
    kept = Label.objects.filter(hub_project=project)
    assert {label.label_type for label in kept} == {"attribution", "secret_sacred", "provenance"}
    attribution = kept.get(label_type="attribution")
    assert attribution.text_in("pt")[0] == "TK Atribuição (TK A)"
    area = Agreement.objects.get(table=table, community=tsapau)
    services.apply(by=SYSTEM, label=attribution, target=Target.AGREEMENT, target_id=area.public_id)
    main.shutdown()  # the Hub is gone: the page still shows the community's own words
    with translation.override("pt"):
        page = client.get(
            reverse("agreement", args=[table.slug, area.public_id]), HTTP_ACCEPT_LANGUAGE="pt"
        )
    assert "TK Atribuição (TK A)" in page.content.decode()
    assert "Nomeie a Comunidade Shuar Tsapau" in page.content.decode()
    # failures say why, in the reader's language, and keep what was there
    for project_id, message in (
        ("missing", "no project with that identifier"),
        ("redirect", "another server"),
    ):
        main_again: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
        main_again.asked, main_again.other = [], main.other
        threading.Thread(target=main_again.serve_forever, daemon=True).start()
        settings.MINGA_LOCALCONTEXTS_URL = f"http://127.0.0.1:{main_again.server_port}"
        with translation.override("en"), pytest.raises(hub.HubError, match=message):
            services.fetch_hub_project(
                by=SYSTEM, table=table, community=tsapau, project_id=project_id
            )
        main_again.shutdown()
        main_again.server_close()
    assert other.asked == []  # the key never went to the other server
    settings.MINGA_LOCALCONTEXTS_URL, settings.MINGA_LOCALCONTEXTS_API_KEY = main.other, "wrong"
    with translation.override("es"), pytest.raises(hub.HubError, match="rechazó la clave"):
        hub.fetch(PROJECT)
    assert HubProject.objects.filter(hub_id=PROJECT).count() == 1


def test_a_file_that_is_not_a_hub_project_is_refused():
    with translation.override("en"), pytest.raises(hub.HubError, match="not JSON"):
        hub.parse(b"<html>")
    with translation.override("pt"), pytest.raises(hub.HubError, match="sem unique_id"):
        hub.parse(b'{"title": "x"}')


def _inside(agreement: Agreement) -> tuple[float, float]:
    point = shape(agreement.geometry).representative_point()
    return point.y, point.x


def test_a_restricting_label_holds_an_observation_to_its_community(table, tsapau):
    area = Agreement.objects.get(table=table, community=tsapau)
    lat, lon = _inside(area)
    seen = monitoring.record_observation(
        by=SYSTEM,
        table=table,
        key="labels-1",
        kind="wildlife",
        observed_at=timezone.now() - dt.timedelta(hours=2),
        lat=lat,
        lon=lon,
        notes="Huellas de jaguar junto al salado",
    )
    Observation.objects.filter(pk=seen.pk).update(sensitivity=Sensitivity.PUBLIC)
    public = {r["observation_id"] for r in opendata.BY_NAME["observations"].rows(table)}
    assert seen.public_id in public
    secret = Label.objects.get(table=table, community=tsapau, label_type="secret_sacred")
    services.apply(by=SYSTEM, label=secret, target=Target.OBSERVATION, target_id=seen.public_id)
    seen.refresh_from_db()
    assert (seen.sensitivity, seen.label_floor) == (Sensitivity.OWNER, Sensitivity.OWNER)
    assert seen.public_id not in {
        r["observation_id"] for r in opendata.BY_NAME["observations"].rows(table)
    }
    # nobody lowers it while the label is on: the database itself refuses
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.filter(pk=seen.pk).update(sensitivity=Sensitivity.PUBLIC)
    # the log holds only a commitment of which record the label guards
    event = Event.objects.filter(type="labels.label_applied").order_by("-pk").first()
    assert event.sensitivity == Sensitivity.OWNER
    ledger.integrate()
    leaf = bytes(LogEntry.objects.get(event=event).leaf).decode()
    assert seen.public_id not in leaf and "commitment" in leaf
    # taken off, the floor goes; the sensitivity stays where the community left it
    services.remove(by=SYSTEM, applied=Applied.objects.get(target_id=seen.public_id))
    seen.refresh_from_db()
    assert (seen.sensitivity, seen.label_floor) == (Sensitivity.OWNER, 0)


def test_a_label_on_a_category_binds_what_comes_in_later(table, tsapau, personas):
    label = services.adopt(
        by=SYSTEM, table=table, community=tsapau, category="tk", label_type="community_use_only"
    )
    services.apply(by=SYSTEM, label=label, target=Target.CATEGORY, target_id="wildlife")
    lat, lon = _inside(Agreement.objects.get(table=table, community=tsapau))
    later = monitoring.record_observation(
        by=SYSTEM,
        table=table,
        key="labels-2",
        kind="wildlife",
        observed_at=timezone.now() - dt.timedelta(hours=1),
        lat=lat,
        lon=lon,
    )
    assert (later.sensitivity, later.label_floor) == (Sensitivity.OWNER, Sensitivity.OWNER)
    assert later.labels == "TK Community Use Only (TK CO)"
    # the community's own map shows it with its label; a member of another seat does not see it
    mapped = monitoring_queries.geojson_for(personas["monitor"], table)
    feature = next(f for f in mapped["features"] if f["id"] == later.public_id)
    assert feature["properties"]["labels"] == "TK Community Use Only (TK CO)"
    assert "TK CO" in feature["properties"]["label"]
    # a second label on the category reaches what is already there; taking them off clears it
    attribution = Label.objects.get(table=table, community=tsapau, label_type="attribution")
    services.apply(by=SYSTEM, label=attribution, target=Target.CATEGORY, target_id="wildlife")
    later.refresh_from_db()
    assert later.labels == "TK Atribución (TK A); TK Community Use Only (TK CO)"
    for applied in Applied.objects.filter(target=Target.CATEGORY, target_id="wildlife"):
        services.remove(by=SYSTEM, applied=applied)
    later.refresh_from_db()
    assert (later.labels, later.label_floor, later.sensitivity) == ("", 0, Sensitivity.OWNER)
    with translation.override("en"), pytest.raises(ValidationError, match="type or category"):
        services.apply(by=SYSTEM, label=label, target=Target.CATEGORY, target_id="nothing")


def test_only_the_community_applies_its_labels(table, tsapau, personas):
    label = Label.objects.get(table=table, community=tsapau, label_type="attribution")
    other = Agreement.objects.exclude(community=tsapau).filter(table=table).first()
    with pytest.raises(PermissionDenied):
        services.apply(
            by=personas["secretariat"],
            label=label,
            target=Target.AGREEMENT,
            target_id=other.public_id,
        )
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        services.apply(
            by=personas["monitor"], label=label, target=Target.AGREEMENT, target_id=other.public_id
        )
    assert "Solo los registros propios de" in " ".join(caught.value.messages)


def test_a_non_commercial_area_is_out_of_credit_sales(table):
    project = Project.objects.get(project_id="BJ01-001")
    steward = project.agreement.community
    label = services.adopt(
        by=SYSTEM, table=table, community=steward, category="bc", label_type="non_commercial"
    )
    services.apply(
        by=SYSTEM, label=label, target=Target.AGREEMENT, target_id=project.agreement.public_id
    )
    buyer = Account.objects.filter(table=table, kind="buyer").first()
    with translation.override("pt"), pytest.raises(ValidationError) as caught:
        credits.sell(
            by=SYSTEM,
            project=project,
            buyer=buyer,
            credits=10,
            price=1,
            currency="USD",
            sold_on=timezone.localdate(),
            committed=True,
        )
    assert "não são para venda" in " ".join(caught.value.messages)
    found = cadt.records(table)
    assert found.projectLocations[0]["geographicIdentifier"].startswith("withheld")
    report = project.batches.get().verification
    assert report.zone_name not in found.issuances[0]["verificationApproach"]
    assert report.public_id in found.issuances[0]["verificationApproach"]


def test_labels_travel_with_the_record_in_open_data_and_the_map(table, tsapau, client):
    area = Agreement.objects.get(table=table, community=tsapau)
    rows = {r["agreement_id"]: r for r in opendata.BY_NAME["agreements"].rows(table)}
    assert rows[area.public_id]["labels"] == "TK Atribución (TK A); BC Procedencia (BC P)"
    geojson = opendata.to_geojson(opendata.BY_NAME["agreements"], table)
    feature = next(f for f in geojson["features"] if f["id"] == area.public_id)
    assert "BC Procedencia" in feature["properties"]["labels"]
    with zipfile.ZipFile(io.BytesIO(opendata.package(table))) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        assert "labels" in archive.read("agreements.csv").decode().splitlines()[0]
    names = {entry["name"]: entry for entry in descriptor["localContexts"]}
    assert names["BC Procedencia (BC P)"]["community"] == demo.COMMUNITY
    assert names["BC Procedencia (BC P)"]["resources"] == ["agreements"]
    mapped = client.get(reverse("portal-map", args=[table.slug])).json()
    popup = next(f for f in mapped["features"] if "Tsapau" in f["properties"]["label"])
    assert "TK Atribución" in popup["properties"]["label"]
    answer = client.get(f"/api/v1/open-data/{table.slug}/agreements").json()
    assert any("BC Procedencia" in row["labels"] for row in answer["rows"])


def test_the_labels_page_for_the_public_and_for_the_community(table, tsapau, client_for):
    page = client_for("public").get(reverse("labels", args=[table.slug])).content.decode()
    # which records a restricting label guards is the community's to know
    assert "BC Procedencia (BC P)" in page and "Sitio sagrado" not in page
    monitor = client_for("monitor")
    mine = monitor.get(reverse("labels", args=[table.slug])).content.decode()
    assert "Sitio sagrado" in mine and 'name="adopt-label"' in mine
    answer = monitor.post(
        reverse("labels-act", args=[table.slug]),
        {"action": "adopt", "adopt-community": tsapau.public_id, "adopt-label": "tk:seasonal"},
    )
    assert answer.status_code == 302
    seasonal = Label.objects.get(table=table, community=tsapau, label_type="seasonal")
    document_page = reverse("labels-act", args=[table.slug])
    monitor.post(
        document_page,
        {
            "action": "apply",
            "apply-label": seasonal.public_id,
            "apply-target": "agreement",
            "apply-target_id": Agreement.objects.get(table=table, community=tsapau).public_id,
        },
    )
    assert Applied.objects.filter(label=seasonal).exists()
    about = client_for("public").get(reverse("labels-about"), HTTP_ACCEPT_LANGUAGE="pt")
    assert about.status_code == 200


def test_which_agreement_a_restricting_label_guards_is_the_community_s_to_know(table, client_for):
    kuamar = Organization.objects.get(name="Comunidad Achuar Kuamar")
    area = Agreement.objects.get(table=table, community=kuamar)
    assert (area.area_sensitivity, area.label_floor) == (Sensitivity.OWNER, Sensitivity.OWNER)
    url = reverse("agreement", args=[table.slug, area.public_id])
    assert "TK CO" not in client_for("public").get(url).content.decode()
    assert "TK CO" not in client_for("monitor").get(url).content.decode()  # Tsapau's monitor
    rows = {r["agreement_id"]: r for r in opendata.BY_NAME["agreements"].rows(table)}
    assert rows[area.public_id]["labels"] == ""
    assert all(
        "Community Use Only" not in entry["name"] for entry in opendata.local_contexts(table)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=area.pk).update(area_sensitivity=Sensitivity.PUBLIC)


def test_the_labels_page_names_no_record_the_public_cannot_see(table, tsapau, client_for):
    kept = library.add_document(
        by=SYSTEM,
        table=table,
        kind="other",
        title="Mapa de los caminos de cacería",
        sensitivity=Sensitivity.TABLE,
        upload=SimpleUploadedFile("mapa.pdf", b"%PDF-1.4 caminos"),
        organization=tsapau,
    )
    attribution = Label.objects.get(table=table, community=tsapau, label_type="attribution")
    services.apply(by=SYSTEM, label=attribution, target=Target.DOCUMENT, target_id=kept.public_id)
    event = Event.objects.filter(type="labels.label_applied").order_by("-pk").first()
    assert event.sensitivity == Sensitivity.TABLE  # as the document itself
    page = reverse("labels", args=[table.slug])
    assert "caminos de cacería" not in client_for("public").get(page).content.decode()
    assert "caminos de cacería" in client_for("monitor").get(page).content.decode()


def test_a_category_reclassified_into_a_labelled_type_is_bound(table, tsapau):
    label = services.adopt(
        by=SYSTEM, table=table, community=tsapau, category="tk", label_type="women_restricted"
    )
    services.apply(by=SYSTEM, label=label, target=Target.CATEGORY, target_id="wildlife")
    lat, lon = _inside(Agreement.objects.get(table=table, community=tsapau))
    seen = Observation.objects.create(
        table=table,
        owner=tsapau,
        source="odk",
        source_key="labels-reclassified",
        observed_at=timezone.now(),
        kind="other",
        categories=["planta_medicinal"],
        lon=lon,
        lat=lat,
        sensitivity=Sensitivity.TABLE,
    )
    monitoring.map_category(by=SYSTEM, table=table, code="planta_medicinal", kind="wildlife")
    seen.refresh_from_db()
    assert seen.kind == "wildlife"
    assert (seen.sensitivity, seen.label_floor) == (Sensitivity.OWNER, Sensitivity.OWNER)
    assert seen.labels == "TK Women Restricted (TK WR)"
