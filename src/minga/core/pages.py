"""Pagination for list pages: their cost stays the same however large the network grows."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page[Any]:
    """The page ``?page=N`` of ``items`` (a queryset is sliced in SQL); a bad or too large
    number gives the nearest page, never an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def other_params(request: HttpRequest) -> str:
    """The query string without ``page``, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"&{encoded}" if encoded else ""
