"""The log's plain endpoints: the signed checkpoint, the verifier key, raw leaves."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minga.ledger import queries, services


def _text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    latest = queries.latest_checkpoint()
    if latest is None:
        return _text(_("The log has no signed checkpoint yet.") + "\n", status=503)
    return _text(latest.note)


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    try:
        return _text(services.verifier_key() + "\n")
    except services.KeyMissing:
        return _text(_("The log has no signing key yet (minga keys init).") + "\n", status=503)


@require_GET
def entry(request: HttpRequest, index: int) -> HttpResponse:
    found = queries.entry(index)
    if found is None:
        raise Http404
    response = HttpResponse(bytes(found.leaf), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
