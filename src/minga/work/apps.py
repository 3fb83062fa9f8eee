from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "minga.work"
    label = "work"
    verbose_name = _("What waits on each person")
