from django.urls import path

from minga.library import views

urlpatterns = [
    path("t/<slug:slug>/library/", views.library, name="library"),
    path("t/<slug:slug>/library/new/", views.new_document, name="library-new"),
    path("t/<slug:slug>/library/<str:public_id>/", views.document, name="library-document"),
    path(
        "t/<slug:slug>/library/<str:public_id>/versions/",
        views.add_version,
        name="library-version-add",
    ),
    path(
        "t/<slug:slug>/library/<str:public_id>/offline/",
        views.keep_offline,
        name="library-offline",
    ),
    path(
        "t/<slug:slug>/library/<str:public_id>/v<int:number>/",
        views.download,
        name="library-download",
    ),
]
