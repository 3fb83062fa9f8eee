from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from minga.core.outbox import viewer


def offline(request: HttpRequest) -> dict[str, Any]:
    """Whose page it is, and the words the device says things with when offline."""
    return {
        "offline_viewer": viewer(getattr(request, "user", None)),
        "offline_words": lambda: words(request),
    }


def words(request: HttpRequest) -> dict[str, str]:
    return {
        "lang": get_language(),
        "title": _("No connection"),
        "text": _("This page is not kept on this device. It will open when the link returns."),
        "home": reverse("my-work") if request.user.is_authenticated else reverse("network"),
        "home_text": _("Pages kept on this device"),
        "kept": _("No connection: this is the copy kept on this device on %(when)s."),
        "outbox": _("Typed on this device"),
        "waiting": _("Waiting to send"),
        "waiting_help": _("Kept on this device: it will be sent when the link returns."),
        "late": _("Arrived late"),
        "conflict": _("Someone else's change came first"),
        "refused": _("Not accepted"),
        "login": _("Log in again to send it"),
        "yours": _("Yours"),
        "theirs": _("Recorded meanwhile"),
        "dismiss": _("Dismiss"),
        "typed": _("What you typed"),
        "open": _("Open the page"),
        "sent": _("Sent and recorded: %(what)s"),
        "keeping": _("Keeping pages for offline use: %(done)s of %(total)s"),
        "kept_summary": _("Pages kept on this device: %(count)s, last updated %(when)s."),
        "keep_now": _("Update now"),
        "logout_waiting": _(
            "Typed and not sent yet: %(count)s. Logging out deletes it from this device. Log out "
            "anyway?"
        ),
    }
