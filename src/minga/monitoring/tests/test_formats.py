"""Each tool's export, written to its documented structure, read and imported (idempotently)."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.monitoring import formats
from minga.monitoring.models import FieldImport, Observation, Patrol, Quarantined
from minga.monitoring.services import import_field
from minga.tables.models import Table
from minga.tests.production import _odk_csv

LON, LAT = -77.70, -2.40


def kobo_json(edit=False):
    lon = -199  # the second observation's impossible longitude goes to the quarantine
    return json.dumps(
        {
            "count": 1,
            "next": None,
            "results": [
                {
                    "_id": 101,
                    "_uuid": "b2" if edit else "b1",
                    "meta/instanceID": "uuid:b2" if edit else "uuid:b1",
                    "meta/rootUuid": "uuid:b2" if edit else "uuid:b1",
                    **({"meta/deprecatedID": "uuid:b1"} if edit else {}),
                    "start": "2026-09-01T07:05:00.000-05:00",
                    "_submission_time": "2026-09-01T15:00:00",
                    "patrol/monitors": "Yampik Tiwiram, Nantar",
                    "patrol/track": f"{LAT} {LON} 300 5;{LAT + 0.01} {LON + 0.01} 310 5",
                    "obs": [
                        {
                            "obs/location": f"{LAT} {LON} 300 5",
                            "obs/kind": "mining",
                            "obs/notes": "Draga" + (" grande" if edit else ""),
                            "obs/sensitivity": "table",
                        },
                        {
                            "obs/location": f"{LAT} {lon} 300 5",
                            "obs/kind": "wildlife",
                            "obs/notes": "Huellas de jaguar",
                        },
                    ],
                    "_attachments": [],
                }
            ],
        }
    ).encode()


def odk_json(edit=False):
    return json.dumps(
        {
            "@odata.context": "…/Submissions",
            "value": [
                {
                    "__id": "uuid:odk-1",
                    "__system": {
                        "submissionDate": "2026-09-02T12:00:00.000Z",
                        "updatedAt": "2026-09-03T10:00:00.000Z" if edit else None,
                    },
                    "start": "2026-09-02T07:00:00.000-05:00",
                    "patrol": {
                        "monitors": "Equipo Wayusentsa",
                        "track": {
                            "type": "LineString",
                            "coordinates": [[LON, LAT, 300], [LON + 0.02, LAT, 300]],
                        },
                    },
                    "obs": [
                        {
                            "location": {
                                "type": "Point",
                                "coordinates": [LON, LAT, 300],
                                "properties": {"accuracy": 4},
                            },
                            "kind": "fire",
                            "notes": "Quema" + (" controlada" if edit else ""),
                        },
                        {
                            "location": {"type": "Point", "coordinates": [-199, LAT, 0]},
                            "kind": "other",
                        },
                    ],
                }
            ],
        }
    ).encode()


def odk_csv(edit=False):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "SubmissionDate",
            "location-Latitude",
            "location-Longitude",
            "location-Altitude",
            "location-Accuracy",
            "kind",
            "notes",
            "PARENT_KEY",
            "KEY",
            "Edits",
        ]
    )
    writer.writerow(
        [
            "2026-09-04T12:00:00.000Z",
            LAT,
            LON,
            300,
            5,
            "hunting",
            "Trampas" + (" retiradas" if edit else ""),
            "uuid:odk-2",
            "uuid:odk-2/obs[1]",
            "1" if edit else "0",
        ]
    )
    writer.writerow(
        [
            "2026-09-04T12:00:00.000Z",
            LAT,
            -199,
            300,
            5,
            "hunting",
            "",
            "uuid:odk-2",
            "uuid:odk-2/obs[2]",
            "0",
        ]
    )
    return out.getvalue().encode()


def kobo_csv(edit=False):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "obs/location",
            "obs/kind",
            "obs/notes",
            "_index",
            "_submission__uuid",
            "meta/instanceID",
            "start",
        ]
    )
    writer.writerow(
        [
            f"{LAT} {LON} 300 5",
            "illegal_logging",
            "Motosierra" + (" oída" if edit else ""),
            1,
            "root-9",
            "uuid:v2" if edit else "uuid:v1",
            "2026-09-05T08:00:00-05:00",
        ]
    )
    writer.writerow(
        [
            f"{LAT} -199 300 5",
            "illegal_logging",
            "",
            2,
            "root-9",
            "uuid:v1",
            "2026-09-05T08:00:00-05:00",
        ]
    )
    return out.getvalue().encode()


def mapeo(edit=False):
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": "a1b2c3d4e5f60718",
                    "geometry": {"type": "Point", "coordinates": [LON, LAT]},
                    "properties": {
                        "docId": "doc-1",
                        "createdAt": "2026-09-06T09:00:00Z",
                        "updatedAt": "2026-09-07T09:00:00Z" if edit else "2026-09-06T09:00:00Z",
                        "categoryId": "sitio_sagrado" if edit else "boundary_mark",
                        "notes": "Hito",
                        "deleted": False,
                    },
                },
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [-199, LAT]},
                    "properties": {
                        "docId": "doc-2",
                        "createdAt": "2026-09-06T09:00:00Z",
                        "updatedAt": "x",
                        "categoryId": "other",
                    },
                },
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[LON, LAT], [LON, LAT + 0.01]],
                    },
                    "properties": {
                        "docId": "track-1",
                        "createdAt": "2026-09-06T08:00:00Z",
                        "updatedAt": "1",
                    },
                },
            ],
        }
    ).encode()


def smart(edit=False):
    note = "Cazadores" + (" armados" if edit else "")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<patrol xmlns="http://www.smartconservationsoftware.org/xml/1.3/patrol" id="P-2026-09" patrolType="GROUND" startDate="2026-09-08" endDate="2026-09-08">
  <legs id="L1"><members givenName="Yampik" familyName="Tiwiram"/>
    <days date="2026-09-08">
      <waypoints id="1" x="{LON}" y="{LAT}" time="08:00:00">
        <groups><observations categoryKey="threats.hunting"><attributes attributeKey="note" sValue="{note}"/></observations></groups>
      </waypoints>
      <waypoints id="2" x="-199" y="{LAT}" time="09:00:00"/>
      <waypoints id="3" x="{LON + 0.01}" y="{LAT}" time="10:00:00">
        <groups><observations categoryKey="animals.wildlife"/></groups>
      </waypoints>
    </days>
  </legs>
</patrol>""".encode()


