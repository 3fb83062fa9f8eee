from django.urls import path

from minga.portal import views

urlpatterns = [
    path("portal/", views.network, name="portal"),
    path("portal/r/<slug:slug>/", views.region, name="portal-region"),
    path("portal/r/<slug:slug>/forum.pdf", views.forum_report, name="forum-report"),
    path("portal/t/<slug:slug>/", views.table, name="portal-table"),
    path("portal/t/<slug:slug>/map.geojson", views.table_map, name="portal-map"),
    path("portal/money/", views.trace, name="portal-trace"),
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/iati/<str:kind>.xml", views.iati_file, name="iati-file"),
    path("open-data/<slug:slug>.zip", views.package, name="open-data-package"),
    path("open-data/<slug:slug>/<str:name>.csv", views.dataset_csv, name="open-data-csv"),
    path(
        "open-data/<slug:slug>/<str:name>.geojson",
        views.dataset_geojson,
        name="open-data-geojson",
    ),
]
