"""Machine clients: ``Authorization: Bearer <key>`` with a department-scoped service token."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from onevisit.org.models import ServiceToken
from onevisit.org.selectors import service_token_for_key
from onevisit.org.services import service_token_touch


class ServiceTokenAuthentication(BaseAuthentication):
    """Authenticates as the token's own staff user; ``request.auth`` is the ``ServiceToken``."""

    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[Any, ServiceToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split() if isinstance(header, str) else []
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as “Authorization: Bearer <key>”."))
        key = parts[1]
        if not key.isascii():
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        token = service_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token has been revoked."))
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        service_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenScope(BasePermission):
    """The view's ``required_scopes[action]`` must all be in the token's scopes."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ServiceToken):
            raise exceptions.NotAuthenticated(_("Send a service token: “Authorization: Bearer <key>”."))
        needed = set(getattr(view, "required_scopes", {}).get(getattr(view, "action", None), ()))
        if not needed <= set(token.scopes):
            self.message = _("The token lacks the scope this needs: %(scopes)s.") % {
                "scopes": ", ".join(sorted(needed - set(token.scopes)))
            }
            return False
        return True


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "onevisit.api.auth.ServiceTokenAuthentication"
    name = "serviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A department's service token (created in the admin, shown once). Scopes: "
            "work_items:read, work_items:write, cases:read, credit:read, credit:write.",
        }
