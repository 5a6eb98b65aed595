from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "onevisit.certificates"
    label = "certificates"
    verbose_name = _("Electronic certificates")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
