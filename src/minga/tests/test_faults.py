"""Faults on PostgreSQL: a worker killed half-way, a connection dropped mid-request.

These tests commit for real (``flushes_db``) and need PostgreSQL for the processes to share
the database; on SQLite they say so and skip.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from minga.core.models import Event
from minga.tables.models import Table
from minga.tests.production import (
    DEMO_TABLE,
    _database_url,
    _drain_queue,
    _kill,
    _needs_postgres,
    _odk_csv,
    _start_worker,
    _wait,
)


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
    assert job.summary == {
        "new": rows, "updated": 0, "unchanged": 0, "quarantined": 0, "deleted": 0
    }  # fmt: skip
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


def test_a_database_locked_after_the_view_answers_503_not_500(db, monkeypatch, client_for):
    """SQLite's write lock held past its timeout surfaces as OperationalError wherever a write
    happens: in the view (the middleware answers) or after it, in middleware that writes (the
    500 handler answers). Both are the plain 503 with Retry-After, JSON under /api/."""
    from django.contrib.messages.middleware import MessageMiddleware
    from django.db import OperationalError

    def locked(self, request, response):
        raise OperationalError("database is locked")

    monkeypatch.setattr(MessageMiddleware, "process_response", locked)
    client = client_for("secretariat")
    client.raise_request_exception = False
    page = client.get(f"/t/{DEMO_TABLE}/?lang=es")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "No se guardó nada" in page.content.decode()
    api = client.get("/api/v1/tables?lang=en")
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert "Nothing of it was saved" in api.json()["detail"]
    # Anything else is still the ordinary 500.
    monkeypatch.setattr(MessageMiddleware, "process_response", lambda self, r, s: 1 / 0)
    assert client.get(f"/t/{DEMO_TABLE}/").status_code == 500