CASES = {
    "kobo-json": kobo_json,
    "odk-json": odk_json,
    "odk-csv": odk_csv,
    "kobo-csv": kobo_csv,
    "geojson": mapeo,
    "smart-xml": smart,
}


@pytest.mark.parametrize("fmt", list(CASES))
def test_it_detects_each_format(fmt):
    assert formats.detect(CASES[fmt]()) == fmt


@pytest.mark.parametrize("fmt", list(CASES))
def test_it_imports_once_updates_edits_and_quarantines_bad_rows(db, fmt):
    table = Table.objects.get(slug="morona-santiago")
    build = CASES[fmt]
    first = import_field(
        by=SYSTEM, table=table, export=formats.read(build(), fmt), filename=f"a.{fmt}"
    )
    assert first.new >= 1 and first.quarantined == 1
    quarantined = Quarantined.objects.get(table=table, source=fmt)
    assert (
        quarantined.reason == "bad_coordinates" and "-199" in quarantined.detail and quarantined.row
    )
    count = Observation.objects.filter(source=fmt).count()
    again = import_field(by=SYSTEM, table=table, export=formats.read(build(), fmt))
    assert again.new == 0 and again.updated == 0 and again.unchanged == first.new
    assert Observation.objects.filter(source=fmt).count() == count
    edited = import_field(by=SYSTEM, table=table, export=formats.read(build(edit=True), fmt))
    assert edited.new == 0 and edited.updated >= 1
    assert Observation.objects.filter(source=fmt).count() == count


def test_it_reads_tracks_with_their_length(db):
    table = Table.objects.get(slug="morona-santiago")
    import_field(by=SYSTEM, table=table, export=formats.read(odk_json(), "odk-json"))
    patrol = Patrol.objects.get(source="odk", source_key="uuid:odk-1")
    assert patrol.monitors == "Equipo Wayusentsa"
    assert 2.1 < float(patrol.kilometres) < 2.3  # 0.02° of longitude at 2.4° S


def test_it_refuses_a_file_of_the_wrong_format(tmp_path, db):
    from django.core.management.base import CommandError

    path = tmp_path / "fotos.zip"
    path.write_bytes(b"PK\x03\x04 not an export")
    before = Observation.objects.count()
    with pytest.raises(CommandError, match="a damaged zip"):
        call_command("import", "field", str(path), "--table", "morona-santiago")
    with pytest.raises(formats.FormatError):
        formats.read(b'{"hello": 1}', "kobo-json")
    assert Observation.objects.count() == before


def test_it_prints_one_summary_line(tmp_path, db, capsys):
    path = tmp_path / "kobo.json"
    path.write_bytes(kobo_json())
    call_command("import", "field", str(path), "--table", "morona-santiago")
    out = capsys.readouterr()
    assert out.out.strip() == "1 new, 0 updated, 0 unchanged, 1 quarantined"
    assert "2/2" in out.err  # the progress bar: one track, one observation


