from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minga.core.forms import Confirmed


def _choices(field: Any, options: list[tuple[str, str]]) -> None:
    field.choices = options


class IssueForm(Confirmed):
    confirm_label = _(
        "I confirm: these credits are issued on the verification report and written in the"
        " public log, where their issuance cannot be undone."
    )

    project = forms.ChoiceField(label=_("Project"))
    verification = forms.ChoiceField(label=_("Verification report"))
    start_date = forms.DateField(label=_("From"))
    end_date = forms.DateField(label=_("To"))
    amount = forms.IntegerField(label=_("Credits"), min_value=1)
    recipient = forms.ChoiceField(label=_("Account"))


class RetireForm(Confirmed):
    confirm_label = _(
        "I confirm: these credits are retired for good in the beneficiary's name, and the"
        " retirement is written in the public log, where it cannot be undone."
    )

    batch = forms.ChoiceField(label=_("Batch"))
    account = forms.ChoiceField(label=_("Account"))
    amount = forms.IntegerField(label=_("Credits"), min_value=1)
    beneficiary = forms.CharField(label=_("Beneficiary"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    jurisdiction = forms.CharField(label=_("Jurisdiction"), max_length=20, initial="EC")
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class TransferForm(forms.Form):
    batch = forms.ChoiceField(label=_("Batch"))
    sender = forms.ChoiceField(label=_("From"))
    recipient = forms.ChoiceField(label=_("To"))
    amount = forms.IntegerField(label=_("Credits"), min_value=1)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)
