from django.urls import path

from minga.tables import regional_views, views

urlpatterns = [
    path("", views.network, name="network"),
    path("r/<slug:slug>/", views.region, name="region"),
    path("r/<slug:slug>/guidance/", regional_views.guidance, name="region-guidance"),
    path("r/<slug:slug>/guidance/publish/", regional_views.publish, name="guidance-publish"),
    path(
        "r/<slug:slug>/guidance/<str:public_id>/answer/",
        regional_views.answer,
        name="guidance-answer",
    ),
    path("t/<slug:slug>/", views.table_home, name="table"),
    path("t/<slug:slug>/territory.geojson", views.table_geojson, name="table-geojson"),
    path("t/<slug:slug>/edit/", views.table_edit, name="table-edit"),
    path("t/<slug:slug>/territory/", views.territory_set, name="territory-set"),
    path("t/<slug:slug>/members/", views.members, name="members"),
    path("t/<slug:slug>/members/invite/", views.invite, name="invite"),
    path("t/<slug:slug>/members/import/", views.import_members, name="import-members"),
    path("t/<slug:slug>/members/<int:pk>/end/", views.end_membership, name="end-membership"),
    path("t/<slug:slug>/invitations/<str:public_id>/", views.invitation, name="invitation"),
    path("t/<slug:slug>/instruments/add/", views.add_instrument, name="add-instrument"),
    path(
        "t/<slug:slug>/instruments/<str:public_id>/document",
        views.instrument_document,
        name="instrument-document",
    ),
    path("o/<str:public_id>/", views.organization, name="organization"),
    path("p/<str:public_id>/", views.person, name="person"),
    path("join/<str:token>/", views.join, name="join"),
]
