"""Real exports written by the tools themselves (../shared/field-samples), imported as they are.

The expected numbers come from reading each file (its README says what each holds), not from the
importer's output: a submission with a located answer is an observation, one without is counted
in the quarantine, a repeat row with its own location is an observation read with its
submission's date."""

import copy
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.core.testing import require_shared
from minga.monitoring import formats, mapping, services
from minga.monitoring.models import CategoryMapping, Observation, Patrol, Quarantined
from minga.tables.models import Table


def sample(*parts):
    return require_shared("field-samples", *parts).read_bytes()


def bring(table, data, fmt=None, filename="sample"):
    export = formats.read(data, fmt, filename)
    return services.import_field(by=SYSTEM, table=table, export=export, filename=filename)


def flora_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for suffix in ("", "-taxon_encounter", "-vegetation_stratum"):
            name = f"ruODK_build_Flora-Quadrat-0-4_1564384341{suffix}.csv"
            archive.writestr(name, sample("odk", name))
    return buffer.getvalue()


# (path, expected observations, expected tracks, expected quarantined) from reading each file.
EXPECTED = [
    # 9 submissions, each with a whole `location` geopoint (and the split copy).
    (("kobo", "kobocat_good.csv"), 9, 0, 0),
    # 1 submission, its `gps` geopoint; the two children are laid out wide in the same row.
    (("kobo", "kobocat_tutorial_w_repeats.csv"), 1, 0, 0),
    # 5 submissions of a survey with no geopoint: `_geolocation` is [null, null].
    (("kobo", "robotoolbox_kobo_data__multilang_5subs.json"), 0, 0, 5),
    # 3 households with nested repeats, no geopoint anywhere.
    (("kobo", "robotoolbox_kobo_data_dm__repeat_groups.json"), 0, 0, 3),
    # 1 submission: a point (the observation, with its polygon as its area) and a line (a track).
    (("kobo", "robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json"), 1, 1, 0),
    # The first page of two: 1 result, no location.
    (("kobo", "robotoolbox_kobo_data_query__paged_next.json"), 0, 0, 1),
    # 5 edited submissions, no location.
    (("kobo", "robotoolbox_kobo_data_sm_sep__edited_deprecatedID.json"), 0, 0, 5),
    # 3 submissions, no location; validation statuses are kept in the raw record.
    (("kobo", "robotoolbox_kobo_data_validation__validation_status.json"), 0, 0, 3),
    # 2 quadrat surveys, each located by its first corner.
    (("odk", "ruODK_build_Flora-Quadrat-0-4_1564384341.csv"), 2, 0, 0),
    # 7 plants, located, but a repeat table alone has no date: each waits in quarantine.
    (("odk", "ruODK_build_Flora-Quadrat-0-4_1564384341-taxon_encounter.csv"), 0, 0, 7),
    # 7 vegetation strata with no location of their own.
    (("odk", "ruODK_build_Flora-Quadrat-0-4_1564384341-vegetation_stratum.csv"), 0, 0, 7),
    # Field definitions (3 live, 1 deleted) and two category configs: no observations.
    (("comapeo", "comapeo-cloud-app_real-archive-response_fields.json"), 0, 0, 0),
    (("comapeo", "comapeo-cloud-app_category_animal.json"), 0, 0, 0),
    (("comapeo", "comapeo-cloud-app_category_cultural-site.json"), 0, 0, 0),
    # 200 legacy Mapeo observations, all located; one has no created_at but its `today`.
    (("mapeo-legacy", "react-mapfilter_observations.json"), 200, 0, 0),
    # The same 200 as GeoJSON points.
    (("mapeo-legacy", "react-mapfilter_example_fc.geojson.json"), 200, 0, 0),
]


