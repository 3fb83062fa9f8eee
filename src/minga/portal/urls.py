from django.urls import path

from minga.portal import views

urlpatterns = [
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
