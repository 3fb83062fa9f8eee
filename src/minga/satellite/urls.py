from django.urls import path

from minga.satellite import views

urlpatterns = [
    path("t/<slug:slug>/satellite/", views.satellite_page, name="satellite"),
    path("t/<slug:slug>/satellite/runs/<str:public_id>/", views.run_progress, name="satellite-run"),
    path(
        "t/<slug:slug>/satellite/fetches/<str:public_id>/",
        views.fetch_progress,
        name="satellite-fetch",
    ),
    path(
        "t/<slug:slug>/satellite/hotspots.geojson", views.hotspots_geojson, name="hotspots-geojson"
    ),
    path(
        "t/<slug:slug>/satellite/hotspots/clusters.geojson",
        views.hotspots_clusters,
        name="hotspots-clusters",
    ),
    path("t/<slug:slug>/satellite/hotspot-form.xlsx", views.hotspot_form, name="hotspot-form"),
    path("t/<slug:slug>/satellite/hotspot-checks/", views.hotspot_checks, name="hotspot-checks"),
    path(
        "t/<slug:slug>/satellite/<str:kind>/<str:public_id>/",
        views.zone_page,
        name="satellite-zone",
    ),
    path("t/<slug:slug>/samples/<str:public_id>/", views.design_page, name="sample-design"),
    path(
        "t/<slug:slug>/samples/<str:public_id>.<str:fmt>",
        views.design_export,
        name="sample-export",
    ),
    path(
        "t/<slug:slug>/verifications/<str:public_id>/", views.verification_page, name="verification"
    ),
    path(
        "t/<slug:slug>/verifications/<str:public_id>.json",
        views.verification_json,
        name="verification-json",
    ),
    path(
        "t/<slug:slug>/verifications/<str:public_id>.pdf",
        views.verification_pdf,
        name="verification-pdf",
    ),
]
