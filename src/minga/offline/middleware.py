from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from minga.core.outbox import viewer

HEADER = "Minga-Viewer"


class ViewerMiddleware:
    """Tell the service worker whose page this is (an opaque name, ``-`` for nobody logged in),
    so that it files the page under that person and forgets everything else's when it changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response[HEADER] = viewer(getattr(request, "user", None))
        return response
