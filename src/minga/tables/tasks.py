"""Background work of the tables area, run by `minga worker`."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _

from minga.core import hooks
from minga.core.models import Event
from minga.tables import events
from minga.tables.models import INVITATION_DAYS, Invitation


@task()
def send_invitation_email(*, invitation_id: int, link: str, language: str) -> None:
    """Mail the invitation link; a slow or failing mail server never blocks the secretariat."""
    invitation = Invitation.objects.select_related(
        "created_by", "membership__organization", "membership__table"
    ).get(pk=invitation_id)
    if invitation.accepted_at is not None or not invitation.email:
        return
    membership = invitation.membership
    inviter = invitation.created_by
    with translation.override(language):
        subject = _("Invitation to the %(table)s on minga") % {"table": membership.table.name}
        body = _(
            "%(inviter)s has registered you as a representative of %(organization)s at the "
            "%(table)s.\n\nOpen this link to create your account (valid for %(days)s days):\n"
            "%(link)s\n"
        ) % {
            "inviter": inviter.get_full_name() or inviter.get_username(),
            "organization": membership.organization.name,
            "table": membership.table.name,
            "days": INVITATION_DAYS,
            "link": link,
        }
    send_mail(subject, body, None, [invitation.email])


@hooks.register(events.MEMBER_INVITED)
def enqueue_invitation_emails(recorded: list[Event]) -> None:
    """Once an invitation commits, the worker mails its link (when there is an address)."""
    for event in recorded:
        if event.private.get("link"):
            send_invitation_email.enqueue(
                invitation_id=event.private["invitation"],
                link=event.private["link"],
                language=event.private["language"],
            )