def test_it_raises_an_alert_for_a_serious_observation(db, django_capture_on_commit_callbacks):
    from django.core import mail

    from minga.core.models import Event

    table = Table.objects.get(slug="morona-santiago")
    with django_capture_on_commit_callbacks(execute=True):
        import_field(by=SYSTEM, table=table, export=formats.read(kobo_json(), "kobo-json"))
    assert Event.objects.filter(type="monitoring.alert_raised", payload__kind="mining").exists()
    alert = next(
        m
        for m in mail.outbox
        if "serious" in m.subject or "grave" in m.subject or "Alert" in m.subject
    )
    assert "secretariat@demo.minga.invalid" in alert.to


def test_it_reimports_a_fixed_file_and_clears_its_quarantine(db):
    table = Table.objects.get(slug="morona-santiago")
    import_field(
        by=SYSTEM, table=table, export=formats.read(odk_csv(), "odk-csv"), filename="obs.csv"
    )
    waiting = list(Quarantined.objects.filter(filename="obs.csv").values_list("pk", flat=True))
    assert len(waiting) == 1
    # The same file again: the row is refused again, and the quarantine stays as it was.
    again = import_field(
        by=SYSTEM, table=table, export=formats.read(odk_csv(), "odk-csv"), filename="obs.csv"
    )
    assert (again.new, again.unchanged, again.quarantined) == (0, 1, 1)
    assert list(Quarantined.objects.filter(filename="obs.csv").values_list("pk", flat=True)) == (
        waiting
    )
    fixed = odk_csv().replace(b"-199", str(LON + 0.001).encode())
    summary = import_field(
        by=SYSTEM, table=table, export=formats.read(fixed, "odk-csv"), filename="obs.csv"
    )
    assert summary.new == 1 and summary.quarantined == 0
    assert not Quarantined.objects.filter(filename="obs.csv", resolved=False).exists()


def test_it_shows_patrol_coverage_and_compliance_on_the_agreement(client_for, db):
    from minga.agreements.models import Agreement

    agreement = (
        Agreement.objects.filter(area_sensitivity=0, patrols__isnull=False).distinct().first()
    )
    page = (
        client_for("public")
        .get(f"/t/morona-santiago/agreements/{agreement.public_id}/?lang=en")
        .content.decode()
    )
    assert "Patrols and compliance since" in page
    assert "km walked." in page and "of the area lies within 1 km of a track." in page
    assert "Patrol obligation not kept: 6 of 12 a year." in page
    assert "No new mining: " in page
    older = (
        client_for("public")
        .get(f"/t/morona-santiago/agreements/{agreement.public_id}/?lang=en&since=2000-01-01")
        .content
    )
    with translation.override("en"):
        day = date_format(dt.date(2000, 1, 1), "DATE_FORMAT")
    assert f"Patrols and compliance since {day}".encode() in older


def test_a_large_export_is_queued_for_the_worker_once_it_commits(
    client_for, settings, django_capture_on_commit_callbacks
):
    settings.MINGA_IMPORT_INLINE_ROWS = 5
    monitor = client_for("monitor")
    upload = monitor.post(
        "/t/morona-santiago/monitoring/import/",
        {"file": SimpleUploadedFile("patrulla.csv", _odk_csv(20), "text/csv")},
    )
    # A form minga has not seen: it asks which field says what before importing anything.
    assert upload.status_code == 302 and upload["Location"].endswith("/mapping/")
    assert not Observation.objects.filter(source_key__startswith="uuid:big-").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = monitor.post(upload["Location"], {"level": "obs", "where": "location",
                                "what": "kind", "notes": "notes", "confirm": "1"})  # fmt: skip
    job = FieldImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.public_id}/")
    # The next file of the same layout does not ask again.
    again = monitor.post(
        "/t/morona-santiago/monitoring/import/",
        {"file": SimpleUploadedFile("patrulla-2.csv", _odk_csv(3), "text/csv")},
    )
    assert again.status_code == 302 and again["Location"].endswith("/monitoring/")
    assert job.status == "queued" and job.total == 20
    queued = DBTaskResult.objects.filter(task_path__endswith=".run_field_import_task")
    assert [t.args_kwargs["kwargs"] for t in queued] == [{"job_id": job.pk}]
    event = Event.objects.get(type="monitoring.field_import_queued")
    assert event.subject_id == job.public_id and event.payload == {"format": job.format, "rows": 20}


def test_smart_dates_come_from_the_day_and_times_from_the_waypoint(db):
    table = Table.objects.get(slug="morona-santiago")
    import_field(by=SYSTEM, table=table, export=formats.read(smart()), filename="p.xml")
    hunting = Observation.objects.get(table=table, source="smart", kind="hunting")
    # <days date="2026-09-08"> and time="08:00:00", in the tables' zone (UTC-5).
    assert hunting.observed_at.isoformat() == "2026-09-08T13:00:00+00:00"
    assert hunting.categories == ["threats.hunting"] and hunting.notes == "Cazadores"


