"""The indicators of 好差评 (RULES.md): good-rating rate and rectification rate, in the shape of
``onevisit.core.indicators`` so the dashboards list them beside those over cases.

Both are over ratings made in the period (by ``created_at``, local days, both ends included) and
never count a voided rating. A follow-up rating is a rating too and counts in the good-rating rate.
The filters of the scope apply to the rating's own copies of department, region, item and channel,
so counter ratings without a case are counted as well.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onevisit.core.indicators import Figure, Indicator, Scope, ratio

from .models import BAD_LEVELS, GOOD_LEVELS, Rating


def scope_q(scope: Scope, path: str = "") -> Q:
    """The filters of the scope as a Q over a ``Rating`` (``path`` leads from the queried model)."""
    return scope.q(
        region=f"{path}region__code", department=f"{path}department_id", item=f"{path}item__code",
        channel=f"{path}channel",
    )  # fmt: skip


def ratings_in(scope: Scope) -> QuerySet[Rating]:
    """The non-voided ratings made in the period, filtered by the scope."""
    start, end = scope.bounds()
    return Rating.objects.filter(
        scope_q(scope), voided_at__isnull=True, created_at__gte=start, created_at__lt=end
    )


def good_rating_rate(scope: Scope) -> Figure:
    counts = ratings_in(scope).aggregate(n=Count("pk"), good=Count("pk", filter=Q(level__in=GOOD_LEVELS)))
    return ratio(counts["good"], counts["n"])


def rectified_on_time_q() -> Q:
    return Q(rectification__rectified_at__isnull=False) & Q(
        rectification__rectified_at__date__lte=F("rectification__rectify_due")
    )


def bad_with_rectification(scope: Scope) -> QuerySet[Rating]:
    return ratings_in(scope).filter(level__in=BAD_LEVELS, rectification__isnull=False)


def rectification_rate(scope: Scope) -> Figure:
    counts = bad_with_rectification(scope).aggregate(
        n=Count("pk"), on_time=Count("pk", filter=rectified_on_time_q())
    )
    return ratio(counts["on_time"], counts["n"])


INDICATORS: list[Indicator] = [
    Indicator(
        key="good_rating_rate",
        name=_("Good-rating rate (好评率)"),
        formula=_(
            "Ratings of very satisfied or satisfied / all ratings made in the period (voided ratings excluded)"
        ),
        unit="%",
        compute=good_rating_rate,
        drill=ratings_in,
    ),
    Indicator(
        key="rectification_rate",
        name=_("Rectification rate (差评整改率)"),
        formula=_(
            "Bad ratings rectified on or before their due date / bad ratings that opened a rectification, "
            "made in the period (voided ratings excluded)"
        ),
        unit="%",
        compute=rectification_rate,
        drill=bad_with_rectification,
    ),
]
