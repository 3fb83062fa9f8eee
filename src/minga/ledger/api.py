"""Proofs over /api/v1/log/: inclusion and consistency, hashes in base64 (RFC 9162 semantics)."""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from minga.ledger import queries

router = Router(tags=["log"])


class Error(Schema):
    detail: str


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]
    root: str


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str]
    first_root: str
    second_root: str


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


@router.get(
    "/log/proof/inclusion",
    response={200: InclusionOut, 400: Error},
    auth=None,
    summary="Inclusion proof of a leaf in a tree size",
)
def inclusion(request: HttpRequest, index: int, size: int) -> Any:
    try:
        found = queries.inclusion(index, size)
    except queries.ProofError as exc:
        return Status(400, {"detail": _("Malformed proof request: %(reason)s") % {"reason": exc}})
    return {
        "index": index,
        "size": size,
        "leaf_hash": _b64(found["leaf_hash"]),
        "proof": [_b64(p) for p in found["proof"]],
        "root": _b64(found["root"]),
    }


@router.get(
    "/log/proof/consistency",
    response={200: ConsistencyOut, 400: Error},
    auth=None,
    summary="Consistency proof between two tree sizes",
)
def consistency(request: HttpRequest, first: int, second: int) -> Any:
    try:
        found = queries.consistency(first, second)
    except queries.ProofError as exc:
        return Status(400, {"detail": _("Malformed proof request: %(reason)s") % {"reason": exc}})
    return {
        "first": first,
        "second": second,
        "proof": [_b64(p) for p in found["proof"]],
        "first_root": _b64(found["first_root"]),
        "second_root": _b64(found["second_root"]),
    }
