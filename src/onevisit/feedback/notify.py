"""Telling people of the answers they wait for, after the commit (the jobs in ``tasks``).

The complainant learns that the complaint is answered; the rater of a bad rating learns that the
department has rectified and that one follow-up rating is open. Each message goes at most once: the
claim on its ``*_notified_at`` column comes first, so a job run twice sends nothing the second time.
Messages leave the site, so they are written in the default language, not a visitor's.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onevisit.core import crypto

from .models import Complaint, Rectification

logger = logging.getLogger(__name__)


def complaint_answer_send(*, complaint_id: int) -> bool:
    """The complaint is answered: a logged-in complainant by the channels of their account, one
    without an account by text message to the phone they left (if any)."""
    from onevisit.identity import sms
    from onevisit.identity.notify import applicants_notify, site_link

    claimed = Complaint.objects.filter(
        pk=complaint_id, status=Complaint.Status.ANSWERED, answer_notified_at__isnull=True
    ).update(answer_notified_at=timezone.now())
    if not claimed:
        return False
    complaint = Complaint.objects.select_related("department").get(pk=complaint_id)
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "code": complaint.code,
            "department": complaint.department.name,
            "answer": complaint.answer,
            "link": site_link(reverse("portal:complaint", args=[complaint.code])),
            "hotline": settings.ONEVISIT_SERVICE_HOTLINE,
        }
        text = (
            _("[Government services] Complaint %(code)s has been answered by %(department)s: %(link)s")
            % values
        )
        subject = _("[Government services] Your complaint %(code)s is answered") % values
        body = (
            _(
                "Hello,\n\n%(department)s has answered your complaint %(code)s:\n\n%(answer)s\n\n"
                "See the complaint and the answer: %(link)s\n\n"
                "This email was sent automatically; please do not reply. For help, call %(hotline)s."
            )
            % values
        )
    if complaint.complainant_id is not None:
        applicants_notify(
            person_ids=[complaint.complainant_id], sms_text=text, email_subject=subject, email_body=body
        )
    elif complaint.contact_phone_encrypted:
        try:
            sms.get_backend().send(crypto.decrypt(complaint.contact_phone_encrypted), text)
        except Exception:
            logger.exception("complaint_sms_failed complaint=%s", complaint.pk)
    return True


def rectification_send(*, rectification_id: int) -> bool:
    """The department has rectified a bad rating: tell the rater what was done and where to add the
    one follow-up rating (一事一评's 追评; the counter's ratings have no case page, so no link)."""
    from onevisit.identity.notify import applicants_notify, site_link

    claimed = Rectification.objects.filter(
        pk=rectification_id, rectified_at__isnull=False, rater_notified_at__isnull=True
    ).update(rater_notified_at=timezone.now())
    if not claimed:
        return False
    rectification = Rectification.objects.select_related("department", "rating__case").get(
        pk=rectification_id
    )
    rating = rectification.rating
    if rating.rater_id is None:
        return False
    case = rating.case
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "department": rectification.department.name,
            "note": rectification.rectify_note,
            "link": site_link(reverse("portal:case_rate_follow_up", args=[case.number]))
            if case is not None and case.number
            else "",
            "hotline": settings.ONEVISIT_SERVICE_HOTLINE,
        }
        text = _("[Government services] %(department)s has acted on your rating.") % values
        subject = _("[Government services] %(department)s has acted on your rating") % values
        body = _("Hello,\n\n%(department)s has acted on your rating. What was done:\n\n%(note)s") % values
        if values["link"]:
            text += _(" Add your follow-up rating: %(link)s") % values
            body += "\n\n" + _("You may add one follow-up rating: %(link)s") % values
        body += (
            "\n\n"
            + _("This email was sent automatically; please do not reply. For help, call %(hotline)s.")
            % values
        )
    applicants_notify(person_ids=[rating.rater_id], sms_text=text, email_subject=subject, email_body=body)
    return True
