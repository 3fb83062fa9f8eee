"""The log as C2SP tlog-tiles: hash tiles and entry bundles read from the stored tree.

A tile at level ``L`` holds the hashes of the perfect subtrees of height ``8·L`` (``256**L``
leaves each), 256 of them when full. The log stores every perfect subtree as a ``TreeNode``
keyed ``level << 48 | index``, so a tile is one range scan: the nodes ``8·L`` from
``N·256`` to ``N·256 + W``. An entry bundle is the leaves' bytes (the canonical JSON the log
hashes, sensitive payloads as commitments), each behind its big-endian uint16 length.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from minga.ledger.models import LEVEL_SHIFT, LogEntry, TreeNode

WIDTH = 256
HEIGHT = 8
MAX_ENTRY = 0xFFFF
Reader = Callable[[int, int | None, int], bytes]  # (index, width or None, tree size) → bytes
# <N> as zero-padded 3-digit path elements, all but the last starting with "x"
_INDEX = re.compile(r"(?:x\d{3}/){0,5}\d{3}")


class TileError(ValueError):
    """A tile path that does not follow the spec, or names a tile the tree does not hold."""


def parse_index(path: str) -> int:
    """``x001/x234/067`` → 1234067 (no more leading zero groups than the spec's encoding)."""
    if not _INDEX.fullmatch(path):
        raise TileError("not a tile index")
    groups = path.replace("x", "").split("/")
    if len(groups) > 1 and groups[0] == "000":
        raise TileError("a tile index has no leading zero groups")
    return int("".join(groups))


def index_path(index: int) -> str:
    """1234067 → ``x001/x234/067``."""
    digits = str(index)
    digits = digits.zfill((len(digits) + 2) // 3 * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def width_at(level: int, index: int, size: int) -> int:
    """How many hashes tile ``level/index`` holds in a tree of ``size`` leaves (0: none)."""
    count: int = size >> (HEIGHT * level)  # hashes at this level in the tree
    return max(0, min(WIDTH, count - index * WIDTH))


def _check(level: int, index: int, width: int | None, size: int) -> int:
    if not 0 <= level <= (LEVEL_SHIFT - 1) // HEIGHT:
        raise TileError("no such level")
    available = width_at(level, index, size)
    wanted = WIDTH if width is None else width
    if not 1 <= wanted <= WIDTH - (width is not None) or wanted > available:
        raise TileError("the tree holds no such tile")
    return wanted


def hashes(level: int, index: int, width: int | None, size: int) -> bytes:
    """The tile's bytes: ``width`` (or 256) hashes, 32 bytes each."""
    wanted = _check(level, index, width, size)
    first = (HEIGHT * level << LEVEL_SHIFT) | index * WIDTH
    rows = (
        TreeNode.objects.filter(id__gte=first, id__lt=first + wanted)
        .order_by("id")
        .values_list("hash", flat=True)
    )
    found = [bytes(h) for h in rows]
    if len(found) != wanted:
        raise TileError("the stored tree is missing nodes")
    return b"".join(found)


def entries(index: int, width: int | None, size: int) -> bytes:
    """The entry bundle's bytes: each leaf behind its length (big-endian uint16)."""
    wanted = _check(0, index, width, size)
    start = index * WIDTH
    rows = (
        LogEntry.objects.filter(index__gte=start, index__lt=start + wanted)
        .order_by("index")
        .values_list("leaf", flat=True)
    )
    out = bytearray()
    count = 0
    for leaf in rows:
        data = bytes(leaf)
        if len(data) > MAX_ENTRY:
            raise TileError("a leaf is longer than an entry bundle can carry")
        out += len(data).to_bytes(2, "big") + data
        count += 1
    if count != wanted:
        raise TileError("the stored log is missing leaves")
    return bytes(out)
