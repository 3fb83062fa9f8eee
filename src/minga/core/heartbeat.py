"""Whether a background worker is alive: each ``minga worker`` writes a beat every
``EVERY`` seconds; one seen within ``RECENT`` seconds counts as running."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import DatabaseError, connection
from django.utils import timezone

from minga.core.models import WorkerBeat

logger = logging.getLogger("minga.worker")
EVERY = 15
RECENT = 120


def beat(worker: str) -> None:
    WorkerBeat.objects.update_or_create(worker=worker[:80], defaults={"seen_at": timezone.now()})


def last_seen() -> dt.datetime | None:
    found = WorkerBeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return found


def alive() -> bool:
    """A worker was seen within the last ``RECENT`` seconds."""
    seen = last_seen()
    return seen is not None and timezone.now() - seen < dt.timedelta(seconds=RECENT)


def start(worker: str, stop: threading.Event) -> threading.Thread:
    """Beat now, in the caller's thread (before any task takes the database), then in a daemon
    thread every ``EVERY`` seconds until ``stop`` is set (or the process ends)."""

    try:
        beat(worker)
    except DatabaseError:
        logger.warning("worker heartbeat skipped: the database is busy", exc_info=True)

    def run() -> None:
        while not stop.wait(EVERY):
            try:
                beat(worker)
            except DatabaseError:
                logger.warning("worker heartbeat skipped: the database is busy", exc_info=True)
            finally:
                connection.close()  # this thread's own connection, not held between beats

    thread = threading.Thread(target=run, name="minga-heartbeat", daemon=True)
    thread.start()
    return thread
