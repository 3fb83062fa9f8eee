"""Language without URL prefixes: ?lang= (shareable) > cookie > Accept-Language > Spanish."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower()
    codes = {c for c, _ in settings.LANGUAGES}
    if code in codes:
        return code
    base = code.split("-")[0]
    return base if base in codes else None


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = _supported(request.GET.get("lang"))
        language = (
            chosen
            or _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
            or translation.get_language_from_request(request)
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        if chosen and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=True,
            )
        translation.deactivate()
        return response


class RefuseNulMiddleware:
    """A NUL character in the path, the query string, a form field or a JSON body is never
    meaningful text, and PostgreSQL refuses to store or compare it: answer 400 before any view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = [request.path, *request.GET.keys(), *request.GET.values()]
        if request.method != "GET" and request.content_type == "application/x-www-form-urlencoded":
            fields += [*request.POST.keys(), *request.POST.values()]
        nul = any("\x00" in value for value in fields)
        if not nul and request.content_type == "application/json":
            nul = b"\x00" in request.body or b"\\u0000" in request.body
        if nul:
            return HttpResponseBadRequest(_("The request contains a NUL character."))
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """The database went away in the middle of a request (a restart, a dropped connection): the
    request's transaction is rolled back by the server, so nothing of it was saved. Say so
    plainly with 503 and Retry-After, in the viewer's language, without touching the database
    again; the broken connection is discarded so the next request opens a fresh one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable(request, exception)


def database_unavailable(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The plain 503 (JSON under /api/) for a database that failed the request: gone away, or
    SQLite's write lock still held after its timeout. Also answers for middleware that writes
    after the view (sessions), through ``minga.core.views.server_error``."""
    logging.getLogger("minga").error("database unavailable: %s", exception)
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
        if conn.connection is not None and not conn.is_usable():
            conn.close()
    message = _(
        "The database could not be reached while your request was being handled. Nothing "
        "of it was saved. Try again in a moment."
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            render_to_string(
                "core/unavailable.html",
                {"message": message, "lang": translation.get_language()},
            ),
            status=503,
        )
    response["Retry-After"] = "5"
    return response