@pytest.mark.parametrize(("parts", "observations", "tracks", "quarantined"), EXPECTED)
def test_each_real_file_imports_what_a_reader_sees_and_again_nothing(
    db, parts, observations, tracks, quarantined
):
    table = Table.objects.get(slug="sucumbios")
    data = sample(*parts)
    first = bring(table, data, filename=parts[-1])
    assert (first.new, first.quarantined) == (observations, quarantined)
    assert Observation.objects.filter(table=table).count() == observations
    assert Patrol.objects.filter(table=table).count() == tracks
    again = bring(table, data, filename=parts[-1])
    assert (again.new, again.updated, again.unchanged) == (0, 0, observations)
    assert Observation.objects.filter(table=table).count() == observations
    assert Quarantined.objects.filter(table=table, resolved=False).count() == quarantined


def test_an_odk_export_joins_its_repeat_rows_to_their_submission(db):
    table = Table.objects.get(slug="sucumbios")
    summary = bring(table, flora_zip(), filename="flora.zip")
    assert summary.new == 7 and summary.quarantined == 0
    plant = Observation.objects.get(
        table=table, source_key="uuid:d5e78a78-34db-483d-978f-d9c9a3bc7b69/taxon_encounter[1]"
    )
    # Its date is its submission's device time (+08:00), not the server's.
    assert plant.observed_at.isoformat() == "2019-09-18T08:12:21.147000+00:00"
    assert plant.observer == "Florian Mayer"
    assert (round(plant.lat, 5), round(plant.lon, 5)) == (-31.99605, 115.88433)
    assert plant.photos == [{"name": "1568795382633.jpg", "url": "", "type": ""}]
    # Far from Sucumbíos: kept, and flagged.
    assert plant.outside


def test_kobo_geopoints_read_latitude_first_and_its_local_times_with_their_offset(db):
    table = Table.objects.get(slug="sucumbios")
    bring(table, sample("kobo", "kobocat_good.csv"), filename="good.csv")
    first = Observation.objects.get(
        table=table, source_key="uuid:685dd371-4831-4fdc-a205-f285337dd98d"
    )
    # "83.3595 -32.8601 0 1": latitude 83.3595, longitude -32.8601.
    assert (first.lat, first.lon) == (83.3595, -32.8601)
    # `date` is n/a in this row: the next date of the form, `today`, is used.
    assert first.observed_at.date().isoformat() == "2014-09-04"


def test_a_kobo_edit_updates_its_observation_through_deprecated_id(db):
    """The edited answers carry a new instanceID, their deprecatedID, and a rootUuid equal to the
    new id: the edit must update the observation of the original, not add one."""
    table = Table.objects.get(slug="sucumbios")
    edited = json.loads(sample("kobo", "robotoolbox_kobo_data_sm_sep__edited_deprecatedID.json"))
    for index, record in enumerate(edited["results"]):
        record["_geolocation"] = [-0.1 - index / 100, -76.5]  # give them a place
    original = copy.deepcopy(edited)
    for record in original["results"]:
        record["meta/instanceID"] = record.pop("meta/deprecatedID")
        record["meta/rootUuid"] = record["meta/instanceID"]
        record["_uuid"] = record["meta/instanceID"].removeprefix("uuid:")
        record["full_name"] = "?"
    before = bring(table, json.dumps(original).encode(), filename="before.json")
    assert before.new == 5
    after = bring(table, json.dumps(edited).encode(), filename="after.json")
    assert (after.new, after.updated) == (0, 5)
    names = set(Observation.objects.filter(table=table).values_list("observer", flat=True))
    assert names == {r["full_name"] for r in edited["results"]}
    stale = bring(table, json.dumps(original).encode(), filename="before.json")
    assert (stale.new, stale.updated, stale.unchanged) == (0, 0, 5)
    assert Observation.objects.filter(table=table).count() == 5


