"""Text that minga writes itself, kept as a message and its values and put into words in the
reader's language when shown (text people write stays as they wrote it).

A message is the JSON-ready ``{"m": msgid, "p": {name: value}}``; a value may itself be a
message (a gate's detail inside an application's eligibility, a period label). The msgid is
marked with ``gettext_noop`` where the message is made, so the catalogs carry it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def message(msgid: str, **params: Any) -> dict[str, Any]:
    return {"m": msgid, "p": params}


def is_message(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("m"), str)


def say(value: Any, language: str | None = None) -> str:
    """A message in the active language (or ``language``); anything else as it is."""
    if language is not None:
        with translation.override(language):
            return say(value)
    if not is_message(value):
        return "" if value is None else str(value)
    params = {k: shown_value(v) for k, v in (value.get("p") or {}).items()}
    text = gettext(value["m"])
    return text % params if params else text


def shown_value(value: Any) -> Any:
    """A message's value as the reader reads it: a message in words, a list joined, an ISO day
    in the locale's notation; anything else as it is."""
    if is_message(value):
        return say(value)
    if isinstance(value, list):  # a list of items, each possibly a message
        return "; ".join(say(v) for v in value)
    if isinstance(value, str) and ISO_DAY.fullmatch(value):  # a day: kept ISO, shown localised
        with contextlib.suppress(ValueError):
            return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    return value


class Worded:
    """``shown_title = Worded("title")`` on a model with a ``system_text`` JSONField: the field
    as minga wrote it, in the reader's language, when ``system_text`` keeps its message and the
    field still reads as minga wrote it; else the field as stored (what a person wrote or
    edited, or a row older than the message)."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, row: Any, owner: type | None = None) -> Any:
        if row is None:
            return self
        stored = getattr(row, self.field)
        kept = (getattr(row, "system_text", None) or {}).get(self.field)
        if not is_message(kept):
            return stored
        # a person who edits the field makes it theirs: the message only while it is unchanged
        return say(kept) if say(kept, settings.LANGUAGE_CODE) == stored else stored


def kept(row: Any, field: str) -> Any:
    """The message minga wrote for ``row.field`` while the field still says what it wrote (to
    pass on, e.g. inside another message); else the field as a person left it."""
    stored = getattr(row, field)
    message_ = (getattr(row, "system_text", None) or {}).get(field)
    if is_message(message_) and say(message_, settings.LANGUAGE_CODE) == stored:
        return message_
    return stored


def worded(**fields: Any) -> dict[str, Any]:
    """The stored text of each message, in the site's language (for search, exports, the log)
    and the ``system_text`` that keeps the messages: ``worded(title=message(...))``."""
    values = {name: say(m, settings.LANGUAGE_CODE) for name, m in fields.items()}
    return {**values, "system_text": dict(fields)}
