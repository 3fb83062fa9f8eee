"""The worker's side of notices: each message sent (and tried again) on its own."""

from __future__ import annotations

from django.tasks import task


@task()
def deliver_notice(*, message_id: int) -> str:
    from minga.notices.services import deliver

    return deliver(message_id)
