from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from minga.core.outbox import HEADER, KEY_FIELD, viewer
from minga.offline.queries import kept_for

# the files every page loads, kept when the service worker is installed (a public page's first
# load counts them: the rest is kept as pages ask for it, or for a logged-in person's kept pages)
PRECACHE = ["core/minga.css", "offline/store.js", "offline/offline.js", "offline/icon-192.png"]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that it may look after every page. Browsers
    check it for changes on each visit; it is never cached for long."""
    script = render_to_string(
        "offline/sw.js",
        {
            "static_url": settings.STATIC_URL,
            "store_url": static("offline/store.js"),
            "logout_url": reverse("logout"),
            "kept_url": reverse("offline-kept"),
            "manifest_url": reverse("manifest"),
            "precache": json.dumps([static(name) for name in PRECACHE]),
            "header": HEADER,
            "key_field": KEY_FIELD,
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: minga installs on a phone's home screen, in the reader's language."""
    return JsonResponse(
        {
            "name": _("minga: cooperation tables"),
            "short_name": "minga",
            "description": _("Open software for local cooperation tables in the Amazon."),
            "lang": get_language(),
            "start_url": reverse("my-work"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d5c3b",
            "icons": [
                {
                    "src": static(f"offline/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in (192, 512)
            ],
        },
        content_type="application/manifest+json",
    )


@never_cache
@require_GET
def kept(request: HttpRequest) -> JsonResponse:
    """What the person's phone keeps for reading offline (the service worker fetches each)."""
    if not request.user.is_authenticated:
        return JsonResponse({"viewer": viewer(None), "pages": [], "files": []}, status=401)
    return JsonResponse({"viewer": viewer(request.user), **kept_for(request.user)})


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "offline/help.html")