def comapeo_observation(deleted=False, **tags):
    return {
        "docId": "obs-1",
        "versionId": "v2" if deleted else "v1",
        "originalVersionId": "v1",
        "schemaName": "observation",
        "createdAt": "2026-10-01T14:00:00.000Z",
        "updatedAt": "2026-10-02T14:00:00.000Z" if deleted else "2026-10-01T14:00:00.000Z",
        "links": ["v1"] if deleted else [],
        "deleted": deleted,
        "lat": 0.08,
        "lon": -76.9,
        "attachments": [{"url": "https://archive.example/obs-1/photo.jpg", "type": "photo"}],
        "tags": tags or {"type": "nature", "nature": "wildlife", "wildlife": "animal"},
    }


def test_comapeo_categories_are_their_tag_hierarchy_and_a_deleted_doc_goes(db):
    table = Table.objects.get(slug="sucumbios")
    bring(table, sample("comapeo", "comapeo-cloud-app_category_animal.json"), filename="a.json")
    label = CategoryMapping.objects.get(table=table, code="nature/wildlife/animal")
    assert label.labels == {"und": "Animal"} and label.kind == "wildlife"
    summary = bring(table, json.dumps({"data": [comapeo_observation()]}).encode())
    observation = Observation.objects.get(table=table, source_key="obs-1")
    assert summary.new == 1 and observation.kind == "wildlife"
    assert observation.categories == ["nature/wildlife/animal"]
    assert observation.photos[0]["url"] == "https://archive.example/obs-1/photo.jpg"
    gone = bring(table, json.dumps({"data": [comapeo_observation(deleted=True)]}).encode())
    assert gone.deleted == 1 and not Observation.objects.filter(source_key="obs-1").exists()
    event = Event.objects.filter(type="monitoring.field_data_imported").order_by("-id").first()
    assert event.payload["deleted"] == 1


def test_unknown_categories_are_kept_as_other_and_mapping_one_later_raises_its_alerts(
    db, django_capture_on_commit_callbacks
):
    table = Table.objects.get(slug="sucumbios")
    bring(table, sample("mapeo-legacy", "react-mapfilter_observations.json"))
    kinds = {
        kind: Observation.objects.filter(table=table, kind=kind).count()
        for kind in ("illegal_logging", "mining", "hunting", "other")
    }
    # logging 21, mining 16, hunting 20 + trapping 18; grazing, artefacts, tourism, fishing,
    # rustling, crossing, other and the 2 without a category stay "other".
    assert kinds == {"illegal_logging": 21, "mining": 16, "hunting": 38, "other": 125}
    to_map = set(
        CategoryMapping.objects.filter(table=table, kind="").values_list("code", flat=True)
    )
    assert to_map == {"grazing", "artefacts", "tourism", "fishing", "rustling", "crossing"}
    alerts = Event.objects.filter(type="monitoring.alert_raised").count()
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.map_category(by=SYSTEM, table=table, code="crossing", kind="mining")
    assert changed == 13
    assert Observation.objects.filter(table=table, kind="mining").count() == 16 + 13
    assert Event.objects.filter(type="monitoring.alert_raised").count() == alerts + 13
    assert Observation.objects.filter(table=table, outside=True).count() == 200


NAN_POINT = b'{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[NaN,NaN]},"properties":{"x":NaN}}]}'


@pytest.mark.parametrize(
    ("data", "quarantined"),
    [
        (b'{"type":"FeatureCollection","features":[1, "two", 3.5]}', 3),
        (
            b'{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":[1]}]}',
            1,
        ),
        (b"[1, 2, 3]", 3),
        (NAN_POINT, 1),
    ],
)
def test_bad_rows_are_quarantined_safely_and_nothing_else_is_written(db, data, quarantined):
    table = Table.objects.get(slug="sucumbios")
    summary = bring(table, data)
    assert (summary.new, summary.quarantined) == (0, quarantined)
    assert not Observation.objects.filter(table=table).exists()
    stored = Quarantined.objects.filter(table=table)
    assert stored.count() == quarantined
    # Stored as JSON any database takes: a NaN the file held is kept as the text "NaN".
    kept = json.dumps([q.raw for q in stored], allow_nan=False)
    assert '"NaN"' in kept or quarantined != 1 or b"NaN" not in data


