from django.contrib import admin
from django.db import transaction
from django.urls import include, path

from minga.api import api

api_patterns, api_app, api_namespace = api.urls
for pattern in api_patterns:
    # The schema and its viewer read no data: no request transaction, no database connection.
    if getattr(pattern, "name", None) in ("openapi-json", "openapi-view"):
        transaction.non_atomic_requests(pattern.callback)

handler500 = "minga.core.views.server_error"

urlpatterns = [
    path("", include("minga.core.urls")),
    path("", include("minga.ledger.urls")),
    path("", include("minga.tables.urls")),
    path("", include("minga.meetings.urls")),
    path("", include("minga.roadmap.urls")),
    path("", include("minga.agreements.urls")),
    path("", include("minga.library.urls")),
    path("", include("minga.decisions.urls")),
    path("", include("minga.initiatives.urls")),
    path("", include("minga.monitoring.urls")),
    path("", include("minga.satellite.urls")),
    path("", include("minga.health.urls")),
    path("", include("minga.credits.urls")),
    path("", include("minga.funds.urls")),
    path("", include("minga.portal.urls")),
    path("", include("minga.work.urls")),
    path("", include("minga.labels.urls")),
    path("", include("minga.offline.urls")),
    path("", include("minga.notices.urls")),
    path("api/v1/", (api_patterns, api_app, api_namespace)),
    path("admin/", admin.site.urls),
]
