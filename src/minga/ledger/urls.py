from django.urls import path

from minga.ledger import views

urlpatterns = [
    path("log/checkpoint", views.checkpoint, name="log-checkpoint"),
    path("log/key", views.key, name="log-key"),
    path("log/entries/<int:index>", views.entry, name="log-entry"),
]
