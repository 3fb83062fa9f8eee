"""A field export as large as the limit allows (50 MB): read and imported in bounded memory,
with the import's progress shown while the worker goes through it."""

import random
import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from minga.core.uploads import limit_bytes
from minga.monitoring.models import FieldImport, Observation
from minga.monitoring.services import run_field_import

LON, LAT = -77.70, -2.40
QUESTIONS = 120  # a household survey: long forms with open answers make the 50 MB exports
WORDS = (
    "la",
    "familia",
    "cuenta",
    "que",
    "el",
    "río",
    "bajó",
    "turbio",
    "desde",
    "la",
    "concesión",
)


def kobo_survey(size: int) -> tuple[bytes, int]:
    """A KoboToolbox ``;`` CSV of a community's own survey, about ``size`` bytes long."""
    rng = random.Random(7)
    header = ["start", "end", "today", "location", "_location_latitude", "_location_longitude",
              "_location_altitude", "_location_precision", "threats", "notes"]  # fmt: skip
    header += [f"hogar/pregunta_{i}" for i in range(QUESTIONS)]
    header += ["_id", "_uuid", "_submission_time"]
    lines = [";".join(header)]
    total, rows = len(lines[0]), 0
    while total < size:
        lat, lon = LAT + rng.random() * 0.01, LON + rng.random() * 0.01
        answers = [" ".join(rng.choices(WORDS, k=rng.randrange(5, 40))) for _ in range(QUESTIONS)]
        line = ";".join(
            ["2026-10-01T06:00:00.000-05:00", "2026-10-01T06:10:00.000-05:00", "2026-10-01",
             f"{lat:.6f} {lon:.6f} 0 5", f"{lat:.6f}", f"{lon:.6f}", "0", "5",
             rng.choice(["mining", "logging", "hunting mining"]), "Cerca del río",
             *answers, str(rows), f"big-{rows:06d}", "2026-10-01T11:00:00"]
        )  # fmt: skip
        lines.append(line)
        total += len(line.encode()) + 1
        rows += 1
    return ("\n".join(lines) + "\n").encode(), rows


def _status(name: str) -> int:
    with Path("/proc/self/status").open() as status:
        return int(re.search(rf"^{name}:\s+(\d+) kB", status.read(), re.M)[1]) * 1024


def peak_growth(work: Callable[[], Any]) -> tuple[Any, int]:
    """What ``work`` returns, and how far above what the process held before its memory rose:
    the kernel's high-water mark of resident memory, reset first (``clear_refs``); where that
    is not allowed, Python's own allocations as ``tracemalloc`` counts them (slower)."""
    try:
        with Path("/proc/self/clear_refs").open("w") as reset:
            reset.write("5")
    except OSError:
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            done = work()
            return done, tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    base = _status("VmRSS")
    done = work()
    return done, _status("VmHWM") - base


def test_a_50_mb_export_imports_in_bounded_memory_with_its_progress_shown(
    client_for, settings, django_capture_on_commit_callbacks
):
    data, rows = kobo_survey(limit_bytes("field") - 1024 * 1024)
    size = len(data)
    assert 48 * 1024 * 1024 < size <= limit_bytes("field")
    settings.MINGA_IMPORT_CHUNK = 250
    monitor = client_for("monitor")
    upload, grown = peak_growth(
        lambda: monitor.post(
            "/t/morona-santiago/monitoring/import/",
            {"file": SimpleUploadedFile("encuesta.csv", data, "text/csv")},
        )
    )
    # The test client holds the request twice (encoded and as the upload) besides the view.
    assert upload.status_code == 302 and upload["Location"].endswith("/mapping/")
    assert grown < 6 * size, f"the upload held {grown / size:.1f} × the file"
    page, grown = peak_growth(lambda: monitor.get(upload["Location"]))
    assert page.status_code == 200 and b"hogar/pregunta_0" in page.content
    assert grown < 4.5 * size, f"the mapping page held {grown / size:.1f} × the file"
    with django_capture_on_commit_callbacks(execute=False):
        confirmed = monitor.post(upload["Location"], {"level": "", "where": "location",
                                 "what": "threats", "notes": "notes", "confirm": "1"})  # fmt: skip
    assert confirmed.status_code == 302
    job = FieldImport.objects.get()
    assert confirmed["Location"].endswith(f"/{job.public_id}/") and job.total == rows
    progress = monitor.get(confirmed["Location"])
    assert progress.status_code == 200 and b"<progress" in progress.content
    steps = []
    original = FieldImport.save

    def noted(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["done", "summary", "updated_at"]:
            steps.append(self.done)
        return original(self, *args, **kwargs)

    FieldImport.save = noted
    try:
        job, grown = peak_growth(lambda: run_field_import(job))
    finally:
        FieldImport.save = original
    assert grown < 3.5 * size, f"the import held {grown / size:.1f} × the file"
    assert job.status == "done" and job.done == job.total == rows
    assert steps == [*range(250, rows, 250), rows]  # committed, and shown, as it went
    assert (
        Observation.objects.filter(source="kobo", source_key__startswith="uuid:big-").count()
        == rows
    )
    assert f"{rows} new".encode() in monitor.get(confirmed["Location"] + "?lang=en").content
