from django.urls import path

from minga.offline import views

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("accounts/offline/", views.kept, name="offline-kept"),
    path("help/offline/", views.help_page, name="offline-help"),
]
