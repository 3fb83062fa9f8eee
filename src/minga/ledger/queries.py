"""Reads of the log: proofs built from stored subtrees (one query each), entries, checkpoints."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.utils.translation import gettext as _

from minga.ledger import merkle
from minga.ledger.models import LEVEL_SHIFT, Checkpoint, LogEntry, LogState, TreeNode

CACHE_SIZE = 200_000
# Perfect subtrees never change once written: a process-wide cache is always right.
_cache: OrderedDict[int, bytes] = OrderedDict()


def forget_cache() -> None:
    """Drop cached nodes and size (the sequencer calls it when it appends: a rolled-back append
    must never leave hashes behind)."""
    global _known_size
    _cache.clear()
    _known_size = 0


class ProofError(ValueError):
    """A proof request the log cannot answer (index or sizes out of range)."""


def _lookup(keys: set[int]) -> dict[int, bytes]:
    found = {k: _cache[k] for k in keys if k in _cache}
    missing = [k for k in keys if k not in found]
    if missing:
        for key, value in TreeNode.objects.filter(id__in=missing).values_list("id", "hash"):
            found[key] = bytes(value)
            _cache[key] = bytes(value)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    if len(found) != len(keys):
        raise ProofError(_("the stored tree is missing nodes: run `minga audit --local`"))
    return found


def _with_nodes(compute: Any) -> Any:
    """Run ``compute(subtrees)`` on cached nodes; on a miss, learn which nodes it needs (a dry
    run), fetch them in one query, and run it again."""
    try:
        return compute(merkle.Subtrees(lambda level, index: _cache[(level << LEVEL_SHIFT) | index]))
    except KeyError:
        pass
    needed: set[int] = set()

    def record(level: int, index: int) -> bytes:
        needed.add((level << LEVEL_SHIFT) | index)
        return b"\x00" * 32

    compute(merkle.Subtrees(record))
    nodes = _lookup(needed)
    return compute(merkle.Subtrees(lambda level, index: nodes[(level << LEVEL_SHIFT) | index]))


def tree() -> Any:
    """Subtrees straight from the database (for roots while sequencing)."""
    return merkle.Subtrees(
        lambda level, index: _lookup({(level << LEVEL_SHIFT) | index})[
            (level << LEVEL_SHIFT) | index
        ]
    )


_known_size = 0


def size() -> int:
    global _known_size
    state = LogState.objects.filter(pk=1).first()
    _known_size = state.size if state else 0
    return _known_size


def _check_size(at: int) -> int:
    """The log's size, asked of the database only when ``at`` is beyond the size last seen
    (the log only grows, so a smaller size needs no query)."""
    return _known_size if 0 <= at <= _known_size else size()


def root(at: int) -> bytes:
    if not 0 <= at <= _check_size(at):
        raise ProofError(_("the log has no tree of size %(size)s") % {"size": at})
    return bytes(_with_nodes(lambda t: t.root(at)))


def inclusion(index: int, at: int) -> dict[str, Any]:
    if at > _check_size(at) or not 0 <= index < at:
        raise ProofError(
            _("no leaf %(index)s in a tree of size %(size)s (the log holds %(n)s)")
            % {"index": index, "size": at, "n": _known_size}
        )
    proof, root_hash, leaf = _with_nodes(
        lambda t: (t.inclusion_proof(index, at), t.root(at), t.node(0, index))
    )
    return {"index": index, "size": at, "leaf_hash": leaf, "proof": proof, "root": root_hash}


def consistency(first: int, second: int) -> dict[str, Any]:
    if not 0 < first <= second <= _check_size(second):
        raise ProofError(
            _("no consistency proof from %(first)s to %(second)s (the log holds %(n)s)")
            % {"first": first, "second": second, "n": _known_size}
        )
    proof, r1, r2 = _with_nodes(
        lambda t: (t.consistency_proof(first, second), t.root(first), t.root(second))
    )
    return {"first": first, "second": second, "proof": proof, "first_root": r1, "second_root": r2}


def entry(index: int) -> LogEntry | None:
    return LogEntry.objects.filter(index=index).first()


def entry_for_event(event_id: int) -> LogEntry | None:
    return LogEntry.objects.filter(event_id=event_id).first()


def latest_checkpoint() -> Checkpoint | None:
    """The latest published checkpoint: cosigned by the witness quorum (or signed, when the
    policy asks for no witness)."""
    return Checkpoint.objects.filter(published=True).first()


def latest_signed() -> Checkpoint | None:
    """The latest checkpoint the log signed, published or still awaiting its witnesses."""
    return Checkpoint.objects.first()
