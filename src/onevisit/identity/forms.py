"""The staff sign-in form, used by the workbench and the admin alike, so both share one throttle."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from . import login
from .models import LoginKind


class StaffAuthenticationForm(AdminAuthenticationForm):
    """Django's staff-only form, with log-in throttling and the audit trail of ``identity.login``."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()  # the required-field messages; nothing is checked
        ip = login.client_ip(self.request) if self.request is not None else None
        try:
            attempt = login.login_attempt_begin(kind=LoginKind.STAFF, identifier=username, ip=ip)
        except login.LoginLocked as lock:
            raise ValidationError(lock.message, code="locked") from lock
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            failed = login.login_attempt_failed(attempt=attempt)
            if failed.locked is not None:
                raise ValidationError(failed.locked.message, code="locked") from exc
            raise ValidationError(
                [
                    *exc.error_list,
                    ValidationError(login.attempts_left_message(LoginKind.STAFF, failed.attempts_left)),
                ]
            ) from exc
        login.login_attempt_succeeded(attempt=attempt, user=self.get_user())
        return cleaned
