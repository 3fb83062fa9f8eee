from django.contrib import admin
from django.urls import include, path

from minga.api import api

urlpatterns = [
    path("", include("minga.core.urls")),
    path("", include("minga.ledger.urls")),
    path("", include("minga.tables.urls")),
    path("", include("minga.meetings.urls")),
    path("", include("minga.roadmap.urls")),
    path("", include("minga.agreements.urls")),
    path("", include("minga.decisions.urls")),
    path("", include("minga.initiatives.urls")),
    path("", include("minga.monitoring.urls")),
    path("", include("minga.health.urls")),
    path("", include("minga.credits.urls")),
    path("", include("minga.funds.urls")),
    path("", include("minga.portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
