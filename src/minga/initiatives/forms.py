from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.forms import Confirmed
from minga.core.uploads import check_upload
from minga.initiatives.models import CommitmentStatus, InitiativeStatus, ReportPeriod, SourceType
from minga.roadmap.models import Axis, Objective
from minga.tables.models import Organization, Table


class ImportForm(forms.Form):
    spreadsheet = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_(
            "Columns: id (empty for new ones), title, organization, axis, status, progress, starts_on, "
            "ends_on, place, longitude, latitude, people, families, communities, funder, amount, currency, "
            "source_type, funder_activity, description. Export first to get a template with the current data."
        ),
    )

    def clean_spreadsheet(self) -> Any:
        upload = self.cleaned_data.get("spreadsheet")
        if upload:
            check_upload(upload, "spreadsheet")
        return upload


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    organization = forms.ModelChoiceField(
        label=_("Executing organization"),
        queryset=Organization.objects.none(),
        to_field_name="public_id",
    )
    axis = forms.ModelChoiceField(
        label=_("Axis"), queryset=Axis.objects.none(), required=False, to_field_name="public_id"
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("Objectives it serves"),
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in InitiativeStatus.choices if c[0] != "pooled"]
    )
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, initial=0)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    people = forms.IntegerField(label=_("People reached"), min_value=0, initial=0)
    families = forms.IntegerField(label=_("Families reached"), min_value=0, initial=0)
    communities = forms.IntegerField(label=_("Communities reached"), min_value=0, initial=0)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    funder = forms.ModelChoiceField(
        label=_("Funder"),
        queryset=Organization.objects.all(),
        required=False,
        to_field_name="public_id",
    )
    amount = forms.CharField(label=_("Amount"), required=False)
    currency = forms.CharField(
        label=_("Currency (ISO 4217)"), max_length=3, required=False, initial="USD"
    )
    source_type = forms.ChoiceField(
        label=_("Source type"), choices=SourceType.choices, initial=SourceType.GRANT
    )
    funder_activity = forms.CharField(
        label=_("Funder's IATI activity"),
        max_length=120,
        required=False,
        help_text=_(
            "The identifier of the funder's own IATI activity this money comes from "
            "(e.g. XM-DAC-46012-EC-L1249), so its money can be followed into this initiative."
        ),
    )

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["organization"]).queryset = Organization.objects.filter(
            memberships__table=table, memberships__until__isnull=True
        ).distinct()
        cast(Any, self.fields["axis"]).queryset = Axis.objects.filter(table=table)
        cast(Any, self.fields["objectives"]).queryset = Objective.objects.filter(axis__table=table)


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
    seen = forms.CharField(required=False)  # the version shown (a conflict if it changed)


class ReportForm(Confirmed):
    confirm_label = _(
        "I confirm: the report is published for everyone to read and written in the public log;"
        " its figures are frozen and cannot be changed afterwards."
    )

    period = forms.ChoiceField(label=_("Period"), choices=ReportPeriod.choices)
    day = forms.DateField(
        label=_("Any day of the period"), widget=forms.DateInput(attrs={"type": "date"})
    )
    early = forms.BooleanField(
        label=_("Publish before the period ends"),
        required=False,
        help_text=_("Only for a period not yet over: its figures are frozen as they are today."),
    )


class AttestForm(forms.Form):
    statement = forms.CharField(label=_("Attestation"), widget=forms.Textarea(attrs={"rows": 3}))
