from django.urls import path

from minga.roadmap import views

urlpatterns = [
    path("t/<slug:slug>/roadmap/", views.roadmap, name="roadmap"),
    path("t/<slug:slug>/roadmap/axes/", views.add_axis, name="axis-add"),
    path(
        "t/<slug:slug>/roadmap/indicators/<str:public_id>/measurements/",
        views.measure,
        name="measure",
    ),
]
