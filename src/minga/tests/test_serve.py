"""`minga serve` under production settings, and the worker's recovery of a dead
predecessor's tasks."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys

from minga.core.testing import wait_for
from minga.tests.production import _env, _free_port, _get


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
