from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "minga.ledger"
    label = "ledger"
    verbose_name = _("Transparency log")

    def ready(self) -> None:
        from minga.core import events
        from minga.ledger.services import schedule_sequencer

        if schedule_sequencer not in events.RECORDED_HOOKS:
            events.RECORDED_HOOKS.append(schedule_sequencer)
