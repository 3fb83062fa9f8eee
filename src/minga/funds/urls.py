from django.urls import path

from minga.funds import views

urlpatterns = [
    path("funds/", views.funds, name="funds"),
    path("funds/<slug:slug>/", views.fund, name="fund"),
    path("funds/<slug:slug>/transactions.csv", views.transactions_csv, name="fund-transactions"),
    path("funds/<slug:slug>/act/", views.fund_act, name="fund-act"),
    path("funds/calls/<str:public_id>/", views.call, name="call"),
    path("funds/calls/<str:public_id>/apply/", views.apply, name="call-apply"),
    path("funds/applications/<str:public_id>/", views.application, name="application"),
    path("funds/applications/<str:public_id>/act/", views.application_act, name="application-act"),
]
