from django.urls import path, re_path

from minga.ledger import views

_INDEX = r"(?P<index>(?:x[0-9]{3}/){0,5}[0-9]{3})"  # up to 10^18 tiles
_WIDTH = r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"

urlpatterns = [
    path("log/", views.log_page, name="log"),
    path("log/checkpoint", views.checkpoint, name="log-checkpoint"),
    path("log/key", views.key, name="log-key"),
    path("log/policy", views.policy, name="log-policy"),
    path("log/entries/<int:index>", views.entry, name="log-entry"),
    re_path(rf"^log/tile/entries/{_INDEX}{_WIDTH}$", views.entries, name="log-entries"),
    re_path(
        rf"^log/tile/(?P<level>[0-9]|[1-5][0-9]|6[0-3])/{_INDEX}{_WIDTH}$",
        views.tile,
        name="log-tile",
    ),
]
