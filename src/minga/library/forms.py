from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.access import Sensitivity
from minga.core.uploads import check_upload
from minga.library.models import DocumentKind


class _Upload(forms.Form):
    upload = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        check_upload(upload, "document")
        return upload


class DocumentForm(_Upload):
    field_order = ["kind", "title", "organization", "sensitivity", "upload"]

    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=250)
    sensitivity = forms.TypedChoiceField(
        label=_("Who may read it"),
        choices=Sensitivity.choices,
        coerce=int,
        initial=Sensitivity.TABLE,
        help_text=_("Owner only: the people of your organization, and nobody else."),
    )

    organization = forms.ChoiceField(label=_("Whose document it is"))
    offline = forms.BooleanField(
        label=_("Keep it on members' phones for offline use"),
        required=False,
        help_text=_("For documents people need where the link comes and goes; keep them light."),
    )

    def __init__(self, *args: Any, organizations: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("note")
        self.organizations = {o.public_id: o for o in organizations}
        if len(self.organizations) > 1:  # only asked of someone who speaks for several
            field: Any = self.fields["organization"]
            field.choices = [(o.public_id, o.name) for o in organizations]
        else:
            self.fields.pop("organization")

    def clean_organization(self) -> Any:
        return self.organizations.get(self.cleaned_data["organization"])


class VersionForm(_Upload):
    pass
