"""Helpers for the `minga` commands: a progress bar on stderr that never touches stdout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def progress_bar(stream: Any, *, width: int = 30) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback drawing ``[####....] done/total`` on ``stream``."""

    def progress(done: int, total: int) -> None:
        if not total:
            return
        filled = width * done // total
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        if done == total:
            stream.write("")
        stream.flush()

    return progress
