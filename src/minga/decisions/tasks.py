"""Background work of decisions: the e-mail digests, run by `minga worker` or `minga send_digests`."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minga.decisions.models import Digest, DigestPreference
from minga.decisions.queries import describe, digest_for

PERIOD = {Digest.DAILY: dt.timedelta(days=1), Digest.WEEKLY: dt.timedelta(days=7)}


@task()
def send_digests(*, frequency: str, site_url: str = "") -> int:
    """Mail each person who chose ``frequency`` what changed on their tables; returns mails sent."""
    now = timezone.now()
    sent = 0
    preferences = DigestPreference.objects.filter(frequency=frequency).select_related(
        "user", "user__person"
    )
    for preference in preferences:
        user = preference.user
        if not user.email and not getattr(getattr(user, "person", None), "email", ""):
            continue
        since = preference.last_sent_at or now - PERIOD[Digest(frequency)]
        digests = digest_for(user, since, now)
        if digests:
            with translation.override("es"):
                body = render_to_string(
                    "decisions/digest.txt",
                    {"digests": digests, "user": user, "site_url": site_url, "describe": describe},
                )
                subject = _("minga: what is new on your tables")
            send_mail(subject, body, None, [user.email or user.person.email])
            sent += 1
        with transaction.atomic():
            DigestPreference.objects.filter(pk=preference.pk).update(last_sent_at=now)
    return sent
