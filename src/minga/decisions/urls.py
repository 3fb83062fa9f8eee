from django.urls import path

from minga.decisions import views

urlpatterns = [
    path("t/<slug:slug>/decisions/", views.register, name="decision-register"),
    path("t/<slug:slug>/decisions/rule/", views.rule, name="decision-rule"),
    path("t/<slug:slug>/proposals/new/", views.new_proposal, name="proposal-new"),
    path("t/<slug:slug>/proposals/<str:public_id>/", views.proposal, name="proposal"),
    path("t/<slug:slug>/proposals/<str:public_id>/amend/", views.amend, name="proposal-amend"),
    path(
        "t/<slug:slug>/proposals/<str:public_id>/versions/<int:number>/",
        views.version,
        name="proposal-version",
    ),
    path(
        "t/<slug:slug>/proposals/<str:public_id>/comment/", views.comment, name="proposal-comment"
    ),
    path("t/<slug:slug>/proposals/<str:public_id>/rounds/", views.open_round, name="round-open"),
    path(
        "t/<slug:slug>/proposals/<str:public_id>/rounds/<int:number>/panel/",
        views.round_panel,
        name="round-panel",
    ),
    path(
        "t/<slug:slug>/proposals/<str:public_id>/rounds/<int:number>/position/",
        views.position,
        name="round-position",
    ),
    path(
        "t/<slug:slug>/proposals/<str:public_id>/rounds/<int:number>/close/",
        views.close_round,
        name="round-close",
    ),
    path("t/<slug:slug>/proposals/<str:public_id>/decision/", views.decide, name="proposal-decide"),
    path("t/<slug:slug>/consultations/", views.consultations, name="consultations"),
    path("t/<slug:slug>/consultations/new/", views.new_consultation, name="consultation-new"),
    path("t/<slug:slug>/consultations/<str:public_id>/", views.consultation, name="consultation"),
    path(
        "t/<slug:slug>/consultations/<str:public_id>/document/",
        views.consultation_document,
        name="consultation-document",
    ),
    path(
        "t/<slug:slug>/consultations/<str:public_id>/answer/",
        views.answer,
        name="consultation-answer",
    ),
    path(
        "t/<slug:slug>/consultations/<str:public_id>/response/",
        views.publish_response,
        name="consultation-response",
    ),
    path("accounts/digest/", views.digest, name="digest"),
]
