"""`minga worker`: run background tasks; first put back the tasks a dead worker left running."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minga.core import heartbeat


def worker_id() -> str:
    """host:pid, so a worker on the same host can tell whether the one before it is alive."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_orphans(*, stale_after: float | None = None) -> list[str]:
    """Tasks marked running by a worker that is gone go back to the queue. A worker on this
    host is gone when its process is; one elsewhere when it started the task more than
    ``stale_after`` seconds ago. Tasks are written to be run again (imports resume where their
    last committed chunk ended; analyses write their results in one transaction)."""

    host = socket.gethostname()[:48]
    cutoff = timezone.now() - dt.timedelta(seconds=stale_after) if stale_after else None
    again = []
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        last = result.worker_ids[-1] if result.worker_ids else ""
        its_host, _, pid = last.rpartition(":")
        dead_here = its_host == host and pid.isdigit() and not _alive(int(pid))
        stale = cutoff is not None and result.started_at is not None and result.started_at < cutoff
        if not (dead_here or stale):
            continue
        if (
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
            == 1
        ):
            again.append(f"{result.task_path} ({result.pk})")
    return again


class Command(BaseCommand):
    help = (
        "Run the background-task worker (django-tasks-db). Tasks left running by a worker that "
        "died are queued again first. --batch drains the queue and exits."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--queue-name", default="*", help="queue(s) to serve, default all")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="also requeue tasks another host started more than this many seconds ago "
            "(for workers on several machines; leave out with one machine)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in requeue_orphans(stale_after=options["stale_after"]):
            self.stderr.write(f"queued again (its worker is gone): {line}")
        argv = ["--queue-name", options["queue_name"], "--interval", str(options["interval"])]
        argv += ["--no-reload", "--no-startup-delay", "--worker-id", worker_id()]
        if options["batch"]:
            argv.append("--batch")
        stop = threading.Event()
        heartbeat.start(worker_id(), stop)
        try:
            call_command("db_worker", *argv)
        finally:
            stop.set()
