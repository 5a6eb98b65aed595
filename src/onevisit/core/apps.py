from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onevisit.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_seed_calendar, sender=self)


def _seed_calendar(**kwargs: object) -> None:
    """Seed the calendar after migrate (and after test flushes) when the table is empty."""
    from .calendar import calendar_seed
    from .models import CalendarDay

    if not CalendarDay.objects.using(str(kwargs.get("using", "default"))).exists():
        calendar_seed()
