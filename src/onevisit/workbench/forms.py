from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from onevisit.cases.selectors import InboxFilters
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


class OverturnForm(DecisionForm):
    """复核: an officer replaces a decision the rules took (秒批)."""

    OUTCOMES = [("approve", _("Approve")), ("reject", _("Reject"))]
    outcome = forms.ChoiceField(label=_("New decision"), choices=OUTCOMES, widget=forms.RadioSelect)
    field_order = ["outcome", "reasons", "legal_basis"]


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


NUMBER_PATTERN = r"^[0-9A-Za-z-]*$"


class LenientFilterForm(forms.Form):
    """Filters read from the query string: a value that is not one of the user's choices is dropped
    with a note and shown as "any", and the other filters still apply."""

    def lenient(self) -> tuple[dict[str, Any], list[str]]:
        """The valid filters' cleaned values, and a note for each one that was ignored."""
        self.is_valid()
        notes = [
            _("The filter “%(field)s” had a value that is not one of the choices; it was ignored.")
            % {"field": self.fields[name].label}
            for name in self.errors
        ]
        if self.errors:
            # Show each dropped filter as "any", as it was applied.
            self.data = {**{k: self.data.get(k) for k in self.data}, **dict.fromkeys(self.errors, "")}
        return self.cleaned_data, notes


class InboxFilterForm(LenientFilterForm):
    """The inbox filters, read from the query string. A value that is not one of the officer's own
    choices (another department, garbage) is dropped with a note; the other filters still apply."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    status = forms.ChoiceField(
        label=_("Step"),
        required=False,
        choices=[
            ("", _("Any")),
            ("open", _("Waiting to be taken")),
            ("mine", _("Taken by me")),
            ("others", _("Taken by others")),
        ],
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[
            ("", _("Any")),
            ("red", _("Red: overdue")),
            ("yellow", _("Yellow: nearly due")),
            ("normal", _("Normal")),
        ],
    )
    item = forms.ChoiceField(label=_("Service"), required=False)
    q = forms.CharField(
        label=_("Case number"),
        required=False,
        max_length=32,
        validators=[RegexValidator(NUMBER_PATTERN)],
        widget=forms.TextInput(attrs={"type": "search", "inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, data: Any, *, departments: Any, items: list[tuple[str, str]]) -> None:
        data = data.copy()
        if "q" in data:
            data["q"] = unicodedata.normalize("NFKC", data.get("q", "")).strip()
        super().__init__(data)
        self.fields["department"].choices = [("", _("All my departments"))] + [  # type: ignore[attr-defined]
            (d.code, d.name) for d in departments
        ]
        self.fields["item"].choices = [("", _("Any"))] + [  # type: ignore[attr-defined]
            (code, f"{name}（{code}）") for code, name in items
        ]

    def filters(self) -> tuple[InboxFilters, list[str]]:
        """The valid filters, and a note for each one that was ignored."""
        clean, notes = self.lenient()
        return (
            InboxFilters(
                department=clean.get("department", ""),
                claim=clean.get("status", ""),
                urgency=clean.get("urgency", ""),
                item=clean.get("item", ""),
                number=clean.get("q", ""),
            ),
            notes,
        )


# ---- organisations at the counter (法人, 经办人, 授权委托书) ---------------------------------------


class OrganizationFindForm(forms.Form):
    uscc = forms.CharField(
        label=_("Unified social credit code (统一社会信用代码)"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AgentFindForm(forms.Form):
    agent_id_number = forms.CharField(
        label=_("ID number of the person acting for it (经办人)"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )


class AuthorizationForm(forms.Form):
    """The 经办人 and the letter of authorization they bring; the service checks the content."""

    SCOPES = [("all", _("Every service")), ("items", _("Only the services listed in the letter"))]

    agent_name = forms.CharField(
        label=_("Name of the person acting for it (经办人)"),
        max_length=60,
        required=False,
        help_text=_("As on their ID card; not needed if they are already registered."),
    )
    agent_id_number = forms.CharField(
        label=_("ID number of the person acting for it (经办人)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    valid_from = forms.DateField(
        label=_("Authorized from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_until = forms.DateField(
        label=_("Authorized until"),
        required=False,
        help_text=_("Leave empty if the letter sets no end date."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scope = forms.ChoiceField(
        label=_("For which services"), choices=SCOPES, widget=forms.RadioSelect, initial="all"
    )
    item_codes = forms.CharField(
        label=_("Service codes in the letter"),
        max_length=1000,
        required=False,
        help_text=_("Separated by spaces or commas; only when the letter lists services."),
    )

    # Checked by the service, which says how to fix each (so every problem shows at once); these are
    # the fields the clerk may really leave empty.
    OPTIONAL = ("agent_name", "valid_until", "item_codes", "legal_representative")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL:
            if name in self.fields:
                self.fields[name].optional = True  # type: ignore[attr-defined]

    def authorization(self) -> dict[str, Any]:
        """The service's arguments from what was typed (a field that did not parse counts as empty)."""
        data = self.cleaned_data
        return {
            "agent_name": data.get("agent_name", ""),
            "agent_id_number": data.get("agent_id_number", ""),
            "valid_from": data.get("valid_from"),
            "valid_until": data.get("valid_until"),
            "item_codes": data.get("item_codes", "") if data.get("scope", "all") == "items" else None,
        }

    def add_problems(self, problems: dict[str, list[str]]) -> None:
        """The service's findings, on the fields that have no error of their own yet."""
        for name, messages in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, messages)


class OrganizationRegisterForm(AuthorizationForm):
    name = forms.CharField(label=_("Name of the organisation"), max_length=120, required=False)
    uscc = forms.CharField(
        label=_("Unified social credit code (统一社会信用代码)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60, required=False)

    ORG_FIELDS = ("name", "uscc", "legal_representative")
    field_order = list(ORG_FIELDS)

    def organization(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data.get("name", ""),
            "uscc_code": data.get("uscc", ""),
            "legal_representative": data.get("legal_representative", ""),
            **self.authorization(),
        }

    def org_fields(self) -> list[Any]:
        return [self[name] for name in self.ORG_FIELDS]

    def authorization_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.ORG_FIELDS]
