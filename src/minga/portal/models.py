"""What the portal keeps: each table's public figures, so that pages over a thousand tables read
one row per table instead of computing fifteen queries for each."""

from __future__ import annotations

from django.db import models

from minga.tables.models import Table


class TableFigures(models.Model):
    """A table's public figures (``queries.Figures`` as JSON) as of ``computed_at``. Any event on
    the table deletes the row; the next read, or the nightly ``minga refresh_portal``, stores it
    again."""

    table = models.OneToOneField(Table, on_delete=models.CASCADE, related_name="portal_figures")
    figures = models.JSONField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"figures of {self.table_id} at {self.computed_at:%Y-%m-%d %H:%M}"
