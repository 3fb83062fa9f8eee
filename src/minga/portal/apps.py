from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "minga.portal"
    label = "portal"
    verbose_name = _("Public portal and open data")

    def ready(self) -> None:
        from minga.core import events
        from minga.portal.queries import forget_figures

        if forget_figures not in events.RECORDED_HOOKS:
            events.RECORDED_HOOKS.append(forget_figures)
