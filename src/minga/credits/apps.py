from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    name = "minga.credits"
    label = "credits"
    verbose_name = _("Credit registry")

    def ready(self) -> None:
        from minga.credits.audit import replay_registry
        from minga.ledger import audit

        if replay_registry not in audit.REGISTRY_AUDITORS:
            audit.REGISTRY_AUDITORS.append(replay_registry)
