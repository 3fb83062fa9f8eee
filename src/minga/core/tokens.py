"""Personal API tokens: issue and resolve. The token itself is never stored."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from minga.core.events import API_TOKEN_CREATED, API_TOKEN_REVOKED, record_event
from minga.core.ids import new_token
from minga.core.models import ApiToken, hash_token

TOKEN_PREFIX = "mng_"  # noqa: S105 - a prefix, not a secret


@transaction.atomic
def create_api_token(*, user: Any, name: str) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + new_token()
    record = ApiToken.objects.create(
        user=user, name=name.strip()[:80] or "token", prefix=token[:8], digest=hash_token(token)
    )
    record_event(API_TOKEN_CREATED, actor=user, subject=record, payload={"name": record.name})
    return record, token


@transaction.atomic
def revoke_api_token(*, user: Any, token_id: int) -> bool:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if deleted:
        record_event(API_TOKEN_REVOKED, actor=user, payload={"token_id": token_id})
    return bool(deleted)


def user_for_token(token: str) -> Any | None:
    record = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(token), user__is_active=True)
        .first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user
