from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.uploads import check_upload
from minga.satellite import products, publishers
from minga.satellite.models import PRODUCT_LABELS
from minga.satellite.sampling import STRATA


class LayerForm(forms.Form):
    path = forms.ChoiceField(label=_("File"))
    product = forms.ChoiceField(label=_("Product"), required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)

    def __init__(self, *args: Any, files_available: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path: Any = self.fields["path"]
        path.choices = [(f, f) for f in files_available]
        product: Any = self.fields["product"]
        product.choices = [("", _("Detect from the file name"))] + [
            (name, PRODUCT_LABELS.get(name, name)) for name in products.DECODERS
        ]


class AnalysisForm(forms.Form):
    threshold = forms.IntegerField(
        label=_("Canopy threshold (%)"), min_value=0, max_value=100, initial=30
    )


class FetchForm(forms.Form):
    products = forms.MultipleChoiceField(
        label=_("Products"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, available: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["products"]
        field.choices = [(name, PRODUCT_LABELS.get(name, name)) for name in available]
        field.initial = [name for name in publishers.DEFAULT_PRODUCTS if name in available]


class DesignForm(forms.Form):
    start_year = forms.IntegerField(label=_("From"), min_value=2001, max_value=2100)
    end_year = forms.IntegerField(label=_("To"), min_value=2001, max_value=2100)
    loss = forms.IntegerField(
        label=_("Points in forest lost"), min_value=2, max_value=500, initial=50
    )
    forest = forms.IntegerField(
        label=_("Points in standing forest"), min_value=2, max_value=500, initial=60
    )
    other = forms.IntegerField(
        label=_("Points in other land"), min_value=2, max_value=500, initial=40
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("start_year")
            and data.get("end_year")
            and data["start_year"] > data["end_year"]
        ):
            raise forms.ValidationError(_("The period must run forward."))
        return data

    def per_stratum(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in STRATA}


class VerificationForm(forms.Form):
    start_year = forms.IntegerField(label=_("From"), min_value=2001, max_value=2100)
    end_year = forms.IntegerField(label=_("To"), min_value=2001, max_value=2100)
    design = forms.ChoiceField(label=_("Ground sample"), required=False)

    def __init__(self, *args: Any, designs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        design: Any = self.fields["design"]
        design.choices = [("", _("None (satellite only)"))] + [
            (d.public_id, f"{d.start_year}–{d.end_year} · {d.created_at:%Y-%m-%d %H:%M}")
            for d in designs
        ]


class LabelsForm(forms.Form):
    file = forms.FileField(label=_("CSV with the columns point and reference"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload, "field")
        return upload
