from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "onevisit.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from . import checks  # noqa: F401  (registers the system checks)

        # The portal, the workbench and the admin each have a log-out page; Django's signal is the one
        # place all three pass through.
        user_logged_out.connect(_audit_logout, dispatch_uid="onevisit.identity.audit_logout")


def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .login import client_ip, logout_record

    if user is not None and getattr(user, "is_authenticated", False):
        logout_record(user=user, ip=client_ip(request) if request is not None else None)
