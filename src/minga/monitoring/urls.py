from django.urls import path

from minga.monitoring import satellite_views as sat
from minga.monitoring import views

urlpatterns = [
    path("t/<slug:slug>/monitoring/", views.observations, name="observations"),
    path(
        "t/<slug:slug>/monitoring/observations.geojson", views.geojson, name="observations-geojson"
    ),
    path("t/<slug:slug>/monitoring/import/", views.upload, name="field-import"),
    path(
        "t/<slug:slug>/monitoring/import/<str:public_id>/",
        views.import_progress,
        name="field-import-progress",
    ),
    path("t/<slug:slug>/monitoring/quarantine/", views.quarantine, name="quarantine"),
    path("t/<slug:slug>/monitoring/patrol-form.xlsx", views.xlsform, name="patrol-form"),
    path(
        "t/<slug:slug>/agreements/<str:agreement>/patrol-form.xlsx",
        views.xlsform,
        name="agreement-patrol-form",
    ),
    path("t/<slug:slug>/satellite/", sat.satellite_page, name="satellite"),
    path("t/<slug:slug>/satellite/runs/<str:public_id>/", sat.run_progress, name="satellite-run"),
    path("t/<slug:slug>/satellite/hotspots.geojson", sat.hotspots_geojson, name="hotspots-geojson"),
    path("t/<slug:slug>/satellite/hotspot-form.xlsx", sat.hotspot_form, name="hotspot-form"),
    path("t/<slug:slug>/satellite/hotspot-checks/", sat.hotspot_checks, name="hotspot-checks"),
    path(
        "t/<slug:slug>/satellite/<str:kind>/<str:public_id>/",
        sat.zone_page,
        name="satellite-zone",
    ),
    path("t/<slug:slug>/samples/<str:public_id>/", sat.design_page, name="sample-design"),
    path(
        "t/<slug:slug>/samples/<str:public_id>.<str:fmt>",
        sat.design_export,
        name="sample-export",
    ),
    path(
        "t/<slug:slug>/verifications/<str:public_id>/", sat.verification_page, name="verification"
    ),
    path(
        "t/<slug:slug>/verifications/<str:public_id>.json",
        sat.verification_json,
        name="verification-json",
    ),
    path(
        "t/<slug:slug>/verifications/<str:public_id>.pdf",
        sat.verification_pdf,
        name="verification-pdf",
    ),
]
