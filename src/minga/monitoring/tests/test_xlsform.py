"""The generated patrol form converts with pyxform, and submissions to it come back in."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from minga.monitoring.models import Observation
from minga.monitoring.xlsform import patrol_xlsform

pyxform = pytest.importorskip("pyxform", reason="pyxform (a dev dependency) converts XLSForms")


def xform(xlsx: bytes, tmp_path) -> str:
    from pyxform.xls2xform import convert

    path = tmp_path / "patrol.xlsx"
    path.write_bytes(xlsx)
    result = convert(xlsform=str(path))
    return result.xform


def test_it_converts_with_pyxform(tmp_path):
    body = patrol_xlsform(
        form_id="minga_patrol_demo", title="Patrullaje", version="1", local_language="Shuar (shr)"
    )
    xml = xform(body, tmp_path)
    assert 'id="minga_patrol_demo"' in xml
    # The field paths minga's readers expect (Kobo flattens them as patrol/track, obs/location…).
    for path in (
        "/data/patrol/track",
        "/data/obs/location",
        "/data/obs/kind",
        "/data/obs/sensitivity",
        "/data/meta/instanceID",
    ):
        assert f'nodeset="{path}"' in xml
    assert 'lang="Português (pt)"' in xml and 'lang="English (en)"' in xml
    from openpyxl import load_workbook

    header = [
        c.value for c in next(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(max_row=1))
    ]
    assert (
        "label::Shuar (shr)" in header
    )  # room the table fills in; pyxform adds it once it has labels
    assert "Sitio sagrado" in xml


def test_it_is_downloadable_per_table_and_per_agreement(db, tmp_path):
    from minga.agreements.models import Agreement

    table_form = Client().get("/t/morona-santiago/monitoring/patrol-form.xlsx")
    assert table_form["Content-Disposition"].endswith('minga_patrol_morona_santiago.xlsx"')
    assert 'id="minga_patrol_morona_santiago"' in xform(table_form.content, tmp_path)
    agreement = Agreement.objects.first()
    agreement_form = Client().get(
        f"/t/morona-santiago/agreements/{agreement.public_id}/patrol-form.xlsx"
    )
    assert agreement.public_id in agreement_form["Content-Disposition"]


def submission_values():
    return {
        "monitors": "Yampik Tiwiram",
        "track": "-2.40 -77.70 300 5;-2.39 -77.69 305 5",
        "location": "-2.40 -77.70 300 5",
        "kind": "sacred_site",
        "sensitivity": "owner",
    }


def test_a_submission_exported_by_odk_central_and_kobo_comes_back_in(db, tmp_path, capsys):
    v = submission_values()
    lat, lon = (float(x) for x in v["location"].split()[:2])
    odk = {
        "value": [
            {
                "__id": "uuid:sub-1",
                "__system": {"submissionDate": "2026-10-01T12:00:00.000Z", "updatedAt": None},
                "start": "2026-10-01T07:00:00.000-05:00",
                "patrol": {
                    "monitors": v["monitors"],
                    "track": {
                        "type": "LineString",
                        "coordinates": [[-77.70, -2.40, 300], [-77.69, -2.39, 305]],
                    },
                },
                "obs": [
                    {
                        "location": {"type": "Point", "coordinates": [lon, lat, 300]},
                        "kind": v["kind"],
                        "sensitivity": v["sensitivity"],
                    }
                ],
            }
        ]
    }
    kobo = {
        "results": [
            {
                "meta/rootUuid": "uuid:sub-2",
                "meta/instanceID": "uuid:sub-2",
                "start": "2026-10-02T07:00:00.000-05:00",
                "patrol/monitors": v["monitors"],
                "patrol/track": v["track"],
                "obs": [
                    {
                        "obs/location": v["location"],
                        "obs/kind": v["kind"],
                        "obs/sensitivity": v["sensitivity"],
                    }
                ],
            }
        ]
    }
    for name, document in (("central.json", odk), ("kobo.json", kobo)):
        path = tmp_path / name
        path.write_text(json.dumps(document))
        call_command("import", "field", str(path), "--table", "morona-santiago")
        assert capsys.readouterr().out.strip() == "1 new, 0 updated, 0 unchanged, 0 quarantined"
    found = Observation.objects.filter(source_key__in=["uuid:sub-1/obs[1]", "uuid:sub-2/obs[1]"])
    assert (
        found.count() == 2
        and {o.kind for o in found} == {"sacred_site"}
        and {o.sensitivity for o in found} == {2}
    )
