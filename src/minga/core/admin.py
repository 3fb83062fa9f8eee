from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minga.core.models import ApiToken, Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """Read-only: the event log is append-only, even for superusers."""

    list_display = ["id", "type", "actor_label", "table_slug", "occurred_at"]
    list_filter = ["type", "table_slug"]
    search_fields = ["type", "subject", "actor_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "digest"]
