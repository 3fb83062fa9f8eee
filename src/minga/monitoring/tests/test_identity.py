"""One record is one observation, whichever of its tool's exports or servers brings it, and an
older copy never undoes an edit or brings back a deletion (issue 17, item 4)."""

import csv
import io
import json

import openpyxl

from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.monitoring import events, formats
from minga.monitoring.models import Observation, Patrol
from minga.monitoring.services import import_field
from minga.tables.models import Table

LON, LAT = -77.70, -2.40


def _import(table, data, fmt=None, name=""):
    return import_field(by=SYSTEM, table=table, export=formats.read(data, fmt, name), filename=name)


def _csv(rows, delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def kobo_api():
    """Two submissions as Kobo's API v2 answers them."""
    return json.dumps(
        {
            "count": 2,
            "next": None,
            "results": [
                {
                    "_id": 11,
                    "_uuid": uuid,
                    "meta/instanceID": f"uuid:{uuid}",
                    "today": "2026-10-0" + str(n),
                    "location": f"{LAT + n / 100} {LON} 300 5",
                    "_geolocation": [LAT + n / 100, LON],
                    "threats": "mineria_ilegal",
                    "notes": f"Draga {n}",
                    "_submission_time": f"2026-10-0{n}T20:00:00",
                }
                for n, uuid in ((1, "k-1"), (2, "k-2"))
            ],
        }
    ).encode()


def kobo_csv():
    """The same two submissions as Kobo's CSV export writes them: `;`, the geopoint split."""
    head = ["today", "location", "_location_latitude", "_location_longitude",
            "_location_altitude", "_location_precision", "threats", "notes",
            "meta/instanceID", "_id", "_uuid", "_submission_time"]  # fmt: skip
    rows = [
        [f"2026-10-0{n}", f"{LAT + n / 100} {LON} 300 5", LAT + n / 100, LON, 300, 5,
         "mineria_ilegal", f"Draga {n}", f"uuid:{uuid}", 11, uuid, f"2026-10-0{n}T20:00:00"]
        for n, uuid in ((1, "k-1"), (2, "k-2"))
    ]  # fmt: skip
    return _csv([head, *rows], ";")


def test_one_kobo_submission_from_the_api_and_from_a_csv_export_is_one_observation(db):
    table = Table.objects.get(slug="morona-santiago")
    first = _import(table, kobo_api(), "kobo-json", "api.json")
    assert first.new == 2
    again = _import(table, kobo_csv(), None, "export.csv")
    assert again.new == 0 and again.updated + again.unchanged == 2
    found = Observation.objects.filter(table=table, source_key__in=["uuid:k-1", "uuid:k-2"])
    assert found.count() == 2 and {o.source for o in found} == {"kobo"}
    assert {o.kind for o in found} == {"mining"}


def test_kobo_repeat_rows_keep_their_keys_from_json_to_xlsx(db):
    submission = {
        "_uuid": "r-1",
        "meta/instanceID": "uuid:r-1",
        "start": "2026-10-01T06:00:00-05:00",
        "_submission_time": "2026-10-01T15:00:00",
        "patrol/obs": [
            {"patrol/obs/where": f"{LAT} {LON} 0 5", "patrol/obs/what": "mineria"},
            {"patrol/obs/where": f"{LAT + 0.01} {LON} 0 5", "patrol/obs/what": "caza"},
        ],
    }
    from_api = formats.read(json.dumps({"results": [submission]}).encode(), "kobo-json")
    book = openpyxl.Workbook()
    main = book.active
    main.title = "Patrullaje"
    main.append(["start", "meta/instanceID", "_uuid", "_index", "_submission_time"])
    main.append(["2026-10-01T06:00:00-05:00", "uuid:r-1", "r-1", 7, "2026-10-01T15:00:00"])
    obs = book.create_sheet("obs")  # Kobo names a repeat's sheet after the repeat
    obs.append(["where", "what", "_index", "_parent_index", "_submission__uuid"])
    obs.append([f"{LAT} {LON} 0 5", "mineria", 31, 7, "r-1"])
    obs.append([f"{LAT + 0.01} {LON} 0 5", "caza", 32, 7, "r-1"])
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = formats.read(buffer.getvalue(), None, "patrullaje.xlsx")

    def repeat_keys(export):
        return sorted(r.key for r in export.records if r.parent)

    assert repeat_keys(from_api) == repeat_keys(from_xlsx) == ["uuid:r-1/obs[1]", "uuid:r-1/obs[2]"]


def odk_odata(notes, edits, updated):
    return json.dumps(
        {
            "@odata.context": "https://central.example/v1/projects/4/forms/ronda.svc/$metadata#Submissions",
            "value": [
                {
                    "__id": "uuid:e-1",
                    "__system": {
                        "submissionDate": "2026-10-02T12:00:00.000Z",
                        "updatedAt": updated,
                        "edits": edits,
                    },
                    "seen": "2026-10-02T07:00:00.000-05:00",
                    "location": {"type": "Point", "coordinates": [LON, LAT, 300]},
                    "kind": "fire",
                    "notes": notes,
                }
            ],
        }
    ).encode()


def odk_csv(notes, edits):
    head = ["SubmissionDate", "seen", "location-Latitude", "location-Longitude",
            "location-Altitude", "location-Accuracy", "kind", "notes", "KEY", "Edits"]  # fmt: skip
    row = ["2026-10-02T12:00:00.000Z", "2026-10-02T07:00:00.000-05:00", LAT, LON, 300, 5,
           "fire", notes, "uuid:e-1", str(edits)]  # fmt: skip
    return _csv([head, row])


def test_an_older_odk_export_does_not_undo_an_edit_made_on_central(db):
    table = Table.objects.get(slug="morona-santiago")
    edited = _import(table, odk_odata("Quema controlada", 1, "2026-10-03T10:00:00.000Z"))
    assert edited.new == 1
    stale = _import(table, odk_csv("Quema", 0), None, "ronda.csv")  # downloaded before the edit
    assert (stale.new, stale.updated, stale.unchanged) == (0, 0, 1)
    found = Observation.objects.get(table=table, source="odk", source_key="uuid:e-1")
    assert found.notes == "Quema controlada" and found.revision == "1|2026-10-03T10:00:00.000Z"
    later = _import(table, odk_csv("Quema apagada", 2), None, "ronda.csv")
    assert later.updated == 1
    found.refresh_from_db()
    assert found.notes == "Quema apagada"


def comapeo(doc_id, updated, deleted=False, notes="Balsa"):
    return json.dumps(
        {
            "data": [
                {
                    "docId": doc_id,
                    "versionId": f"{doc_id}/{updated}",
                    "schemaName": "observation",
                    "createdAt": "2026-10-01T10:00:00.000Z",
                    "updatedAt": updated,
                    "deleted": deleted,
                    "lat": LAT,
                    "lon": LON,
                    "tags": {"type": "threat", "threat": "mining", "notes": notes},
                    "attachments": [],
                }
            ]
        }
    ).encode()


def test_a_comapeo_deletion_holds_against_an_older_copy_and_says_so(
    db, django_capture_on_commit_callbacks
):
    table = Table.objects.get(slug="morona-santiago")
    with django_capture_on_commit_callbacks(execute=True):
        assert _import(table, comapeo("d1", "2026-10-01T10:00:00.000Z")).new == 1
    newer = _import(table, comapeo("d1", "2026-10-04T10:00:00.000Z", notes="Dos balsas"))
    older = _import(table, comapeo("d1", "2026-10-02T10:00:00.000Z", notes="Una balsa"))
    assert (newer.updated, older.unchanged) == (1, 1)
    found = Observation.objects.get(table=table, source="comapeo", source_key="d1")
    assert found.notes.endswith("Dos balsas")
    gone = _import(table, comapeo("d1", "2026-10-05T10:00:00.000Z", deleted=True))
    assert gone.deleted == 1 and "1 deleted" in gone.line()
    last = Event.objects.filter(table_slug=table.slug, type=events.FIELD_DATA_IMPORTED).order_by(
        "-pk"
    )[0]
    assert last.payload["deleted"] == 1
    # The export a monitor made before the deletion, brought again: it stays deleted.
    again = _import(table, comapeo("d1", "2026-10-04T10:00:00.000Z", notes="Dos balsas"))
    assert (again.new, again.unchanged) == (0, 1)
    assert not Observation.objects.filter(table=table, source="comapeo", source_key="d1").exists()
    # The deletion itself, again: nothing changes.
    assert _import(table, comapeo("d1", "2026-10-05T10:00:00.000Z", deleted=True)).deleted == 0


def test_a_comapeo_geojson_export_and_the_archive_server_share_their_docids(db):
    table = Table.objects.get(slug="morona-santiago")
    _import(table, comapeo("d7", "2026-10-01T10:00:00.000Z"))
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
                "properties": {
                    "docId": "d7",
                    "createdAt": "2026-10-01T10:00:00.000Z",
                    "updatedAt": "2026-10-01T10:00:00.000Z",
                    "$category": "Mining",
                    "notes": "Balsa",
                },
            }
        ],
    }
    export = formats.read(json.dumps(collection).encode(), None, "comapeo.geojson")
    assert export.tool == "comapeo"
    summary = import_field(by=SYSTEM, table=table, export=export)
    assert summary.new == 0
    assert Observation.objects.filter(table=table, source_key="d7").count() == 1


