from django.urls import path

from minga.health import views

urlpatterns = [
    path("t/<slug:slug>/health/", views.health, name="health"),
    path("t/<slug:slug>/health/act/", views.act, name="health-act"),
    path("t/<slug:slug>/incidents/<str:public_id>/", views.incident, name="incident"),
    path("t/<slug:slug>/incidents/<str:public_id>/act/", views.incident_act, name="incident-act"),
]
