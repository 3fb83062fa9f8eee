from django.urls import path

from minga.credits import views

urlpatterns = [
    path("t/<slug:slug>/credits/", views.registry, name="credit-registry"),
    path("t/<slug:slug>/credits/act/", views.act, name="credit-act"),
    path("t/<slug:slug>/credits/cadt.<str:kind>", views.cadt_export, name="credit-cadt"),
    path("credits/retirements/<str:public_id>/", views.certificate, name="retirement"),
    path("credits/retirements/<str:public_id>.pdf", views.certificate_pdf, name="retirement-pdf"),
    path(
        "credits/retirements/<str:public_id>.json", views.certificate_json, name="retirement-json"
    ),
]
