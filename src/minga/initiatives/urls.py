from django.urls import path

from minga.initiatives import views

urlpatterns = [
    path("t/<slug:slug>/initiatives/", views.initiatives, name="initiatives"),
    path("t/<slug:slug>/initiatives.geojson", views.geojson, name="initiatives-geojson"),
    path("t/<slug:slug>/initiatives/3w/", views.three_w, name="three-w"),
    path("t/<slug:slug>/initiatives/alignment/", views.alignment, name="alignment"),
    path("t/<slug:slug>/initiatives/import/", views.import_initiatives, name="initiatives-import"),
    path("t/<slug:slug>/initiatives/export.<str:fmt>", views.export, name="initiatives-export"),
    path("t/<slug:slug>/initiatives/pool/", views.pool, name="initiatives-pool"),
    path(
        "t/<slug:slug>/initiatives/<str:public_id>/unpool/",
        views.unpool,
        name="initiative-unpool",
    ),
    path("t/<slug:slug>/initiatives/rates/", views.rates, name="rates"),
    path("t/<slug:slug>/initiatives/new/", views.edit_initiative, name="initiative-new"),
    path(
        "t/<slug:slug>/initiatives/<str:public_id>/edit/",
        views.edit_initiative,
        name="initiative-edit",
    ),
    path("t/<slug:slug>/initiatives/<str:public_id>/", views.initiative, name="initiative"),
    path("t/<slug:slug>/commitments/", views.commitments, name="commitments"),
    path(
        "t/<slug:slug>/commitments/<str:public_id>/",
        views.commitment_status,
        name="commitment-status",
    ),
    path("t/<slug:slug>/reports/", views.reports, name="reports"),
    path("t/<slug:slug>/reports/<str:public_id>/", views.report, name="report"),
    path("t/<slug:slug>/reports/<str:public_id>/report.pdf", views.report_pdf, name="report-pdf"),
    path("t/<slug:slug>/reports/<str:public_id>/attest/", views.attest, name="report-attest"),
]
