"""Uploads are checked by kind: size, type and first bytes, with nothing written on refusal."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minga.core.models import Event
from minga.tests.production import DEMO_TABLE


@pytest.mark.parametrize(
    ("url", "field", "name", "content", "message"),
    [
        # a renamed executable is not a spreadsheet
        (
            "/t/{t}/initiatives/import/",
            "spreadsheet",
            "plan.xlsx",
            b"MZ\x90\x00",
            "does not contain",
        ),
        ("/t/{t}/initiatives/import/", "spreadsheet", "plan.exe", b"MZ", ".xlsx, .csv"),
        ("/t/{t}/members/import/", "spreadsheet", "big.csv", b"a;b\n" * 3_000_000, "largest file"),
        ("/t/{t}/monitoring/import/", "file", "odk.pdf", b"%PDF-1.4", ".csv, .json"),
        ("/t/{t}/monitoring/import/", "file", "odk.csv", b"a,b\x00\x00", "does not contain"),
    ],
)
def test_uploads_are_refused_by_size_and_type_with_nothing_written(
    client_for, settings, url, field, name, content, message
):
    settings.MINGA_MAX_SPREADSHEET_MB = 10
    before = Event.objects.count()
    response = client_for("secretariat").post(
        url.format(t=DEMO_TABLE) + "?lang=en", {field: SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Event.objects.count() == before


def test_evidence_photos_and_documents_are_checked_by_their_first_bytes():
    from django.core.exceptions import ValidationError

    from minga.core.uploads import check_upload

    png = SimpleUploadedFile("hito.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    check_upload(png, "evidence")
    check_upload(SimpleUploadedFile("acta.pdf", b"%PDF-1.7\n"), "document")
    for upload, kind in [
        (SimpleUploadedFile("hito.png", b"<script>"), "photo"),
        (SimpleUploadedFile("acta.pdf", b"<html>"), "document"),
        (SimpleUploadedFile("capa.tif", b"GIF89a"), "raster"),
    ]:
        with pytest.raises(ValidationError):
            check_upload(upload, kind)
