"""How an applicant is told things: the email address (confirmed by a link sent to it), the choice of
text message and/or email, and sending a notification through the channels chosen.

Outgoing texts are written in the default language (Chinese): they leave the site, where no
language choice of a request applies.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from onevisit.core import crypto
from onevisit.core.audit import audit_log

from . import sms
from .models import ApplicantAccount, EmailConfirmation, mask_email

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 254
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def site_link(path: str) -> str:
    """An absolute link for a message that leaves the site (``ONEVISIT_SITE_URL`` + ``path``)."""
    return f"{settings.ONEVISIT_SITE_URL.rstrip('/')}{path}"


def normalize_email(value: str) -> str:
    """An email address, trimmed, with its domain in lower case; raises with a message saying how."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        raise ValidationError({"email": _("Enter your email address.")})
    if len(text) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            {"email": _("An email address can have at most %(max)s characters.") % {"max": EMAIL_MAX_LENGTH}}
        )
    try:
        validate_email(text)
    except ValidationError as exc:
        raise ValidationError(
            {"email": _("Enter an email address in the right form, like name@example.com.")}
        ) from exc
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _token_hash(token: str) -> str:
    return salted_hmac("onevisit.identity.email", token, algorithm="sha256").hexdigest()


@transaction.atomic
def email_change_request(*, actor: Any, account: ApplicantAccount, email: str) -> EmailConfirmation:
    """Send a confirmation link to ``email`` (after the commit); the address is used only once the
    link is followed. At most one email every ``ONEVISIT_EMAIL_CONFIRM_INTERVAL`` seconds and
    ``ONEVISIT_EMAIL_CONFIRM_DAILY_LIMIT`` a day per account; a new request voids older links."""
    address = normalize_email(email)
    if account.email and account.email.lower() == address.lower():
        raise ValidationError({"email": _("This is already your email address.")})
    account = ApplicantAccount.objects.select_for_update().get(pk=account.pk)
    now = timezone.now()
    recent = list(
        EmailConfirmation.objects.filter(account=account, sent_at__gt=now - dt.timedelta(days=1))
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
    )
    interval = dt.timedelta(seconds=settings.ONEVISIT_EMAIL_CONFIRM_INTERVAL)
    if recent and now - recent[0] < interval:
        wait = int((interval - (now - recent[0])).total_seconds()) + 1
        raise ValidationError(
            {
                "email": _(
                    "A link was sent less than a minute ago. Wait %(seconds)s seconds, then ask again."
                )
                % {"seconds": wait}
            }
        )
    if len(recent) >= settings.ONEVISIT_EMAIL_CONFIRM_DAILY_LIMIT:
        raise ValidationError(
            {
                "email": _(
                    "You have asked for %(limit)s confirmation emails today, the most allowed. Try again "
                    "tomorrow or call %(hotline)s for help."
                )
                % {
                    "limit": settings.ONEVISIT_EMAIL_CONFIRM_DAILY_LIMIT,
                    "hotline": settings.ONEVISIT_SERVICE_HOTLINE,
                }
            }
        )
    EmailConfirmation.objects.filter(account=account, confirmed_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    confirmation = EmailConfirmation.objects.create(
        account=account,
        email_encrypted=crypto.encrypt(address),
        token_hash=_token_hash(token),
        sent_at=now,
        expires_at=now + dt.timedelta(hours=settings.ONEVISIT_EMAIL_CONFIRM_HOURS),
    )
    audit_log(
        actor=actor,
        action="email_change_requested",
        obj=account,
        data={"email": mask_email(address), "confirmation": confirmation.pk},
    )
    from .tasks import email_confirmation_deliver  # tasks import this module

    # The queue holds the token only encrypted; the task backend enqueues on commit.
    email_confirmation_deliver.enqueue(confirmation_id=confirmation.pk, sealed=crypto.encrypt(token))
    return confirmation


def email_confirmation_deliver(*, confirmation_id: int, sealed: str) -> bool:
    """Email the confirmation link, unless the request is already confirmed, voided or expired."""
    confirmation = (
        EmailConfirmation.objects.select_related("account__person").filter(pk=confirmation_id).first()
    )
    if (
        confirmation is None
        or confirmation.confirmed_at is not None
        or confirmation.expires_at <= timezone.now()
    ):
        return False
    token = crypto.decrypt(sealed)
    link = site_link(reverse("portal:email_confirm", args=[token]))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Government services] Confirm your email address")
        body = _(
            "Hello %(name)s,\n\n"
            "To receive notifications of your cases at this address, open this link within %(hours)s hours "
            "and press “Confirm”:\n\n%(link)s\n\n"
            "If you did not ask for this, ignore this email: nothing will change.\n\n"
            "This email was sent automatically; please do not reply. For help, call %(hotline)s."
        ) % {
            "name": confirmation.account.person.name,
            "hours": settings.ONEVISIT_EMAIL_CONFIRM_HOURS,
            "link": link,
            "hotline": settings.ONEVISIT_SERVICE_HOTLINE,
        }
    send_mail(subject, body, None, [confirmation.email])
    return True


