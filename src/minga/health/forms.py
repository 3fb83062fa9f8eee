from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.health.models import IncidentKind, RiskKind


class FundingForm(forms.Form):
    source = forms.CharField(label=_("Source"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    starts_on = forms.DateField(label=_("From"))
    ends_on = forms.DateField(label=_("Until"))


class ElectionForm(forms.Form):
    office = forms.CharField(label=_("Office"), max_length=200)
    jurisdiction = forms.CharField(label=_("Jurisdiction"), max_length=200)
    held_on = forms.DateField(label=_("Election day"))
    takes_office_on = forms.DateField(label=_("New authorities take office"), required=False)


class HandoverForm(forms.Form):
    summary = forms.CharField(label=_("Contents of the handover pack"), widget=forms.Textarea)


class RiskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RiskKind.choices)
    title = forms.CharField(label=_("Risk"), max_length=250)
    likelihood = forms.IntegerField(label=_("Likelihood (1–5)"), min_value=1, max_value=5)
    impact = forms.IntegerField(label=_("Impact (1–5)"), min_value=1, max_value=5)
    mitigation = forms.CharField(label=_("Mitigation"), widget=forms.Textarea, required=False)


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    held_on = forms.DateField(label=_("Held on"))
    people = forms.MultipleChoiceField(label=_("Who attended"), widget=forms.CheckboxSelectMultiple)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea)
    occurred_on = forms.DateField(label=_("Occurred on"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=250)
    organization = forms.ChoiceField(label=_("Who"))
    due_on = forms.DateField(label=_("By when"))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea)
