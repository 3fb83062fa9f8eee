"""Bulk loading for generated data: PostgreSQL COPY, SQLite ``executemany``.

``bulk_insert(Model, ["a", "b"], rows)`` writes tuples in that column order and fills every other
column once, from its field: ``auto_now`` columns get the time of the load, nullable ones NULL,
the rest their default. A column that is neither given nor fillable stops the load before a row is
written. No model instance is built and no signal is sent: callers record one domain event per
batch themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone


class BulkError(RuntimeError):
    pass


def timestamp(value: dt.datetime) -> Any:
    """A timezone-aware time as the database takes it in a bulk row."""
    if connection.vendor == "sqlite":
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return value


def as_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _filled(model: type[models.Model], given: list[str]) -> tuple[list[str], list[Any]]:
    now = timezone.now()
    names: list[str] = []
    values: list[Any] = []
    known = set()
    for field in model._meta.concrete_fields:
        known.add(field.attname)
        if field.attname in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = now
        elif field.null:
            value = None
        elif field.has_default() or field.empty_strings_allowed:
            value = field.get_default()
            if value is None and not field.null:
                raise BulkError(f"{model.__name__}.{field.attname}: give it a value")
        else:
            raise BulkError(f"{model.__name__}.{field.attname}: give it a value")
        names.append(str(field.column))
        values.append(field.get_db_prep_save(value, connection))
    unknown = set(given) - known
    if unknown:
        raise BulkError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    return names, values


def bulk_insert(
    model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the count."""
    extra_names, extra_values = _filled(model, columns)
    by_attname = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    names = [by_attname[c] for c in columns] + extra_names
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    tail = tuple(extra_values)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + tail)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
            chunk: list[tuple[Any, ...]] = []
            for row in rows:
                chunk.append(row + tail)
                if len(chunk) == 10_000:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
    return count
