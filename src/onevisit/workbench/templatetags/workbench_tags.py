from typing import Any

from django import template

from onevisit.org.selectors import clerk_centers

register = template.Library()


@register.filter
def is_clerk(user: Any) -> bool:
    """Whether the user works at a service centre's counter (the 窗口受理 link)."""
    return clerk_centers(user).exists()


@register.filter
def reads_insights(user: Any) -> bool:
    """Whether the user may open the indicator dashboards (analysts, supervisors, evaluators)."""
    from onevisit.insights.access import can_read

    return can_read(user)
