from django.urls import path

from minga.work import views

urlpatterns = [
    path("accounts/work/", views.my_work, name="my-work"),
]
