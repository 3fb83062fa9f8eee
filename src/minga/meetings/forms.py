from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.forms import Confirmed
from minga.meetings.models import MeetingKind, Priority, RankingMethod
from minga.tables.models import Table


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=1440, initial=180
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    language = forms.CharField(label=_("Working language"), max_length=60, initial="Español")
    interpretation = forms.CharField(
        label=_("Interpretation"),
        max_length=120,
        required=False,
        help_text=_("For example: Shuar ↔ Español"),
    )
    is_public = forms.BooleanField(label=_("Public meeting"), required=False, initial=True)


class PublishMinutesForm(Confirmed):
    confirm_label = _(
        "I confirm: the minutes, the attendance and the decisions become public and are written"
        " in the public log; they cannot be changed afterwards."
    )


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the table's record and sent to its members."),
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=600, initial=15
    )
    priority = forms.ModelChoiceField(
        label=_("Linked priority"),
        queryset=Priority.objects.none(),
        required=False,
        to_field_name="public_id",
    )

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(table=table)  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}))


class PriorityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    axis = forms.CharField(label=_("Axis"), max_length=120, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Data, reports or links that show the need."),
    )


class RankingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    method = forms.ChoiceField(
        label=_("Method"), choices=RankingMethod.choices, widget=forms.RadioSelect
    )
    dots = forms.IntegerField(
        label=_("Dots per organization"), min_value=1, max_value=50, initial=5
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    priorities = forms.ModelMultipleChoiceField(
        label=_("Priorities"),
        queryset=Priority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
    )

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = Priority.objects.filter(table=table)  # type: ignore[attr-defined]
