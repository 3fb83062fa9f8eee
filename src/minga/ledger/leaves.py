"""What goes into the log for an event: its canonical JSON (RFC 8785). Pure.

A sensitive payload (sensitivity above public) enters only as a salted commitment,
``base64(SHA-256(salt || JCS(payload)))``; the salt stays in the database, so the owner can
later prove what the payload was, and nobody learns it from the public log.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import Any

import rfc8785

VERSION = 1


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes. Without floats and with ASCII keys, ``json.dumps`` with sorted keys
    and no whitespace produces the same bytes much faster; otherwise the reference encoder runs."""
    if _plain(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    """No floats, no non-ASCII keys, integers within 2**53 (iterative: this runs per event)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, inner in item.items():
                if not key.isascii():
                    return False
                stack.append(inner)
        elif kind is list:
            stack.extend(item)
        elif kind is int:
            if not -(2**53) < item < 2**53:
                return False
        elif not (kind is str or kind is bool or item is None):
            return False
    return True


def _utc(value: dt.datetime | str) -> dt.datetime:
    """Aware datetimes as UTC; naive ones (SQLite's text, stored in UTC) read as UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def commitment(payload: Any, salt: bytes) -> str:
    return base64.b64encode(hashlib.sha256(salt + canonical(payload)).digest()).decode()


def event_leaf(
    *,
    event_id: int,
    type: str,
    occurred_at: dt.datetime,
    actor: str,
    table: str,
    subject: str,
    payload: Any,
    sensitivity: int,
    salt: bytes | None,
) -> bytes:
    body: dict[str, Any] = {
        "v": VERSION,
        "event": event_id,
        "type": type,
        "at": _utc(occurred_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "table": table,
        "subject": subject,
        "sensitivity": sensitivity,
    }
    if sensitivity > 0:
        if salt is None:
            raise ValueError("a sensitive payload needs a salt")
        body["payload_commitment"] = commitment(payload, salt)
    else:
        body["payload"] = payload
    return canonical(body)
