from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "minga.monitoring"
    label = "monitoring"
    verbose_name = _("Field monitoring")

    def ready(self) -> None:
        from minga.agreements import services as agreements
        from minga.monitoring import reports  # noqa: F401 - registers the agreement-page section
        from minga.monitoring.services import forget_owner_observations

        if forget_owner_observations not in agreements.WITHDRAWAL_HANDLERS:
            agreements.WITHDRAWAL_HANDLERS.append(forget_owner_observations)
