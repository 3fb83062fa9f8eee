from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "minga.meetings"
    label = "meetings"
    verbose_name = _("Meetings and joint agenda")
