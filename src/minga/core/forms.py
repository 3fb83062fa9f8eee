"""Form helpers shared by every area's views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django's own words its catalogs do not translate yet (a select's blank choice, new in Django
# 6): minga's catalogs, searched before Django's, carry them.
DJANGO_WORDS = [gettext_noop("- Select an option -")]


class Confirmed(forms.Form):
    """An action that cannot be undone, or that makes something public: the form ends with a
    required box whose label says what will happen. The box is not handed on to the service."""

    confirm_label: Any = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = forms.BooleanField(
            label=self.confirm_label,
            required=True,
            error_messages={"required": _("Tick the box to confirm that you want this to happen.")},
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned.pop("confirm", None)
        return cleaned


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where named, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target: Any = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def set_choices(form: forms.BaseForm, name: str, options: list[tuple[str, str]]) -> None:
    """Give a choice field the options known only when the page is built."""
    field: Any = form.fields[name]
    field.choices = options


def run_posted(request: Any, form: forms.BaseForm, action: Any, *, done: str) -> bool:
    """For the small forms folded into a page: validate, run ``action(cleaned_data)``, and tell
    the person how it went as a message (``done`` on success). True when it succeeded."""

    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def saved(request: Any, form: forms.BaseForm, save: Any) -> Any:
    """On a valid POST, return ``save(cleaned_data)``; a service's ValidationError lands on the
    form instead and None comes back (as it does for a GET or an invalid form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as exc:
        add_errors(form, exc)
        return None


def status_for(request: Any) -> int:
    """A page that shows a form answers 400 when it comes back from a POST (with its errors)."""
    return 400 if request.method == "POST" else 200
