"""The JSON API, /api/v1/: one NinjaAPI, one router per area."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from minga.core.middleware import database_unavailable
from minga.core.tokens import user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; without the header the caller is the public."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get("Authorization"):
            request.user = AnonymousUser()
            return request.user
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError
        request.user = user
        return user


api = NinjaAPI(
    title="minga API",
    version="1.0.0",
    description="Cooperation tables, organizations and memberships; the transparency log's "
    "proofs; and the public portal: figures of the network, regions and tables, every open "
    "dataset, funds and their transactions, regional guidance and table health. Public reads "
    "need no token; to write, send a personal token as `Authorization: Bearer <token>` (from "
    "your profile page or `minga token create`).",
    auth=BearerToken(),
    urls_namespace="api-1.0.0",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("Your role on this table does not allow this.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """SQLite's lock held past its timeout, or a lost connection, inside the API (token checks
    write too): the same plain 503 with Retry-After as every other page."""
    return database_unavailable(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("The API token is missing, wrong or revoked.")}, status=401
    )


from minga.ledger.api import router as log_router  # noqa: E402
from minga.portal.api import router as portal_router  # noqa: E402
from minga.tables.api import router as tables_router  # noqa: E402

api.add_router("/", tables_router)
api.add_router("/", log_router)
api.add_router("/", portal_router)
