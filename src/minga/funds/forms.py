from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.funds.models import CallKind, Goal
from minga.funds.queries import criterion_label

MONEY = {"min_value": 0, "decimal_places": 2, "max_digits": 16}


class PledgeForm(forms.Form):
    donor = forms.ChoiceField(label=_("Donor"))
    amount = forms.DecimalField(label=_("Amount"), **MONEY)  # type: ignore[arg-type]
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    rate = forms.DecimalField(
        label=_("Rate to the fund's currency"), required=False, min_value=0, decimal_places=8
    )
    rate_source = forms.CharField(label=_("Source of the rate"), max_length=200, required=False)
    pledged_on = forms.DateField(label=_("Pledged on"))
    donor_activity = forms.CharField(
        label=_("Donor's IATI activity"),
        max_length=120,
        required=False,
        help_text=_("The donor's own IATI activity this money comes from, if it has one."),
    )


class ReceiveForm(forms.Form):
    contribution = forms.ChoiceField(label=_("Contribution"))
    received_on = forms.DateField(label=_("Received on"))


class CallForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CallKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    goal = forms.ChoiceField(label=_("Aligned goal"), choices=Goal.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    closes_on = forms.DateField(label=_("Closes on"))
    max_award = forms.DecimalField(label=_("Largest award"), **MONEY)  # type: ignore[arg-type]
    min_health = forms.DecimalField(
        label=_("Minimum table health"), min_value=0, max_value=100, decimal_places=1, initial=60
    )
    report_within_months = forms.IntegerField(
        label=_("A report published in the last (months)"), min_value=1, max_value=36, initial=6
    )


class ApplyForm(forms.Form):
    table = forms.ChoiceField(label=_("Table"))
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("What the money will do"), widget=forms.Textarea)
    amount = forms.DecimalField(label=_("Amount requested"), **MONEY)  # type: ignore[arg-type]
    fellow = forms.ChoiceField(label=_("Fellow (fellowships only)"), required=False)


class ReviewForm(forms.Form):
    conflict = forms.BooleanField(label=_("I have a conflict of interest"), required=False)
    conflict_note = forms.CharField(
        label=_("Conflict of interest declaration"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args: Any, rubric: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        for criterion in rubric:
            self.fields[f"score_{criterion['key']}"] = forms.IntegerField(
                label=criterion_label(criterion), min_value=0, max_value=5, required=False
            )

    def scores(self) -> dict[str, int]:
        return {
            name.removeprefix("score_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("score_") and value is not None
        }


class AwardForm(forms.Form):
    amount = forms.DecimalField(label=_("Award"), **MONEY)  # type: ignore[arg-type]
    first = forms.DecimalField(label=_("Tranche 1"), **MONEY)  # type: ignore[arg-type]
    first_milestone = forms.CharField(label=_("Milestone for tranche 1"), required=False)
    second = forms.DecimalField(label=_("Tranche 2"), required=False, **MONEY)  # type: ignore[arg-type]
    second_milestone = forms.CharField(label=_("Milestone for tranche 2"), required=False)


class ExpenditureForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount spent"), **MONEY)  # type: ignore[arg-type]
    description = forms.CharField(label=_("Spent on"), max_length=250)
