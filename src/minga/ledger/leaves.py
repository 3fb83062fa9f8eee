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
    if isinstance(value, dict):
        return all(k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    return isinstance(value, int) and abs(value) < 2**53


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
        "at": occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
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
