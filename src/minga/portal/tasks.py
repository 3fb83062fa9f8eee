"""Keeping the open data current: `minga publish_open_data` from cron, or the worker."""

from __future__ import annotations

from django.tasks import task

from minga.portal import opendata
from minga.tables.models import Table


@task()
def publish_open_data() -> dict[str, int]:
    """Rebuild every table's open-data package; returns the size of each in bytes."""
    return {t.slug: opendata.publish(t).stat().st_size for t in Table.objects.order_by("slug")}
