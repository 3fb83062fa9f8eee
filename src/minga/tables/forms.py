from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.access import Role
from minga.core.concurrency import version_of
from minga.core.forms import Confirmed
from minga.core.uploads import check_upload
from minga.tables.models import Instrument, InstrumentKind, Organization, Seat, Sector, Table


class TableForm(forms.ModelForm[Table]):
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Table
        fields = ["name", "province", "description", "launched_on"]
        widgets = {"launched_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen"].initial = version_of(self.instance)


class TerritoryForm(forms.Form):
    name = forms.CharField(label=_("Territory name"), max_length=200)
    geojson = forms.CharField(
        label=_("Boundary (GeoJSON)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Paste a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection."),
    )
    geojson_file = forms.FileField(label=_("…or upload a .geojson file"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("geojson_file")
        if upload:
            check_upload(upload, "geojson")
            data["geojson"] = upload.read().decode("utf-8", errors="replace")
        if not data.get("geojson"):
            raise forms.ValidationError(_("Paste a boundary or upload a file."))
        return data


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Representative's full name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Leave empty for people without e-mail: you will get a link and a QR code."),
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.all(),
        required=False,
        empty_label=_("— a new organization —"),
        to_field_name="public_id",
    )
    organization_name = forms.CharField(
        label=_("New organization's name"), max_length=200, required=False
    )
    sector = forms.ChoiceField(
        label=_("New organization's sector"),
        choices=[("", "—"), *Sector.choices],
        required=False,
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    seat = forms.ChoiceField(label=_("Seat"), choices=Seat.choices, initial=Seat.PRINCIPAL)

    def __init__(self, *args: Any, table: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if table is not None:  # this table's organizations, not every table's
            field = self.fields["organization"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = (
                Organization.objects.filter(memberships__table=table).distinct().order_by("name")
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organization"):
            if not data.get("organization_name"):
                self.add_error("organization_name", _("Choose an organization or name a new one."))
            elif not data.get("sector"):
                self.add_error("sector", _("Choose the new organization's sector."))
        return data


class ImportForm(forms.Form):
    spreadsheet = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_(
            "Columns: organization, sector, acronym, full_name, email, phone, role, seat, gender,"
            " birth_year, people, languages. One row per representative."
        ),
    )

    def clean_spreadsheet(self) -> Any:
        upload = self.cleaned_data.get("spreadsheet")
        if upload:
            check_upload(upload, "spreadsheet")
        return upload


class InstrumentForm(forms.ModelForm[Instrument]):
    class Meta:
        model = Instrument
        fields = ["kind", "title", "reference", "signed_on", "valid_until", "document"]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    kind = forms.ChoiceField(label=_("Kind"), choices=InstrumentKind.choices)

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload:
            check_upload(upload, "document")
        return upload


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(label=_("Choose a username"), max_length=150)
    password = forms.CharField(
        label=_("Choose a password"), widget=forms.PasswordInput, min_length=8
    )


class EndMembershipForm(Confirmed):
    confirm_label = _(
        "I confirm: this organization's membership ends today. Ending it is written in the"
        " table's record and cannot be undone; to come back, the organization is invited again."
    )