def test_a_deleted_comapeo_track_stays_deleted(db):
    table = Table.objects.get(slug="morona-santiago")

    def track(updated, deleted=False):
        return json.dumps(
            {
                "data": [
                    {
                        "docId": "t9",
                        "schemaName": "track",
                        "createdAt": "2026-10-01T10:00:00.000Z",
                        "updatedAt": updated,
                        "deleted": deleted,
                        "locations": [
                            {"coords": {"latitude": LAT, "longitude": LON}},
                            {"coords": {"latitude": LAT + 0.01, "longitude": LON}},
                        ],
                        "tags": {},
                    }
                ]
            }
        ).encode()

    _import(table, track("2026-10-01T10:00:00.000Z"))
    assert Patrol.objects.filter(table=table, source="comapeo", source_key="t9").exists()
    _import(table, track("2026-10-03T10:00:00.000Z", deleted=True))
    _import(table, track("2026-10-01T10:00:00.000Z"))
    assert not Patrol.objects.filter(table=table, source="comapeo", source_key="t9").exists()


def test_revisions_compare_by_edits_then_time():
    assert formats.older("0|", "1|2026-10-03T10:00:00Z")
    assert not formats.older("2|", "1|2026-10-03T10:00:00Z")
    assert formats.older("|2026-10-02T10:00:00Z", "|2026-10-03T05:00:00-05:00")
    assert not formats.older("|2026-10-03T10:00:00Z", "|2026-10-03T05:00:00-05:00")
    assert not formats.older("", "1|2026-10-03T10:00:00Z")  # unknown is never older
    assert not formats.older("|not a date", "|2026-10-03T10:00:00Z")
    assert formats.revision() == "" and formats.revision("3") == "3|"
