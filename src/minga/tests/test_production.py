"""The production path: `minga serve`, the worker's recovery, backups, upload limits, conflicts,
and faults — a worker killed half-way, a database that drops the connection mid-request.

Tests that start a real worker or restore a backup commit for real (``flushes_db``) and need
PostgreSQL for the processes to share the database; on SQLite they say so and skip.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client

from minga.core.models import Event
from minga.core.testing import wait_for
from minga.tables.models import Table

DEMO_TABLE = "morona-santiago"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="minga.settings", **extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


# --- serving ------------------------------------------------------------------------------------


def test_serve_runs_production_settings_with_compressed_long_cached_static(tmp_path):
    env = _env(
        MINGA_DEBUG="0",
        MINGA_SECRET_KEY=secrets.token_urlsafe(64),
        MINGA_ALLOWED_HOSTS="127.0.0.1",
        MINGA_SSL_REDIRECT="0",
        MINGA_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
    )
    subprocess.run([sys.executable, "-m", "minga", "migrate", "-v0"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "minga", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # `minga serve` collects static files first: slow on a busy machine.
        status, _h, body = wait_for(
            lambda: _get(f"{base}/healthz"), what="minga serve", process=server
        )
        assert status == 200 and json.loads(body)["status"] == "ok"
        status, headers, body = _get(f"{base}/", **{"Accept-Language": "pt"})
        assert status == 200 and "content-security-policy" in headers
        assert '<html lang="pt">' in body.decode()
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        hashed = manifest["core/minga.css"]
        assert hashed != "core/minga.css"  # a content hash in the name
        for encoding in ("gzip", "br"):
            status, headers, body = _get(f"{base}/static/{hashed}", **{"Accept-Encoding": encoding})
            assert status == 200
            assert headers["content-encoding"] == encoding
            assert "max-age=315360000" in headers["cache-control"]
            assert "immutable" in headers["cache-control"]
        status, headers, _body = _get(f"{base}/static/core/minga.css")
        assert "immutable" not in headers.get("cache-control", "")  # unhashed: short lifetime
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err[-2000:]
    assert "production" in err


# --- the worker ---------------------------------------------------------------------------------


def test_the_worker_queues_again_a_task_its_dead_predecessor_left_running(db):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from minga.core.management.commands.worker import requeue_orphans

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname()[:48]
    common = {
        "args_kwargs": {"args": [], "kwargs": {}},
        "task_path": "minga.ledger.tasks.integrate_log",
    }
    orphan = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, worker_ids=[f"{host}:{dead.pid}"], **common
    )
    alive = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, worker_ids=[f"{host}:{os.getpid()}"], **common
    )
    elsewhere = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, worker_ids=["another-host:1"], **common
    )
    assert requeue_orphans() == [f"minga.ledger.tasks.integrate_log ({orphan.pk})"]
    statuses = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert statuses[orphan.pk] == TaskResultStatus.READY
    assert statuses[alive.pk] == statuses[elsewhere.pk] == TaskResultStatus.RUNNING
    DBTaskResult.objects.filter(pk=elsewhere.pk).update(
        started_at=elsewhere.enqueued_at.replace(year=2020)
    )
    assert len(requeue_orphans(stale_after=3600)) == 1  # another host's, long stale


# --- uploads ------------------------------------------------------------------------------------


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


# --- two secretariats, one record -----------------------------------------------------------------


def test_two_secretariats_editing_the_table_get_a_conflict_not_an_overwrite(client_for, personas):
    from minga.tables.models import Membership

    table = Table.objects.get(slug=DEMO_TABLE)
    second = personas["convener"]
    Membership.objects.filter(table=table, person__user=second).update(role="secretariat")
    ana, luis = client_for("secretariat"), client_for("convener")
    form_a = ana.get(f"/t/{DEMO_TABLE}/edit/").context["form"]
    form_b = luis.get(f"/t/{DEMO_TABLE}/edit/").context["form"]
    seen = form_a["seen"].value()
    assert seen and seen == form_b["seen"].value()

    def post(client, form, **changes):
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(changes)
        return client.post(f"/t/{DEMO_TABLE}/edit/?lang=en", data)

    assert post(ana, form_a, description="Versión de Ana").status_code == 302
    events = Event.objects.count()
    late = post(luis, form_b, description="Versión de Luis")
    assert late.status_code == 409
    page = late.content.decode()
    assert "Someone else saved this record" in page
    assert "Versión de Ana" in page and "Versión de Luis" in page  # theirs shown, mine kept
    table.refresh_from_db()
    assert table.description == "Versión de Ana"
    assert Event.objects.count() == events
    # Saving again from the conflict page, knowingly, goes through.
    again = late.context["form"]
    assert post(luis, again, description="Versión de Luis").status_code == 302
    table.refresh_from_db()
    assert table.description == "Versión de Luis"


def test_two_people_updating_one_commitment_get_a_conflict(client_for, personas):
    import re

    from minga.initiatives.models import Commitment, CommitmentStatus

    commitment = Commitment.objects.filter(
        table__slug=DEMO_TABLE, status=CommitmentStatus.PENDING
    ).first()
    url = f"/t/{DEMO_TABLE}/commitments/{commitment.public_id}/"
    ana, luis = client_for("secretariat"), client_for("convener")

    def seen_by(client):
        page = client.get(f"/t/{DEMO_TABLE}/commitments/?page=1").content.decode()
        form = page[page.index(f'action="{url}"') :]
        return re.search(r'name="seen" value="([^"]+)"', form).group(1)

    seen_a, seen_b = seen_by(ana), seen_by(luis)
    assert seen_a == seen_b
    done = ana.post(url, {"status": "fulfilled", "evidence": "Acta 12", "seen": seen_a})
    assert done.status_code == 302
    late = luis.post(
        url + "?lang=en",
        {"status": "dropped", "evidence": "Sin fondos", "seen": seen_b},
        follow=True,
    )
    assert "Someone else saved this record" in late.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED and commitment.evidence == "Acta 12"


# --- PostgreSQL: faults and backups ------------------------------------------------------------------


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("other processes share the database only on PostgreSQL (make test-postgres)")


def _database_url(name: str | None = None) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name or s['NAME']}"


def _process_env(**extra: str) -> dict[str, str]:
    return _env(
        DATABASE_URL=_database_url(),
        MINGA_RASTER_ROOT=str(settings.MINGA_RASTER_ROOT),
        MINGA_LOG_KEY_FILE=str(settings.MINGA_LOG_KEY_FILE),
        MINGA_EMAIL="console",
        **extra,
    )


def _start_worker(**extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "minga", "worker", "--interval", "0.1"],
        env=_process_env(**extra),
        start_new_session=True,  # its own process group: the kill takes its helpers too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def _wait(condition, what: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen within {seconds:.0f} s")
        time.sleep(0.02)


def _drain_queue(**extra: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "minga", "worker", "--batch"],
        env=_process_env(**extra),
        check=True,
        timeout=600,
        capture_output=True,
    )


def _odk_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["SubmissionDate", "location-Latitude", "location-Longitude", "location-Altitude",
         "location-Accuracy", "kind", "notes", "PARENT_KEY", "KEY", "Edits"]
    )  # fmt: skip
    for n in range(rows):
        writer.writerow(
            ["2026-09-04T12:00:00.000Z", -2.40 + n * 1e-5, -77.70, 300, 5, "wildlife",
             f"Huella {n}", f"uuid:big-{n // 10}", f"uuid:big-{n // 10}/obs[{n % 10}]", "0"]
        )  # fmt: skip
    return out.getvalue().encode()


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_a_field_import_resumes_without_duplicates_or_loss():
    _needs_postgres()
    from django.contrib.auth import get_user_model

    from minga.core.models import RunStatus
    from minga.demo.load import load_demo
    from minga.monitoring import services
    from minga.monitoring.models import FieldImport, Observation

    load_demo(say=lambda line: None)
    table = Table.objects.get(slug=DEMO_TABLE)
    rows = 3000
    job = services.queue_field_import(
        by=get_user_model().objects.get(username="secretariat"),
        table=table,
        content=_odk_csv(rows),
        filename="patrullas-2026.csv",
        fmt="odk-csv",
        total=rows,
    )
    mine = Observation.objects.filter(table=table, source_key__startswith="uuid:big-")
    worker = _start_worker(MINGA_IMPORT_CHUNK="100")
    try:
        _wait(lambda: FieldImport.objects.get(pk=job.pk).done >= 300, "the worker's first chunks")
    finally:
        _kill(worker)
    job.refresh_from_db()
    assert job.status == RunStatus.RUNNING and 300 <= job.done < rows  # killed half-way
    assert mine.count() == job.done  # exactly the committed chunks, nothing of the next
    _drain_queue(MINGA_IMPORT_CHUNK="100")  # a new worker requeues the orphan and resumes
    job.refresh_from_db()
    assert job.status == RunStatus.DONE and job.done == rows
    assert mine.count() == rows
    assert mine.values("source_key").distinct().count() == rows
    assert job.summary == {"new": rows, "updated": 0, "unchanged": 0, "quarantined": 0}
    imported = Event.objects.filter(type="monitoring.field_data_imported", table_slug=DEMO_TABLE)
    assert [e.payload["new"] for e in imported if e.payload["file"] == "patrullas-2026.csv"] == [
        rows
    ]


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_a_raster_analysis_runs_it_again_without_duplicates():
    _needs_postgres()
    from minga.core.models import RunStatus
    from minga.demo.load import load_demo
    from minga.satellite import services as satellite
    from minga.satellite.models import AnalysisRun, ZoneStatistic

    load_demo(say=lambda line: None)
    table = Table.objects.get(slug=DEMO_TABLE)
    from django.contrib.auth import get_user_model

    secretariat = get_user_model().objects.get(username="secretariat")
    reference = satellite.start_analysis(by=secretariat, table=table, background=False)
    satellite.run_analysis(reference)
    run = satellite.start_analysis(by=secretariat, table=table)
    worker = _start_worker()
    try:
        _wait(lambda: AnalysisRun.objects.get(pk=run.pk).done > 0, "the analysis under way")
    finally:
        _kill(worker)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.done < 100
    assert not ZoneStatistic.objects.filter(run=run).exists()  # nothing half-written
    _drain_queue()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE

    def rows(r):
        return sorted(
            ZoneStatistic.objects.filter(run=r).values_list(
                "territory_id",
                "agreement_id",
                "initiative_id",
                "metric",
                "year",
                "month",
                "confidence",
                "hectares",
            ),
            key=repr,
        )

    assert rows(run) == rows(reference)  # the same figures, once each
    assert run.hotspots.count() == reference.hotspots.count()


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_request_writes_nothing_and_says_so(monkeypatch):
    _needs_postgres()
    import psycopg

    from minga.core import hooks
    from minga.demo.load import load_demo

    load_demo(say=lambda line: None)
    table = Table.objects.get(slug=DEMO_TABLE)
    before_events = Event.objects.count()
    before = table.description

    def drop_connection(event):
        """After the request's first writes, the server ends its connection (a failover)."""
        pid = connection.connection.info.backend_pid
        with psycopg.connect(_database_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    with hooks.registered(hooks.EVERY_EVENT, drop_connection, when=hooks.IN_TRANSACTION):
        client = Client()
        client.post("/accounts/login/", {"username": "secretariat", "password": "minga-demo"})
        form = client.get(f"/t/{DEMO_TABLE}/edit/").context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        data["description"] = "Esto no debe quedar a medias"
        response = client.post(f"/t/{DEMO_TABLE}/edit/?lang=es", data)
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert "No se guardó nada" in response.content.decode()
    connection.close()
    table.refresh_from_db()
    assert table.description == before
    assert Event.objects.count() == before_events
    assert Client().get("/healthz").status_code == 200  # the next request reconnects


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_backup_restore_into_an_empty_database_then_the_audit_passes(tmp_path):
    _needs_postgres()
    import psycopg

    from minga.demo.load import load_demo
    from minga.ledger import services as ledger

    load_demo(say=lambda line: None)
    ledger.init_keys()
    ledger.publish()
    backup = tmp_path / "minga.tar"
    out = io.StringIO()
    call_command("backup", "-o", str(backup), stdout=out)
    manifest = json.loads(
        subprocess.run(["tar", "-xOf", str(backup), "manifest.json"], capture_output=True).stdout
    )
    assert manifest["engine"] == "postgresql" and manifest["log"]["size"] > 100
    target = f"minga_restore_{secrets.token_hex(4)}"
    with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        env = _env(
            DATABASE_URL=_database_url(target),
            MINGA_LOG_KEY_FILE=str(tmp_path / "absent.key"),  # the key is not in the backup
        )
        restored = subprocess.run(
            [sys.executable, "-m", "minga", "restore", str(backup)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert restored.returncode == 0, restored.stderr
        assert f"log of {manifest['log']['size']:,} leaves" in restored.stdout
        audit = subprocess.run(
            [sys.executable, "-m", "minga", "audit", "--local",
             "--key", manifest["log"]["verifier_key"]],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert audit.returncode == 0, audit.stdout[-3000:]
        assert "the log checks out" in audit.stdout
        again = subprocess.run(
            [sys.executable, "-m", "minga", "restore", str(backup)],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@pytest.mark.flushes_db
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_on_sqlite_and_refusals(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path (the PostgreSQL one runs in its own test)")
    from minga.demo.load import load_demo
    from minga.ledger import services as ledger

    load_demo(say=lambda line: None)  # committed: a backup copies what is committed
    ledger.integrate()
    backup = tmp_path / "minga.tar"
    call_command("backup", "-o", str(backup), stdout=io.StringIO())
    env = _env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        MINGA_DATA_DIR=str(tmp_path),
        MINGA_LOG_KEY_FILE=str(settings.MINGA_LOG_KEY_FILE),
    )
    restored = subprocess.run(
        [sys.executable, "-m", "minga", "restore", str(backup)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    audit = subprocess.run(
        [sys.executable, "-m", "minga", "audit", "--local"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert audit.returncode == 0, audit.stdout[-3000:]
    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_bytes(b"hello")
    bad = subprocess.run(
        [sys.executable, "-m", "minga", "restore", str(not_a_backup)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 1 and "is not a minga backup" in bad.stderr
    assert Path(backup).stat().st_size > 100_000


# --- list pages at scale --------------------------------------------------------------------------


def test_list_pages_are_paginated_and_their_cost_does_not_grow(client_for, personas):
    import datetime as dt

    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from minga.initiatives.models import Commitment

    table = Table.objects.get(slug=DEMO_TABLE)
    org = table.memberships.first().organization
    client = client_for("secretariat")
    pages = [f"/t/{DEMO_TABLE}/commitments/", f"/t/{DEMO_TABLE}/initiatives/", "/portal/", "/"]

    def costs() -> list[int]:
        out = []
        for page in pages:
            client.get(page)  # stored figures and caches warm
            with CaptureQueriesContext(conn) as queries:
                assert client.get(page).status_code == 200
            out.append(len(queries))
        return out

    def add(n: int) -> None:
        Commitment.objects.bulk_create(
            Commitment(
                table=table,
                organization=org,
                what=f"Tarea {k}",
                to_whom="la mesa",
                due_on=dt.date(2026, 1, 1) + dt.timedelta(days=k),
            )
            for k in range(n)
        )

    add(60)
    few = costs()
    add(600)
    many = costs()
    assert few == many
    page = client.get(f"/t/{DEMO_TABLE}/commitments/?page=3&lang=en").content.decode()
    assert "Page 3 of" in page and 'rel="prev"' in page and 'rel="next"' in page
    assert page.count('class="commitment ') == 50
    last = client.get(f"/t/{DEMO_TABLE}/commitments/?page=999").content.decode()
    assert 'rel="next"' not in last  # a number past the end shows the last page


def test_the_monitoring_map_asks_for_the_newest_observations_only(client_for):
    client = client_for("secretariat")
    page = client.get(f"/t/{DEMO_TABLE}/monitoring/").content.decode()
    assert "observations.geojson?limit=1000" in page
    everything = client.get(f"/t/{DEMO_TABLE}/monitoring/observations.geojson").json()
    points = [f for f in everything["features"] if f["geometry"]["type"] == "Point"]
    assert len(points) > 2
    newest = client.get(f"/t/{DEMO_TABLE}/monitoring/observations.geojson?limit=2").json()
    assert [f["id"] for f in newest["features"] if f["geometry"]["type"] == "Point"] == [
        f["id"] for f in points[:2]
    ]
    assert client.get(f"/t/{DEMO_TABLE}/monitoring/observations.geojson?limit=x").status_code == 400


# --- the scale generator ------------------------------------------------------------------------


def test_the_scale_generator_loads_a_fraction_of_the_network_in_bulk(db):
    from minga.demo import scale
    from minga.initiatives.models import Commitment, Funding, Initiative
    from minga.ledger.audit import audit_local
    from minga.monitoring.models import Observation
    from minga.portal.models import TableFigures

    before = Event.objects.count()
    lines: list[str] = []
    built = scale.generate(factor=0.005, say=lines.append)
    assert scale.already_loaded() == 3  # 5 tables: the demo's two and three generated
    generated = Table.objects.filter(slug__startswith=scale.PREFIX)
    assert generated.values("region").distinct().count() == 3
    assert built.counts["tables"] == 5 and built.counts["organizations"] == 100
    assert Initiative.objects.filter(is_demo=True, table__in=generated).count() == 600
    assert Funding.objects.filter(initiative__table__in=generated).count() == 600
    assert Commitment.objects.filter(table__in=generated).count() == 3000
    assert Observation.objects.filter(table__in=generated).count() == 15_000
    assert Observation.objects.values("public_id").distinct().count() == Observation.objects.count()
    batches = Event.objects.filter(type="demo.scale_batch_loaded").count()
    assert 0 < batches <= Event.objects.count() - before  # one event per batch, not per row
    assert built.counts["log_entries"] == built.counts["events"]  # every event is in the log
    assert audit_local().ok
    assert TableFigures.objects.count() == 5
    assert lines[0] == "Regions and tables"
