"""The demo runs a worker and three witnesses beside its server, and pages and /healthz tell
when no worker has been seen lately (issue 18, item 2)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

from django.utils import timezone

from minga.core import heartbeat
from minga.core.models import WorkerBeat
from minga.core.testing import wait_for
from minga.demo.management.commands.demo import DEMO_WITNESSES, witnesses_beside, worker_beside
from minga.ledger import services as ledger
from minga.ledger import witnessing
from minga.monitoring.models import FieldImport
from minga.tables.models import Table
from minga.tests.production import _env


def _beats(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM core_workerbeat").fetchone()[0]


def test_the_demo_s_worker_beats_while_the_server_runs_and_stops_with_it(tmp_path, monkeypatch):
    database = tmp_path / "demo.sqlite3"
    for name, value in _env(
        MINGA_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{database}"
    ).items():
        monkeypatch.setenv(name, value)
    subprocess.run([sys.executable, "-m", "minga", "migrate", "-v0"], check=True)
    said = []
    with worker_beside(said.append) as worker:

        def beaten() -> int:
            if not _beats(database):
                raise OSError("no beat yet")
            return 1

        wait_for(beaten, what="minga worker's first beat", process=worker)
        assert worker.poll() is None
    assert worker.poll() is not None  # stopped with the server
    assert "stops with the server" in said[0]


def test_a_worker_that_dies_with_an_error_inside_still_goes(tmp_path):
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    try:
        with worker_beside(lambda line: None, sleeper) as worker:
            raise KeyboardInterrupt  # Ctrl-C in the server
    except KeyboardInterrupt:
        pass
    assert worker.wait(timeout=20) is not None


def test_healthz_says_whether_a_worker_was_seen_lately(db, client):
    answer = client.get("/healthz").json()
    assert answer["worker"] == {"running": False, "last_seen": None}
    heartbeat.beat("host:1")
    answer = client.get("/healthz").json()
    assert answer["worker"]["running"] is True and answer["worker"]["last_seen"]
    WorkerBeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=5))
    assert client.get("/healthz").json()["worker"]["running"] is False


def test_a_waiting_page_says_no_worker_has_been_seen(db, client_for):
    table = Table.objects.get(slug="morona-santiago")
    job = FieldImport.objects.create(table=table, filename="rondas.csv", content=b"", total=9)
    client = client_for("secretariat")
    url = f"/t/{table.slug}/monitoring/import/{job.public_id}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="pt").content.decode()
    assert 'data-worker="absent"' in page
    heartbeat.beat("host:2")
    assert 'data-worker="absent"' not in client.get(url).content.decode()


def test_the_demo_s_witnesses_cosign_while_the_server_runs_and_stop_with_it(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    said: list[str] = []
    with witnesses_beside(said.append) as processes:
        assert all(p.poll() is None for p in processes)
        assert witnessing.quorum() == 2
        assert [w.name for w in witnessing.witnesses()] == sorted(DEMO_WITNESSES)
        checkpoint = ledger.publish()  # what the worker's task does
        assert checkpoint.published and checkpoint.cosigned == 3
    assert all(p.poll() is not None for p in processes)
    assert "quorum 2" in said[0]
    # a second start reuses the witnesses' keys and state: they keep cosigning the same log
    with witnesses_beside(said.append):
        again = ledger.publish()
        assert again.cosigned == 3 and again.published
