from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.agreements.models import ConsentDecision, IncentiveKind, ObligationKind
from minga.core.access import Sensitivity
from minga.core.forms import Confirmed
from minga.tables.models import Organization, Table


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Organization.objects.none(), to_field_name="public_id"
    )
    counterpart = forms.ModelChoiceField(
        label=_("Counterpart"), queryset=Organization.objects.none(), to_field_name="public_id"
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    renewal = forms.CharField(label=_("Renewal"), max_length=250, required=False)
    geometry = forms.CharField(
        label=_("Area (GeoJSON)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("A Polygon or MultiPolygon inside the table's territory."),
    )
    area_sensitivity = forms.TypedChoiceField(
        label=_("Who may see the area"),
        choices=Sensitivity.choices,
        coerce=int,
        initial=Sensitivity.PUBLIC,
    )
    overlap_confirmed = forms.BooleanField(
        label=_("Save it even if it overlaps another community's agreement"),
        required=False,
    )

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Organization.objects.filter(
            memberships__table=table, memberships__until__isnull=True
        ).distinct()
        cast(Any, self.fields["community"]).queryset = members.filter(
            sector__in=["community", "indigenous"]
        )
        cast(Any, self.fields["counterpart"]).queryset = members


class ObligationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Obligation"), choices=ObligationKind.choices)
    description = forms.CharField(label=_("Description"), required=False)
    per_year = forms.IntegerField(label=_("Times a year"), required=False, min_value=1)


class IncentiveForm(forms.Form):
    kind = forms.ChoiceField(label=_("Incentive"), choices=IncentiveKind.choices)
    description = forms.CharField(label=_("Description"), required=False)
    planned = forms.DecimalField(label=_("Planned quantity"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=_("Unit"), max_length=40)
    currency = forms.CharField(label=_("Currency (monetary only)"), max_length=3, required=False)


class ConsultationForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    language = forms.CharField(label=_("Language"), max_length=60)
    interpreter = forms.CharField(label=_("Interpreter"), max_length=200, required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, initial=0)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The assembly's decision"), choices=ConsentDecision.choices
    )
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    minutes = forms.CharField(label=_("Assembly minutes"), widget=forms.Textarea(attrs={"rows": 3}))


class SignForm(Confirmed):
    confirm_label = _(
        "I confirm: the agreement binds the table and the community from this day, and its"
        " signature is written in the public log, where it cannot be undone."
    )

    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    signatories = forms.CharField(label=_("Signatories"), widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=2)
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.CharField(label=_("Evidence"), required=False)


class WithdrawForm(Confirmed):
    confirm_label = _(
        "I confirm: the community's consent is withdrawn. The agreement is suspended, its area"
        " and the places its monitors recorded there are forgotten, and this cannot be undone."
    )

    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
