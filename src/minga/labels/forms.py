from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.uploads import check_upload
from minga.labels import catalog
from minga.labels.models import Label, Target


class _ForCommunity(forms.Form):
    community = forms.ChoiceField(label=_("Community"))

    def __init__(self, *args: Any, communities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(o.public_id, o.name) for o in communities]  # type: ignore[attr-defined]


class AdoptForm(_ForCommunity):
    label = forms.ChoiceField(
        label=_("Label"),
        choices=[
            (f"{t.category}:{t.label_type}", f"{t.name} ({t.abbreviation})") for t in catalog.TYPES
        ],
    )
    text = forms.CharField(
        label=_("In the community's words (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HubForm(_ForCommunity):
    project = forms.CharField(
        label=_("Local Contexts Hub project"),
        max_length=64,
        help_text=_("Its unique id, as on the project's page on the Hub."),
    )


class HubFileForm(_ForCommunity):
    upload = forms.FileField(
        label=_("The project's file (.json)"),
        help_text=_("The project as the Hub's API gives it, brought on a memory stick."),
    )

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload:
            check_upload(upload, "hub")
        return upload


class ApplyForm(forms.Form):
    label = forms.ChoiceField(label=_("Label"))
    target = forms.ChoiceField(label=_("On"), choices=Target.choices)
    target_id = forms.CharField(
        label=_("Which one"),
        max_length=200,
        help_text=_("The record's id (in its page's address), or a type or category code."),
    )

    def __init__(self, *args: Any, labels: list[Label], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [  # type: ignore[attr-defined]
            (label.public_id, f"{label.name} · {label.community.name}") for label in labels
        ]


class RemoveForm(forms.Form):
    applied = forms.IntegerField(widget=forms.HiddenInput)
