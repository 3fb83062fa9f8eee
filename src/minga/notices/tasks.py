"""The worker's side of notices: a message queued (or to be tried again) is handed to the
worker once the transaction that wrote it commits, and sent on its own."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.tasks import task

from minga.notices import services
from minga.notices.models import Message, Status


@task()
def deliver_notice(*, message_id: int) -> str:
    return services.deliver(message_id)


@receiver(post_save, sender=Message, dispatch_uid="minga.notices.send")
def send_when_queued(sender: Any, instance: Message, **kwargs: Any) -> None:
    pk = instance.pk
    if instance.status == Status.QUEUED:
        transaction.on_commit(lambda: deliver_notice.enqueue(message_id=pk))
    elif instance.status == Status.RETRYING and instance.retry_at is not None:
        if not deliver_notice.get_backend().supports_defer:
            return  # the immediate backend: `minga send_notices` queues it again later
        later = instance.retry_at
        transaction.on_commit(lambda: deliver_notice.using(run_after=later).enqueue(message_id=pk))
