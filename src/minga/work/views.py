from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minga.work.queries import work_for


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """What waits on the person across all their tables, on one page."""
    return render(request, "work/my_work.html", {"work": work_for(request.user)})
