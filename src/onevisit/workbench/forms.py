from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onevisit.cases.services import SPECIAL_PROCEDURES


class CorrectionForm(forms.Form):
    missing: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Missing materials"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Anything else to correct"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, materials: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing"].queryset = materials  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=500, required=False)


class StepForm(forms.Form):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Reject")), ("return", _("Return for correction"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    opinion = forms.CharField(
        label=_("Opinion"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(label=_("Legal basis (needed to reject)"), max_length=500, required=False)


class SuspendForm(forms.Form):
    procedure = forms.ChoiceField(label=_("Special procedure"), choices=list(SPECIAL_PROCEDURES.items()))
    expected_days = forms.IntegerField(label=_("Expected length (days)"), min_value=1, max_value=365)
    reason = forms.CharField(
        label=_("Reason told to the applicant"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason told to the applicant"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PersonFindForm(forms.Form):
    id_number = forms.CharField(
        label=_("Resident ID number (居民身份证)"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )


class PersonRegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(
        label=_("Resident ID number (居民身份证)"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
