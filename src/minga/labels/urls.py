from django.urls import path

from minga.labels import views

urlpatterns = [
    path("t/<slug:slug>/labels/", views.labels_page, name="labels"),
    path("t/<slug:slug>/labels/act/", views.act, name="labels-act"),
    path("help/labels/", views.about, name="labels-about"),
]
