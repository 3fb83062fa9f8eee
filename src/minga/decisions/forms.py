from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.forms import Confirmed
from minga.core.uploads import check_upload
from minga.decisions.consensus import Base
from minga.decisions.models import STANCE_CHOICES
from minga.meetings.models import AgendaItem
from minga.tables.models import Table


def _agenda_label(item: AgendaItem) -> str:
    return f"{item.meeting.shown_title} · {item.position}. {item.shown_title}"


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 8}))
    agenda_item = forms.ModelChoiceField(
        label=_("Answers an agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        upcoming = AgendaItem.objects.filter(meeting__table=table).exclude(
            meeting__status="published"
        )
        field = cast("forms.ModelChoiceField[AgendaItem]", self.fields["agenda_item"])
        field.queryset = upcoming.select_related("meeting").order_by(
            "meeting__starts_at", "position"
        )
        field.label_from_instance = _agenda_label  # type: ignore[method-assign,assignment]


class AmendForm(forms.Form):
    text = forms.CharField(label=_("New text"), widget=forms.Textarea(attrs={"rows": 10}))
    change_note = forms.CharField(label=_("What changed and why"), max_length=300)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your contribution"), widget=forms.Textarea(attrs={"rows": 3}))


class RoundForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("Positions can change until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class PositionForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("Your organization's position"),
        choices=STANCE_CHOICES,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a block; welcome for concerns and stand-asides."),
    )
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # when the organization's position last changed, as this form saw it (a phone may send the
    # form long after: someone else's change since then is a conflict, not overwritten)
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class DecisionForm(Confirmed):
    confirm_label = _(
        "I confirm: the decision is written in the table's register and in the public log,"
        " where it cannot be undone."
    )

    statement = forms.CharField(
        label=_("Decision statement"), widget=forms.Textarea(attrs={"rows": 3})
    )
    review_on = forms.DateField(
        label=_("Review on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RuleForm(forms.Form):
    base = forms.ChoiceField(
        label=_("Rule"),
        choices=[
            (Base.CONSENT, _("Consent: passes unless someone blocks")),
            (Base.FULL_CONSENSUS, _("Full consensus: everyone agrees or stands aside")),
        ],
        widget=forms.RadioSelect,
    )
    sector_quorum = forms.BooleanField(
        label=_(
            "Sector quorum: positions from an indigenous, a government and a civil-society organization"
        ),
        required=False,
    )
    fallback_after = forms.IntegerField(
        label=_("Fallback after this many blocked rounds"), required=False, min_value=1
    )
    fallback_percent = forms.IntegerField(
        label=_("Qualified majority of the fallback (%)"),
        required=False,
        min_value=51,
        max_value=100,
    )
    quorum_percent = forms.IntegerField(
        label=_("Meeting quorum: more than this % of the member organizations present"),
        min_value=0,
        max_value=99,
    )
    sectors_required = forms.BooleanField(
        label=_(
            "The quorum needs an indigenous, a government and a civil-society organization present"
        ),
        required=False,
    )


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("What is consulted"), widget=forms.Textarea(attrs={"rows": 6}))
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line."),
    )
    deadline = forms.DateField(
        label=_("Answers until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.FileField(label=_("Document (PDF, ODT, DOC)"), required=False)

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload:
            check_upload(upload, "document")
        return upload


class ResponseForm(Confirmed):
    confirm_label = _(
        "I confirm: the table's response is published for everyone to read and written in the"
        " public log, where it cannot be undone."
    )

    response = forms.CharField(
        label=_("The table's consolidated response"), widget=forms.Textarea(attrs={"rows": 8})
    )


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("E-mail digest"),
        choices=[("never", _("Never")), ("daily", _("Daily")), ("weekly", _("Weekly"))],
        widget=forms.RadioSelect,
    )
