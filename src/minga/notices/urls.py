from django.urls import path

from minga.notices import views

urlpatterns = [
    path("accounts/notices/", views.preferences, name="notices"),
    path("s/<str:code>", views.short, name="short-link"),
    path("hooks/sms/", views.reply, name="sms-reply"),
    path("t/<slug:slug>/notices/", views.deliveries, name="notice-deliveries"),
    path("t/<slug:slug>/notices/<int:pk>/again/", views.send_again, name="notice-again"),
]
