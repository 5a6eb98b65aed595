"""Telling the applicant of a public timeline line, after the commit (the job in ``tasks``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import Case, CaseEvent


def case_event_send(*, event_id: int) -> bool:
    """Tell the applicant (and their agent) of a public timeline line, by text message and/or email
    as each has chosen; at most once (the claim on ``notified_at`` comes first)."""
    from onevisit.identity.notify import applicants_notify

    claimed = CaseEvent.objects.filter(pk=event_id, public=True, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    event = CaseEvent.objects.select_related("case__item_version").get(pk=event_id)
    people = [p for p in (event.case.applicant_person_id, event.case.agent_id) if p]
    # The messages leave the site: they are written in the default language, not a visitor's.
    with translation.override(settings.LANGUAGE_CODE):
        text = _("[Government services] Case %(number)s: %(message)s") % {
            "number": event.case.number or "",
            "message": event.message,
        }
        if rate := _rating_link(event.case):
            text += _(" Rate the service: %(link)s") % {"link": rate}
        subject, body = _event_email(event)
    applicants_notify(person_ids=people, sms_text=text, email_subject=subject, email_body=body)
    return True


def _event_email(event: CaseEvent) -> tuple[str, str]:
    """The subject and text of the email about a timeline line: case number, status, the line, a link."""
    from onevisit.identity.notify import site_link

    case = event.case
    values = {
        "number": case.number or "",
        "item": case.item_version.name,
        "status": case.get_status_display(),
        "message": event.message,
        "at": formats.date_format(timezone.localtime(event.at), "DATETIME_FORMAT"),
        "link": site_link(reverse("portal:case", args=[case.number])) if case.number else "",
        "hotline": settings.ONEVISIT_SERVICE_HOTLINE,
    }
    subject = _("[Government services] Case %(number)s: %(status)s") % values
    body = (
        _(
            "Hello,\n\nThere is news about your case.\n\n"
            "Case number: %(number)s\nService: %(item)s\nStatus: %(status)s\n"
            "Latest step: %(message)s (%(at)s)\n\n"
            "See the case and its whole timeline: %(link)s\n\n"
            "This email was sent automatically; please do not reply. For help, call %(hotline)s.\n"
            "You can choose text messages and/or email on your account page."
        )
        % values
    )
    if rate := _rating_link(case):  # 好差评: the rating page, while the case can be rated
        body += "\n\n" + _("How was the service? Rate it: %(link)s") % {"link": rate}
    return subject, body


def _rating_link(case: Case) -> str:
    """The portal's rating page of a finished case, while it can still be rated (好差评); else ""."""
    from onevisit.identity.notify import site_link

    if not case.number or case.status not in Case.FINISHED or case.decided_at is None:
        return ""
    if timezone.now() > case.decided_at + dt.timedelta(days=settings.ONEVISIT_RATING_WINDOW_DAYS):
        return ""
    return site_link(reverse("portal:case_rate", args=[case.number]))
