"""Applicants log in with their phone number; staff keep Django's username login (ModelBackend).

The two never mix: this backend answers only ``authenticate(request, phone=..., password=...)`` and
only for non-staff users with an applicant account, and its ``get_user`` drops a session whose user
has since become staff. Staff users have no applicant account, and applicants are never ``is_staff``,
so the admin refuses them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from . import selectors


class PhonePasswordBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        phone: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if phone is None or password is None:
            return None
        account = selectors.account_for_phone(phone)
        if account is None:
            # Hash anyway, so the time taken does not tell whether the number has an account.
            get_user_model()().set_password(password)
            return None
        user = account.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not user.is_staff

    def get_user(self, user_id: Any) -> Any:
        User = get_user_model()
        user = (
            User._default_manager.select_related("applicant_account__person")
            .filter(pk=user_id, applicant_account__isnull=False)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
