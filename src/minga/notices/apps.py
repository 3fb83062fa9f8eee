from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "minga.notices"
    label = "notices"
    verbose_name = _("Notices by e-mail, SMS and WhatsApp")
