from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onevisit.portal"
    label = "portal"
