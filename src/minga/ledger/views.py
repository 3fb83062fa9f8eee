"""The log's plain endpoints (the signed checkpoint with its cosignatures, the verifier key, the
witness policy, raw leaves, C2SP tiles) and its public page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minga.ledger import queries, services, tiles, witnessing

FULL_TILE_CACHE = "public, max-age=31536000, immutable"  # a full tile never changes
PARTIAL_TILE_CACHE = "public, max-age=60"  # a partial tile is replaced by a wider one


def _text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _verifier_key() -> str | None:
    try:
        return services.verifier_key()
    except services.KeyMissing:
        return None


@require_GET
def log_page(request: HttpRequest) -> HttpResponse:
    published = queries.latest_checkpoint()
    signed = queries.latest_signed()
    witnesses = witnessing.witnesses()
    return render(
        request,
        "ledger/log.html",
        {
            "published": published,
            "signed": signed,
            "awaiting": signed is not None and not signed.published,
            "cosigners": list(witnessing.valid_cosigners(published, witnesses))
            if published
            else [],
            "witnesses": witnesses,
            "quorum": witnessing.quorum(),
            "size": queries.size(),
            "verifier_key": _verifier_key(),
        },
    )


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    latest = queries.latest_checkpoint()
    if latest is None:
        return _text(_("The log has no published checkpoint yet.") + "\n", status=503)
    response = _text(latest.signed_note)
    response["Cache-Control"] = "public, max-age=5"
    return response


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    found = _verifier_key()
    if found is None:
        return _text(_("The log has no signing key yet (minga keys init).") + "\n", status=503)
    return _text(found + "\n")


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    return _text(witnessing.policy_text(_verifier_key()))


@require_GET
def entry(request: HttpRequest, index: int) -> HttpResponse:
    found = queries.entry(index)
    if found is None:
        raise Http404
    response = HttpResponse(bytes(found.leaf), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _tile_response(read: tiles.Reader, index: str, width: str | None) -> HttpResponse:
    try:
        data = read(tiles.parse_index(index), int(width) if width else None, queries.size())
    except tiles.TileError:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = PARTIAL_TILE_CACHE if width else FULL_TILE_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def tile(request: HttpRequest, level: str, index: str, width: str | None = None) -> HttpResponse:
    return _tile_response(lambda n, w, size: tiles.hashes(int(level), n, w, size), index, width)


@require_GET
def entries(request: HttpRequest, index: str, width: str | None = None) -> HttpResponse:
    return _tile_response(tiles.entries, index, width)
