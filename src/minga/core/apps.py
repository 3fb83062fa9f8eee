from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "minga.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Every area's event types, hooks (its hooks.py, and the enqueuing hooks of its
        # tasks.py) and report sections, registered before the first request or command.
        autodiscover_modules("events", "hooks", "tasks", "reports")
