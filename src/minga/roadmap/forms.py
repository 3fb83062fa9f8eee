from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.uploads import check_upload
from minga.roadmap.models import Frequency, ResultStatus
from minga.tables.models import Organization


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(
        label=_("Measured on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=2)
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AxisForm(forms.Form):
    name = forms.CharField(label=_("Axis"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Objective"), max_length=250)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=250)
    unit = forms.CharField(label=_("Unit"), max_length=40)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=16, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=2)
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=Frequency.choices, initial=Frequency.QUARTERLY
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible organization"),
        queryset=Organization.objects.all(),
        to_field_name="public_id",
    )


class ResultForm(forms.Form):
    title = forms.CharField(label=_("Result"), max_length=250)
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=6, decimal_places=2, initial=1, min_value=0
    )


class ResultStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ResultStatus.choices)
    progress = forms.DecimalField(
        label=_("Progress (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=250)
    reached_on = forms.DateField(
        label=_("Reached on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.FileField(label=_("Evidence (photo or document)"), required=False)

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload:
            check_upload(upload, "evidence")
        return upload
