from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.uploads import check_upload
from minga.monitoring.models import KIND_CHOICES


class ObservationForm(forms.Form):
    """One observation recorded on a phone: what, when, where, a note and a photo."""

    kind = forms.ChoiceField(label=_("What was seen"), choices=KIND_CHOICES)
    observed_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "data-now": ""}),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo:
            check_upload(photo, "photo")
        return photo or None
