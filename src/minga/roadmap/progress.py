"""Progress of a results tree (Decidim-style accountability), as pure functions.

A result's progress is its own when it has no children; otherwise the weighted mean of its
children's progress (weights default to 1). Statuses carry a default progress used when none is
given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    id: int
    parent: int | None
    weight: float
    progress: float | None  # 0..100, None when the result only has a status default


def rolled_up(
    nodes: Sequence[Node], defaults: Mapping[int, float] | None = None
) -> dict[int, float]:
    """Progress of every node, leaves as given (or their status default), parents rolled up."""
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    defaults = defaults or {}
    result: dict[int, float] = {}

    def visit(node: Node, seen: frozenset[int]) -> float:
        if node.id in seen:
            raise ValueError(f"result {node.id} is its own ancestor")
        kids = children.get(node.id, [])
        if not kids:
            value = node.progress if node.progress is not None else defaults.get(node.id, 0.0)
        else:
            total = sum(max(k.weight, 0.0) for k in kids)
            values = [visit(k, seen | {node.id}) for k in kids]
            if total == 0:
                value = sum(values) / len(values)
            else:
                value = (
                    sum(v * max(k.weight, 0.0) for v, k in zip(values, kids, strict=True)) / total
                )
        result[node.id] = round(min(max(value, 0.0), 100.0), 2)
        return result[node.id]

    for node in nodes:
        if node.id not in result:
            visit(node, frozenset())
    return result
