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


# One encoder for every call (json.dumps with options builds a new one each time).
_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# A string as JSON (quotes and escapes), exactly what the encoder above writes for it.
_string = json.encoder.encode_basestring


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes. Without floats and with ASCII keys, ``json.dumps`` with sorted keys
    and no whitespace produces the same bytes much faster; otherwise the reference encoder runs."""
    if _plain(value):
        return _JSON.encode(value).encode()
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
    at = _utc(occurred_at).isoformat(timespec="microseconds")[:-6] + "Z"
    if sensitivity > 0:
        if salt is None:
            raise ValueError("a sensitive payload needs a salt")
        inner = f'"payload_commitment":"{commitment(payload, salt)}"'
    else:
        inner = '"payload":' + canonical(payload).decode()
    # exactly int (a bool is an int too, and JSON would write it as true)
    if not (event_id.__class__ is int and sensitivity.__class__ is int and event_id < 2**53):
        raise ValueError("an event's id and sensitivity are integers")
    # The members in RFC 8785 order (their names are ASCII, so UTF-16 order is byte order); every
    # value but the payload is a string or an integer, which json.dumps writes as JCS does.
    return (
        f'{{"actor":{_string(actor)},"at":"{at}","event":{event_id},{inner},'
        f'"sensitivity":{sensitivity},"subject":{_string(subject)},"table":{_string(table)},'
        f'"type":{_string(type)},"v":{VERSION}}}'
    ).encode()
