from __future__ import annotations

import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.core import heartbeat
from minga.core.middleware import database_unavailable
from minga.core.models import ApiToken
from minga.core.tokens import create_api_token, revoke_api_token


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            messages.error(request, _("Give the token a name, e.g. the program that will use it."))
        else:
            _record, new_token = create_api_token(user=request.user, name=name)
    person = getattr(request.user, "person", None)
    return render(
        request,
        "core/profile.html",
        {
            "person": person,
            "tokens": ApiToken.objects.filter(user_id=request.user.pk),  # type: ignore[misc]
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    if revoke_api_token(user=request.user, token_id=pk):
        messages.success(request, _("The token was revoked."))
    else:
        messages.error(request, _("There is no such token."))
    return redirect("profile")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    seen = heartbeat.last_seen()
    return JsonResponse(
        {
            "status": "ok",
            "database": connection.vendor,
            # Background work (imports, analyses, mail, the log's anchors) waits for a worker.
            "worker": {
                "running": heartbeat.alive(),
                "last_seen": seen.isoformat() if seen else None,
            },
        }
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages carry their icon inline; this answers the browsers that ask for /favicon.ico anyway
    (on a JSON or PDF page), so no request ever ends in a 404."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "public, max-age=604800"
    return response


def lockout(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    return render(request, "core/lockout.html", status=429)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500, except for a database that failed the request (SQLite's lock held past its
    timeout, a lost connection) wherever it surfaced, views or middleware: that is the plain 503
    with Retry-After."""
    failure = sys.exc_info()[1]
    if isinstance(failure, OperationalError | InterfaceError):
        return database_unavailable(request, failure)
    return defaults.server_error(request)
