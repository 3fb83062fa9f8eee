from django.urls import path

from minga.monitoring import views

urlpatterns = [
    path("t/<slug:slug>/monitoring/", views.observations, name="observations"),
    path(
        "t/<slug:slug>/monitoring/observations.geojson", views.geojson, name="observations-geojson"
    ),
    path(
        "t/<slug:slug>/monitoring/observations/clusters.geojson",
        views.clusters_geojson,
        name="observations-clusters",
    ),
    path("t/<slug:slug>/monitoring/import/", views.upload, name="field-import"),
    path("t/<slug:slug>/monitoring/new/", views.record, name="observation-new"),
    path(
        "t/<slug:slug>/monitoring/<str:public_id>/photo/<int:number>/",
        views.photo,
        name="observation-photo",
    ),
    path(
        "t/<slug:slug>/monitoring/import/<str:public_id>/mapping/",
        views.import_mapping,
        name="field-import-mapping",
    ),
    path("t/<slug:slug>/monitoring/categories/", views.categories, name="field-categories"),
    path("t/<slug:slug>/monitoring/sources/", views.sources, name="field-sources"),
    path(
        "t/<slug:slug>/monitoring/sources/<str:public_id>/",
        views.source_act,
        name="field-source-act",
    ),
    path(
        "t/<slug:slug>/monitoring/syncs/<str:public_id>/",
        views.source_sync,
        name="field-source-sync",
    ),
    path("hooks/kobo/<str:public_id>/", views.kobo_push, name="kobo-push"),
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
]
