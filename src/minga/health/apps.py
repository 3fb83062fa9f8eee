from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "minga.health"
    label = "health"
    verbose_name = _("Table health and risks")

    def ready(self) -> None:
        from minga.core import events
        from minga.health.services import open_incident_from_alert

        if open_incident_from_alert not in events.RECORDED_HOOKS:
            events.RECORDED_HOOKS.append(open_incident_from_alert)
