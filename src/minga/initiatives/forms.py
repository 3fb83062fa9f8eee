from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.initiatives.models import CommitmentStatus, ReportPeriod
from minga.tables.models import Organization


class ImportForm(forms.Form):
    spreadsheet = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_(
            "Columns: id (empty for new ones), title, organization, axis, status, progress, starts_on, "
            "ends_on, place, longitude, latitude, people, families, communities, funder, amount, currency, "
            "source_type, description. Export first to get a template with the current data."
        ),
    )


class RateForm(forms.Form):
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3)
    valid_on = forms.DateField(label=_("Valid on"), widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(
        label=_("Units of the reporting currency per unit"), max_digits=18, decimal_places=8
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class CommitmentForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Who"), queryset=Organization.objects.none(), to_field_name="public_id"
    )
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}))
    to_whom = forms.CharField(label=_("To whom"), max_length=200)
    due_on = forms.DateField(label=_("By when"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, organizations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentStatus.choices)
    evidence = forms.CharField(label=_("Evidence"), required=False)
    reason = forms.CharField(label=_("Why it was dropped"), required=False)


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=ReportPeriod.choices)
    day = forms.DateField(
        label=_("Any day of the period"), widget=forms.DateInput(attrs={"type": "date"})
    )


class AttestForm(forms.Form):
    statement = forms.CharField(label=_("Attestation"), widget=forms.Textarea(attrs={"rows": 3}))
