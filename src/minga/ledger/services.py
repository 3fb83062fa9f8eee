"""The sequencer and the signer of the transparency log.

Services anywhere record events; none of them touches the log. The **sequencer**
(:func:`integrate`) takes the events not yet in the log, in the order they were recorded, gives
them the next leaf indexes and stores every perfect subtree they complete — under one row lock
(``LogState``), so concurrent writers never fight over indexes (Trillian's design). The
**signer** (:func:`sign_checkpoint`) signs the tree's size and root as a C2SP checkpoint with the
Ed25519 key kept in ``MINGA_LOG_KEY_FILE``, outside the database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from minga.core.models import Event
from minga.ledger import leaves, merkle, note, witnessing
from minga.ledger.models import (
    LEVEL_SHIFT,
    Checkpoint,
    LogEntry,
    LogState,
    TreeNode,
    Witness,
)
from minga.ledger.queries import forget_cache, tree

BATCH = 5000


def node_key(level: int, index: int) -> int:
    return (level << LEVEL_SHIFT) | index


def frontier(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` that make up a tree of ``size`` leaves."""
    out, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            out.append((level, start >> level))
            start += 1 << level
    return out


def _leaf_rows(events: Iterable[tuple[Any, ...]]) -> list[tuple[int, bytes, bytes | None]]:
    rows = []
    for event_id, type_, occurred_at, actor, table, subject, payload, sensitivity in events:
        salt = os.urandom(16) if sensitivity > 0 else None
        leaf = leaves.event_leaf(
            event_id=event_id,
            type=type_,
            occurred_at=occurred_at,
            actor=actor,
            table=table,
            subject=subject,
            payload=payload,
            sensitivity=sensitivity,
            salt=salt,
        )
        rows.append((event_id, leaf, salt))
    return rows


def _queued(limit: int) -> list[tuple[Any, ...]]:
    """The next events not in the log, oldest first, read without the ORM's per-row cost."""
    event, entry = Event._meta.db_table, LogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.id, e.type, e.occurred_at, e.actor_label, e.table_slug, e.subject, "  # noqa: S608
            f"e.payload, e.sensitivity FROM {event} e LEFT JOIN {entry} l ON l.event_id = e.id "
            f"WHERE l.id IS NULL ORDER BY e.id LIMIT %s",
            [limit],
        )
        rows = cursor.fetchall()
    return [
        (*row[:6], json.loads(row[6]) if isinstance(row[6], str) else row[6], row[7])
        for row in rows
    ]


def queued_count() -> int:
    """How many recorded events wait for the sequencer."""
    return Event.objects.filter(log_entry__isnull=True).count()


def integrate(*, batch: int = BATCH, limit: int | None = None) -> int:
    """Append queued events to the log, in recording order; returns how many were added."""
    added = 0
    while limit is None or added < limit:
        step = batch if limit is None else min(batch, limit - added)
        with transaction.atomic():
            state, _ = LogState.objects.select_for_update().get_or_create(pk=1)
            queued = _queued(step)
            if not queued:
                break

            forget_cache()
            state.size = append_leaves(state.size, _leaf_rows(queued))
            state.save(update_fields=["size"])
        added += len(queued)
    return added


def append_leaves(size: int, rows: list[tuple[int, bytes, bytes | None]]) -> int:
    """Store leaves ``size, size+1, …`` and every perfect subtree they complete. Call it
    holding the ``LogState`` lock. Returns the new size."""
    known: dict[int, bytes] = {}
    wanted = [node_key(level, index) for level, index in frontier(size)]
    if wanted:
        known.update(
            (k, bytes(h))
            for k, h in TreeNode.objects.filter(id__in=wanted).values_list("id", "hash")
        )
    entries, nodes = [], []
    for event_id, leaf, salt in rows:
        digest = merkle.leaf_hash(leaf)
        entries.append((size, event_id, leaf, digest, salt))
        i, level, h = size, 0, digest
        key = node_key(0, i)
        known[key] = h
        nodes.append((key, h))
        while i & 1:
            h = merkle.node_hash(known[node_key(level, i - 1)], h)
            level, i = level + 1, i >> 1
            key = node_key(level, i)
            known[key] = h
            nodes.append((key, h))
        size += 1
    _insert(LogEntry._meta.db_table, '"index", event_id, leaf, leaf_hash, salt', entries)
    _insert(TreeNode._meta.db_table, "id, hash", nodes)
    return size


def _insert(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk rows: COPY on PostgreSQL (one stream, no statement per row), executemany elsewhere."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * (columns.count(",") + 1))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


# --- keys and checkpoints -------------------------------------------------------------------------


class KeyMissing(RuntimeError):
    """No signing key: run `minga keys init`."""


def key_file() -> Path:
    return Path(settings.MINGA_LOG_KEY_FILE)


def init_keys(*, force: bool = False) -> str:
    """Create the log's Ed25519 signing key (file mode 0600); returns the verifier key."""
    path = key_file()
    if path.exists() and not force:
        return note.parse_signer(path.read_text()).verifier_key
    signer, verifier = note.generate(settings.MINGA_LOG_ORIGIN)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(signer + "\n")
    return verifier


def signer_key() -> str:
    path = key_file()
    if not path.exists():
        raise KeyMissing(f"no signing key at {path}: run `minga keys init`")
    return path.read_text().strip()


def verifier_key() -> str:
    return note.parse_signer(signer_key()).verifier_key


def sign_checkpoint() -> Checkpoint:
    """Sign the current tree (a new checkpoint only when the tree grew)."""
    key = signer_key()
    with transaction.atomic():
        state, _ = LogState.objects.select_for_update().get_or_create(pk=1)
        latest = Checkpoint.objects.first()
        if latest is not None and latest.size == state.size:
            return latest

        root = tree().root(state.size)
        body = note.Checkpoint(settings.MINGA_LOG_ORIGIN, state.size, root).text()
        return Checkpoint.objects.create(
            size=state.size,
            root=root,
            note=note.sign(body, key),
            published=witnessing.quorum() == 0,
        )


def publish() -> Checkpoint | None:
    """Integrate everything queued, sign a checkpoint if a key exists, and collect the
    witnesses' cosignatures it lacks (the worker's task)."""
    integrate()
    try:
        checkpoint = sign_checkpoint()
    except KeyMissing:
        return None
    if Witness.objects.exists():
        witnessing.collect(checkpoint)
    return checkpoint
