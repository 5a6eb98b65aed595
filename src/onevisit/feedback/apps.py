from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "onevisit.feedback"
    label = "feedback"
    verbose_name = _("Ratings and complaints (好差评)")
