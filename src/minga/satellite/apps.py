from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatelliteConfig(AppConfig):
    name = "minga.satellite"
    label = "satellite"
    verbose_name = _("Satellite verification")
