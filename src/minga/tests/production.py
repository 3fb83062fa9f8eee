"""Helpers shared by the production-path tests (serving, workers, faults, backups)."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

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
