"""Optimistic concurrency for edit forms: two people editing the same record get a conflict, not
a silent overwrite.

A form carries the version of the record it was filled from (``version_of``: its ``updated_at``
to the microsecond). The service locks the row and compares (``lock_unchanged``); when someone
saved in between, it raises ``EditConflict`` and writes nothing; the view answers 409 with the
person's own input kept and the record's current values shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _


class EditConflict(ValidationError):
    def __init__(self, current: models.Model) -> None:
        when = getattr(current, "updated_at", None)
        super().__init__(
            _(
                "Someone else saved this record at %(time)s, while you were editing it. Your "
                "changes were not saved: the form keeps what you typed and shows what the record "
                "holds now. Check both and save again."
            )
            % {"time": date_format(localtime(when), "DATETIME_FORMAT") if when else "?"},
            code="conflict",
        )
        self.current = current


def version_of(record: Any) -> str:
    value = getattr(record, "updated_at", None)
    return value.isoformat() if value else ""


def lock_unchanged[M: models.Model](record: M, seen: str | None) -> M:
    """The record's row, locked for this transaction; ``EditConflict`` if it changed since the
    version ``seen`` (None: the caller does not check, e.g. a script)."""
    current = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if seen is not None and not _same_time(seen, getattr(current, "updated_at", None)):
        raise EditConflict(current)
    return current


def _same_time(seen: str, value: Any) -> bool:
    """``seen`` as ISO 8601 in any offset (a form may render it in local time) is ``value``."""

    try:
        return value is not None and dt.datetime.fromisoformat(seen) == value
    except ValueError:
        return False
