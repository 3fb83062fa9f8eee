"""The e-mail digest, run by `minga worker` or `minga send_digests`: what waits on the person
across their tables, then what is new on each of them."""

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
from minga.work.queries import work_for

PERIOD = {Digest.DAILY: dt.timedelta(days=1), Digest.WEEKLY: dt.timedelta(days=7)}


@task()
def send_digests(*, frequency: str, site_url: str = "") -> int:
    """Mail each person who chose ``frequency`` what waits on them and what changed on their
    tables; returns the mails sent. A person hears again about their list only when something
    on it is new, or comes due before the next digest."""
    now = timezone.now()
    period = PERIOD[Digest(frequency)]
    sent = 0
    preferences = DigestPreference.objects.filter(frequency=frequency).select_related(
        "user", "user__person"
    )
    for preference in preferences:
        user = preference.user
        if not user.email and not getattr(getattr(user, "person", None), "email", ""):
            continue
        since = preference.last_sent_at or now - period
        with translation.override(preference.language or "es"):
            # read in the reader's language: titles minga wrote itself are said in it
            digests = digest_for(user, since, now)
            work = work_for(user, now)
            if digests or work.news(since=since, now=now, period=period):
                context = {
                    "digests": digests,
                    "work": work,
                    "user": user,
                    "site_url": site_url,
                    "describe": describe,
                }
                send_mail(
                    _("minga: what waits on you and what is new on your tables"),
                    render_to_string("work/digest.txt", context),
                    None,
                    [user.email or user.person.email],
                )
                sent += 1
        with transaction.atomic():
            DigestPreference.objects.filter(pk=preference.pk).update(last_sent_at=now)
    return sent
