from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "minga.offline"
    label = "offline"
    verbose_name = _("Use without a connection")
