from django.urls import path

from minga.agreements import views

urlpatterns = [
    path("t/<slug:slug>/agreements/", views.agreements, name="agreements"),
    path("t/<slug:slug>/agreements.geojson", views.geojson, name="agreements-geojson"),
    path("t/<slug:slug>/agreements/new/", views.new_agreement, name="agreement-new"),
    path("t/<slug:slug>/agreements/<str:public_id>/", views.agreement, name="agreement"),
    path(
        "t/<slug:slug>/agreements/<str:public_id>/obligations/",
        views.add_obligation,
        name="agreement-obligation",
    ),
    path(
        "t/<slug:slug>/agreements/<str:public_id>/incentives/",
        views.add_incentive,
        name="agreement-incentive",
    ),
    path(
        "t/<slug:slug>/agreements/<str:public_id>/consultations/",
        views.add_consultation,
        name="agreement-consultation",
    ),
    path(
        "t/<slug:slug>/agreements/<str:public_id>/consent/",
        views.record_consent,
        name="agreement-consent",
    ),
    path("t/<slug:slug>/agreements/<str:public_id>/sign/", views.sign, name="agreement-sign"),
    path(
        "t/<slug:slug>/agreements/<str:public_id>/withdraw/",
        views.withdraw,
        name="agreement-withdraw",
    ),
    path(
        "t/<slug:slug>/agreements/<str:public_id>/incentives/<int:pk>/deliveries/",
        views.deliver,
        name="incentive-delivery",
    ),
]
