"""Background work of the ledger, run by `minga worker`."""

from __future__ import annotations

from django.tasks import task


@task()
def integrate_log() -> int:
    """Sequence the queued events and sign a checkpoint of the grown tree."""
    from minga.ledger.services import publish

    checkpoint = publish()
    return checkpoint.size if checkpoint else 0