def test_a_kobo_xlsx_export_joins_its_repeat_sheet(db):
    from openpyxl import Workbook

    book = Workbook()
    main = book.active
    main.title = "Patrullaje"
    main.append(["start", "monitores", "meta/instanceID", "_uuid", "_index", "_submission_time"])
    main.append(["2026-10-01T06:00:00-05:00", "Nantu", "uuid:x1", "x1", 1, "2026-10-01T15:00:00"])
    obs = book.create_sheet("obs")
    obs.append(["obs/lugar", "obs/tipo", "_parent_index", "_index"])
    obs.append([f"{LAT} {LON} 0 5", "mineria", 1, 1])
    obs.append([f"{LAT + 0.01} {LON} 0 5", "caza", 1, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    export = formats.read(buffer.getvalue(), None, "patrullaje.xlsx")
    assert export.format == "kobo-xlsx" and export.levels() == {"": 1, "obs": 2}
    table = Table.objects.get(slug="morona-santiago")
    summary = import_field(by=SYSTEM, table=table, export=export, filename="p.xlsx")
    assert summary.new == 2
    found = Observation.objects.filter(source="kobo", source_key__startswith="uuid:x1/").order_by(
        "source_key"
    )
    assert [o.kind for o in found] == ["mining", "hunting"]
    assert {o.observer for o in found} == {"Nantu"}


def test_a_comapeo_geojson_export_with_its_category_attachments_and_track(db):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": "c1", "geometry": {"type": "Point", "coordinates": [LON, LAT]},
             "properties": {"$category": "Mining", "$author": "Yampik", "attachment_0": "https://x/a.jpg",
                            "createdAt": "2026-10-02T10:00:00.000Z", "notes": "Draga"}},
            {"type": "Feature", "id": "t1",
             "geometry": {"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.01, LAT]]},
             "properties": {"createdAt": "2026-10-02T09:00:00.000Z"}},
        ],
    }  # fmt: skip
    table = Table.objects.get(slug="morona-santiago")
    export = formats.read(json.dumps(collection).encode())
    summary = import_field(by=SYSTEM, table=table, export=export, filename="comapeo.geojson")
    assert summary.new == 1
    found = Observation.objects.get(source="geojson", source_key="c1")
    assert found.kind == "mining" and found.observer == "Yampik"
    assert found.photos == [{"name": "a.jpg", "url": "https://x/a.jpg", "type": ""}]
    assert Patrol.objects.filter(source="geojson", source_key="t1").exists()


def test_an_odk_submission_deleted_on_central_goes(db):
    table = Table.objects.get(slug="morona-santiago")
    import_field(by=SYSTEM, table=table, export=formats.read(odk_json(), "odk-json"))
    assert Observation.objects.filter(source="odk", source_key="uuid:odk-1/obs[1]").exists()
    gone = json.loads(odk_json())
    gone["value"][0]["__system"]["deletedAt"] = "2026-10-05T00:00:00.000Z"
    summary = import_field(
        by=SYSTEM, table=table, export=formats.read(json.dumps(gone).encode(), "odk-json")
    )
    assert summary.deleted == 1
    assert not Observation.objects.filter(
        source="odk", source_key__startswith="uuid:odk-1"
    ).exists()


def test_a_two_million_vertex_track_in_a_file_within_the_limit_imports(db, settings):
    """A day of GPS at one point a second, for weeks: 2 000 000 vertices, 40 MB of GeoJSON."""
    from minga.core.uploads import limit_bytes

    vertices = 2_000_000
    coordinates = ",".join(
        f"[{LON + (i % 1000) * 1e-5:.5f},{LAT + (i // 1000) * 1e-5:.5f}]" for i in range(vertices)
    )
    data = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","id":"long-walk",'
        '"properties":{"createdAt":"2026-10-01T06:00:00Z"},'
        f'"geometry":{{"type":"LineString","coordinates":[{coordinates}]}}}}]}}'
    ).encode()
    assert 30 * 1024 * 1024 < len(data) <= limit_bytes("field")
    table = Table.objects.get(slug="morona-santiago")
    summary = import_field(by=SYSTEM, table=table, export=formats.read(data), filename="walk.json")
    assert summary.quarantined == 0
    patrol = Patrol.objects.get(source="geojson", source_key="long-walk")
    assert len(patrol.track["coordinates"]) == vertices
    assert float(patrol.kilometres) > 2000  # a back-and-forth of 1 km lines, 2000 rows of them
