"""Background work of the ledger, run by `minga worker`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minga.core import hooks
from minga.ledger import queries, witnessing
from minga.ledger.services import publish

RETRY_AFTER = dt.timedelta(minutes=1)  # how soon a log below its witness quorum asks again


@task()
def integrate_log() -> int:
    """Sequence the queued events, sign a checkpoint of the grown tree and collect its
    witnesses' cosignatures; below the quorum, ask again in a minute."""
    checkpoint = publish()
    if checkpoint is not None and not checkpoint.published:
        _ask_again_later()
    return checkpoint.size if checkpoint else 0


@task()
def ask_witnesses_again() -> int:
    """The latest checkpoint still lacks its quorum: ask the witnesses that have not cosigned
    (they may be back), and keep asking every minute until the quorum is met."""
    checkpoint = queries.latest_signed()
    if checkpoint is None or checkpoint.published:
        return 0
    witnessing.collect(checkpoint)
    if not checkpoint.published:
        _ask_again_later()
    return checkpoint.cosigned


def _ask_again_later() -> None:
    if not ask_witnesses_again.get_backend().supports_defer:
        return  # the immediate backend (tests, --batch experiments): the next event asks again
    path = ask_witnesses_again.module_path
    if DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).exists():
        return  # one retry waits already
    ask_witnesses_again.using(run_after=timezone.now() + RETRY_AFTER).enqueue()


@hooks.register(hooks.EVERY_EVENT)
def schedule_sequencer(events: list[Any]) -> None:
    """Once a transaction that recorded events commits, have the worker integrate them (one
    task per transaction, however many events it recorded)."""
    integrate_log.enqueue()
