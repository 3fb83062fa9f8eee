from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "minga.roadmap"
    label = "roadmap"
    verbose_name = _("Roadmap")