def email_confirmation_for(*, account: ApplicantAccount, token: str) -> EmailConfirmation:
    """The open request of ``account`` behind ``token``; raises with a message saying what to do.

    A token of another account is "not found" as well: nobody learns whose link it was.
    """
    not_found = _("This confirmation link is not valid. Open the newest link we sent, or ask for a new one.")
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise ValidationError(not_found)
    confirmation = EmailConfirmation.objects.filter(account=account, token_hash=_token_hash(token)).first()
    if confirmation is None:
        raise ValidationError(not_found)
    if confirmation.confirmed_at is not None:
        raise ValidationError(_("This email address is already confirmed."))
    if confirmation.expires_at <= timezone.now():
        raise ValidationError(
            _("This confirmation link has expired or was replaced by a newer one. Ask for a new link.")
        )
    return confirmation


@transaction.atomic
def email_change_confirm(*, actor: Any, account: ApplicantAccount, token: str) -> ApplicantAccount:
    """Make the address behind ``token`` the account's email address (once)."""
    confirmation = email_confirmation_for(account=account, token=token)
    now = timezone.now()
    claimed = EmailConfirmation.objects.filter(
        pk=confirmation.pk, confirmed_at__isnull=True, expires_at__gt=now
    ).update(confirmed_at=now)
    if not claimed:  # another request confirmed it first
        raise ValidationError(_("This email address is already confirmed."))
    ApplicantAccount.objects.filter(pk=account.pk).update(email_encrypted=crypto.encrypt(confirmation.email))
    account.refresh_from_db()
    audit_log(
        actor=actor,
        action="email_confirmed",
        obj=account,
        data={"email": mask_email(confirmation.email), "confirmation": confirmation.pk},
    )
    return account


@transaction.atomic
def email_remove(*, actor: Any, account: ApplicantAccount) -> ApplicantAccount:
    """Forget the email address; text messages are switched on, so one channel stays."""
    account = ApplicantAccount.objects.select_for_update().get(pk=account.pk)
    if not account.email_encrypted:
        return account
    ApplicantAccount.objects.filter(pk=account.pk).update(email_encrypted="", notify_sms=True)
    EmailConfirmation.objects.filter(account=account, confirmed_at__isnull=True).update(
        expires_at=timezone.now()
    )
    account.refresh_from_db()
    audit_log(actor=actor, action="email_removed", obj=account, data={})
    return account


@transaction.atomic
def notification_preferences_set(
    *, actor: Any, account: ApplicantAccount, sms_on: bool, email_on: bool
) -> ApplicantAccount:
    """Choose text message and/or email. At least one stays on; email needs a confirmed address."""
    account = ApplicantAccount.objects.select_for_update().get(pk=account.pk)
    if email_on and not account.email_encrypted:
        raise ValidationError(
            {"channels": _("Add and confirm an email address before choosing email notifications.")}
        )
    if not sms_on and not email_on:
        raise ValidationError({"channels": _("Choose at least one way to be told: text message or email.")})
    ApplicantAccount.objects.filter(pk=account.pk).update(notify_sms=sms_on, notify_email=email_on)
    account.refresh_from_db()
    audit_log(
        actor=actor,
        action="notification_preferences_set",
        obj=account,
        data={"sms": sms_on, "email": email_on},
    )
    return account


def applicants_notify(
    *, person_ids: Iterable[int], sms_text: str, email_subject: str, email_body: str
) -> dict[str, int]:
    """Send one notification to the accounts of ``person_ids`` by the channels each has chosen.

    Without an email address, a text message is sent even when switched off, so nobody goes
    untold. One failing channel does not stop the others; the failure is logged.
    Returns how many messages went out per channel.
    """
    sent = {"sms": 0, "email": 0}
    backend = None
    for account in ApplicantAccount.objects.filter(person_id__in=list(person_ids), user__is_active=True):
        by_email = account.sends_email
        if account.notify_sms or not by_email:
            try:
                backend = backend or sms.get_backend()
                backend.send(account.phone, sms_text)
                sent["sms"] += 1
            except Exception:
                logger.exception("notify_sms_failed account=%s", account.pk)
        if by_email:
            try:
                send_mail(email_subject, email_body, None, [account.email])
                sent["email"] += 1
            except Exception:
                logger.exception("notify_email_failed account=%s", account.pk)
    return sent