def test_deep_nesting_is_a_format_error_not_a_crash():
    with pytest.raises(formats.FormatError) as caught:
        formats.read(b"[" * 100000)
    assert caught.value.code == "deep"


def test_a_mapping_is_proposed_for_a_community_survey():
    export = formats.read(
        sample("kobo", "robotoolbox_kobo_data_geodata__geopoint_geotrace_geoshape.json")
    )
    proposed = mapping.propose(export)
    assert (proposed.where, proposed.track, proposed.area) == ("point", "line", "polygon")
    survey = formats.read(flora_zip(), "odk-csv")
    proposed = mapping.propose(survey)
    assert proposed.level == "taxon_encounter" and proposed.where == "taxon_encounter_location"
    assert proposed.when[0] == "encounter_start_datetime"


def test_a_zip_bomb_a_damaged_zip_and_a_late_doctype_are_format_errors():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", b"KEY\n" + b"0" * (formats.ZIP_TOTAL + 10))
    with pytest.raises(formats.FormatError, match="more than the limit"):
        formats.read(bomb.getvalue(), "odk-csv", "x.zip")
    damaged = bytearray(flora_zip())
    damaged[60:80] = b"\x00" * 20  # inside the first member's compressed bytes
    with pytest.raises(formats.FormatError) as caught:
        formats.read(bytes(damaged), "odk-csv", "x.zip")
    assert caught.value.code == "zip"
    late = (
        b"<?xml version='1.0'?>\n<!--"
        + b" " * 5000
        + b'-->\n<!DOCTYPE p [<!ENTITY a "aaaa">]><patrol/>'
    )
    with pytest.raises(formats.FormatError, match="document type"):
        formats.read(late, "smart-xml")


def test_who_may_see_it_is_never_read_as_more_open_than_said():
    assert [mapping.level_of(v) for v in ("public", "Mesa", "owner", "confidencial", True)] == [
        "public", "table", "owner", "owner", "owner"
    ]  # fmt: skip
    assert mapping.level_of("") == ""


def test_a_record_a_communitys_source_made_its_own_stays_its_own(db):
    from minga.monitoring.models import FieldSource

    table = Table.objects.get(slug="sucumbios")
    data = sample("kobo", "kobocat_tutorial_w_repeats.csv")
    own = FieldSource.objects.create(
        table=table, name="Propia", signature="own", owner_level=True,
        community=table.memberships.first().organization, mapping={"where": "gps"},
    )  # fmt: skip
    services.import_field(by=SYSTEM, table=table, export=formats.read(data), source=own)
    assert Observation.objects.get(table=table).sensitivity == 2
    edited = data.replace(b"Bob,25", b"Bob,26")  # the same record, changed, from a plain file
    again = services.import_field(
        by=SYSTEM, table=table, export=formats.read(edited), filename="b.csv"
    )
    assert again.updated == 1  # read differently (no source: the proposal), so rewritten
    found = Observation.objects.get(table=table)
    assert found.sensitivity == 2 and found.field_source == own


def test_the_mapping_page_says_why_a_row_would_wait_in_the_reader_s_language(client_for):
    """Kobo's multi-language survey has no geopoint: each of its 5 submissions would wait in
    the quarantine, and the page says so in Portuguese (the technical detail beside it)."""
    page = client_for("secretariat").post(
        "/t/morona-santiago/monitoring/import/?lang=pt",
        {
            "file": SimpleUploadedFile(
                "encuesta.json", sample("kobo", "robotoolbox_kobo_data__multilang_5subs.json")
            ),
            "format": "",
        },
        follow=True,
    )
    html = " ".join(page.content.decode().split())
    assert "Linhas que esperariam na quarentena:" in html
    assert html.count("Sem localização (<code>") == 5
