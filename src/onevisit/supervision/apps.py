from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onevisit.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from onevisit.cases.models import CaseEvent

        post_save.connect(
            _case_event_saved, sender=CaseEvent, dispatch_uid="supervision-alarms-on-case-event"
        )


def _case_event_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Every new timeline line re-evaluates the alarms of its case, once the change is committed."""
    if raw or not created:
        return
    from django.db import transaction

    from .tasks import alarms_case

    case_id = instance.case_id
    transaction.on_commit(lambda: alarms_case.enqueue(case_id=case_id))
