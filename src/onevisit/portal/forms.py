"""Applicant account forms. They only parse input; the identity services decide and report problems,
which ``add_service_errors`` puts next to the field they concern (GOV.UK pattern)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onevisit.identity.services import normalize_id_number, normalize_phone


class AccountForm(forms.Form):
    """Marks fields with errors (``aria-invalid``) and ties hints and messages to them
    (``aria-describedby``), so the templates stay plain."""

    def full_clean(self) -> None:
        super().full_clean()
        self.describe_fields()

    def describe_fields(self) -> None:
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-hint")
            if self.errors.get(name):
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def add_service_errors(self, error: ValidationError) -> None:
        """Messages for a field of this form go next to it; others go to the top of the page."""
        if not hasattr(self, "cleaned_data"):  # an unbound form (e.g. "send a new code")
            self._errors = self.errors
            self.cleaned_data = {}
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        self.describe_fields()

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in the order of the fields."""
        links = [("", str(m)) for m in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                links.append((f"#{self[name].auto_id}", str(message)))
        return links


def _phone_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Mobile phone number"),
        error_messages={"required": _("Enter your mobile phone number.")},
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "autocomplete": "tel-national",
                "inputmode": "numeric",
                "class": "input-phone",
            }
        ),
        **kwargs,
    )


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Verification code"),
        help_text=_("The 6 digits in the text message we sent. The code is valid for 5 minutes."),
        error_messages={"required": _("Enter the 6-digit code from the text message.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "input-code",
                "spellcheck": "false",
            }
        ),
    )


class PhoneForm(AccountForm):
    phone = _phone_field(help_text=_("We will send a 6-digit verification code to this number."))


class CodeForm(AccountForm):
    code = _code_field()


class RegisterDetailsForm(AccountForm):
    name = forms.CharField(
        label=_("Name"),
        help_text=_("As on your resident ID card."),
        max_length=60,
        error_messages={
            "required": _("Enter your name as it is on your ID card."),
            "max_length": _("A name can have at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "input-name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        help_text=_("18 characters; the last one may be X."),
        error_messages={"required": _("Enter your 18-character resident ID number.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "class": "input-id",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        help_text=_("At least 8 characters, not only digits and not a common password."),
        strip=False,
        error_messages={"required": _("Enter a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "input-password"}),
    )

    # The service checks these again; checking them here too reports every problem at once.
    def clean_id_number(self) -> str:
        try:
            return normalize_id_number(self.cleaned_data["id_number"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["id_number"]) from exc

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class PasswordLoginForm(AccountForm):
    phone = _phone_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "input-password"}),
    )

    def clean_phone(self) -> str:
        # A number that cannot be a mobile number is a typing mistake, not a failed log-in.
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["phone"]) from exc


class EmailForm(AccountForm):
    email = forms.CharField(
        label=_("Email address"),
        help_text=_("We will send a link to this address. Your cases are told to it once you open the link."),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "max_length": _("An email address can have at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(
            attrs={
                "type": "email",
                "autocomplete": "email",
                "spellcheck": "false",
                "autocapitalize": "none",
                "class": "input-email",
            }
        ),
    )


class NotificationsForm(AccountForm):
    """Unticked boxes are simply absent from the POST, so both fields are optional here; the
    service decides whether the choice is allowed."""

    sms = forms.BooleanField(label=_("Text message"), required=False)
    email = forms.BooleanField(label=_("Email"), required=False)


class ActingForForm(forms.Form):
    """Which profile to act as: the applicant ("") or the id of an organization they may act for."""

    profile = forms.CharField(required=False)
