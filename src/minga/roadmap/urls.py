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
    path(
        "t/<slug:slug>/roadmap/axes/<str:public_id>/objectives/",
        views.add_objective,
        name="objective-add",
    ),
    path(
        "t/<slug:slug>/roadmap/objectives/<str:public_id>/indicators/",
        views.add_indicator,
        name="indicator-add",
    ),
    path(
        "t/<slug:slug>/roadmap/objectives/<str:public_id>/results/",
        views.add_result,
        name="result-add",
    ),
    path(
        "t/<slug:slug>/roadmap/results/<str:public_id>/", views.update_result, name="result-update"
    ),
    path(
        "t/<slug:slug>/roadmap/results/<str:public_id>/milestones/",
        views.add_milestone,
        name="milestone-add",
    ),
]
