from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelsConfig(AppConfig):
    name = "minga.labels"
    label = "labels"
    verbose_name = _("Local Contexts labels")
