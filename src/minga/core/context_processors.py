from typing import Any

from django.conf import settings
from django.http import HttpRequest

from minga.core import heartbeat


def minga(request: HttpRequest) -> dict[str, Any]:
    current = request.get_full_path()
    query = request.GET.copy()
    switch = []
    for code, name in settings.LANGUAGES:
        query["lang"] = code
        switch.append({"code": code, "name": name, "url": f"{request.path}?{query.urlencode()}"})
    return {
        "language_switch": switch,
        "current_path": current,
        "tile_url": settings.MINGA_TILE_URL,
        "tile_attribution": settings.MINGA_TILE_ATTRIBUTION,
        # Called only by the pages that wait on background work (templates call callables).
        "worker_alive": heartbeat.alive,
    }
