"""Writes of applicants. ID numbers are validated (GB 11643 / GB 32100) before they are stored."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.org.models import Region

from . import sms
from .models import (
    ApplicantAccount,
    Authorization,
    AuthorizationScope,
    OneTimeCode,
    Organization,
    OtpPurpose,
    Person,
)

PHONE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
CODE_PATTERN = re.compile(r"[0-9]{6}")
NAME_MAX_LENGTH = 60
# A code proves the phone for this long after it was entered, while the applicant fills in the rest.
REGISTRATION_WINDOW = dt.timedelta(minutes=30)


def normalize_id_number(value: str) -> str:
    try:
        return str(ric.validate(value.strip()))
    except Exception as exc:
        raise ValidationError(
            {"id_number": _("Enter an 18-character resident ID number, e.g. 11010519491231002X.")}
        ) from exc


def normalize_uscc(value: str) -> str:
    try:
        return str(uscc.validate(value.strip()))
    except Exception as exc:
        raise ValidationError(
            {"uscc": _("Enter an 18-character unified social credit code, e.g. 91330106MA2XXXXXXX.")}
        ) from exc


@transaction.atomic
def person_register(
    *, actor: Any, name: str, id_number: str, phone: str = "", region: Region | None = None
) -> Person:
    number = normalize_id_number(id_number)
    digest = crypto.lookup_hash(number)
    person = Person.objects.filter(id_number_hash=digest).first()
    if person is not None:
        return person
    person = Person.objects.create(
        name=name.strip(),
        id_number_encrypted=crypto.encrypt(number),
        id_number_hash=digest,
        phone_encrypted=crypto.encrypt(phone) if phone else "",
        region=region,
    )
    audit_log(actor=actor, action="person_registered", obj=person, data={"name": person.name})
    return person


@transaction.atomic
def organization_register(
    *, actor: Any, name: str, uscc_code: str, legal_representative: str = "", region: Region | None = None
) -> Organization:
    code = normalize_uscc(uscc_code)
    digest = crypto.lookup_hash(code)
    org = Organization.objects.filter(uscc_hash=digest).first()
    if org is not None:
        return org
    org = Organization.objects.create(
        name=name.strip(),
        uscc_encrypted=crypto.encrypt(code),
        uscc_hash=digest,
        legal_representative=legal_representative,
        region=region,
    )
    audit_log(actor=actor, action="organization_registered", obj=org, data={"name": org.name})
    return org


# --- Phone numbers and one-time codes (短信验证码) ---------------------------------------------


def normalize_phone(value: str) -> str:
    """A mainland mobile number as 11 digits; accepts spaces, hyphens, full-width digits and +86."""
    text = unicodedata.normalize("NFKC", value or "")[:40]
    text = re.sub(r"[\s\-()]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not PHONE_PATTERN.fullmatch(text):
        raise ValidationError(
            {"phone": _("Enter an 11-digit mobile phone number starting with 1, like 13812345678.")}
        )
    return text


def _code_digest(*, salt: str, phone_hash: str, purpose: str, code: str) -> str:
    value = f"{salt}:{purpose}:{phone_hash}:{code}"
    return salted_hmac("onevisit.identity.otp", value, algorithm="sha256").hexdigest()


def _seal_code(*, phone_hash: str, purpose: str, code: str) -> str:
    salt = secrets.token_hex(8)
    return f"{salt}${_code_digest(salt=salt, phone_hash=phone_hash, purpose=purpose, code=code)}"


def _code_matches(otp: OneTimeCode, code: str) -> bool:
    salt, _sep, digest = otp.code_hash.partition("$")
    expected = _code_digest(salt=salt, phone_hash=otp.phone_hash, purpose=otp.purpose, code=code)
    return constant_time_compare(expected, digest)


@transaction.atomic
def otp_send(*, actor: Any, phone: str, purpose: str) -> OneTimeCode:
    """Create a one-time code for ``phone`` and send it by SMS once the transaction commits.

    At most one code per phone every ``ONEVISIT_OTP_INTERVAL`` seconds and ``ONEVISIT_OTP_DAILY_LIMIT``
    in 24 hours, whatever the purpose. A login code for a phone without an account is recorded (so
    the answer and the limits look the same) but not sent: the page never tells who has an account.
    """
    number = normalize_phone(phone)
    kind = OtpPurpose(purpose)
    digest = crypto.lookup_hash(number)
    now = timezone.now()
    recent = list(
        OneTimeCode.objects.select_for_update()
        .filter(phone_hash=digest, sent_at__gt=now - dt.timedelta(days=1))
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
    )
    interval = dt.timedelta(seconds=settings.ONEVISIT_OTP_INTERVAL)
    if recent and now - recent[0] < interval:
        wait = int((interval - (now - recent[0])).total_seconds()) + 1
        raise ValidationError(
            {
                "phone": _(
                    "A code was sent less than a minute ago. Wait %(seconds)s seconds, then ask again."
                )
                % {"seconds": wait}
            }
        )
    if len(recent) >= settings.ONEVISIT_OTP_DAILY_LIMIT:
        raise ValidationError(
            {
                "phone": _(
                    "This number has asked for %(limit)s codes today, the most allowed. Try again tomorrow "
                    "or call %(hotline)s for help."
                )
                % {"limit": settings.ONEVISIT_OTP_DAILY_LIMIT, "hotline": settings.ONEVISIT_SERVICE_HOTLINE}
            }
        )
    code = f"{secrets.randbelow(10**6):06d}"
    otp = OneTimeCode.objects.create(
        phone_hash=digest,
        purpose=kind,
        code_hash=_seal_code(phone_hash=digest, purpose=kind, code=code),
        sent_at=now,
        expires_at=now + dt.timedelta(seconds=settings.ONEVISIT_OTP_TTL),
    )
    deliver = (
        kind == OtpPurpose.REGISTER
        or ApplicantAccount.objects.filter(phone_hash=digest, user__is_active=True).exists()
    )
    audit_log(
        actor=actor,
        action="otp_sent",
        obj=otp,
        data={"purpose": kind.value, "phone": crypto.mask(number, 3, 4), "delivered": deliver},
    )
    if deliver:
        from .tasks import otp_deliver  # tasks import this module

        text = _(
            "[onevisit] Your verification code is %(code)s, valid for %(minutes)s minutes. "
            "Never tell it to anyone, staff included."
        ) % {"code": code, "minutes": settings.ONEVISIT_OTP_TTL // 60}
        sealed = crypto.encrypt(json.dumps({"phone": number, "text": text}, ensure_ascii=False))
        # The queue holds the phone and code only encrypted; the task backend enqueues on commit.
        otp_deliver.enqueue(code_id=otp.pk, sealed=sealed)
    return otp


def otp_deliver(*, code_id: int, sealed: str) -> bool:
    """Hand the SMS of a code to the backend, unless the code is already used or expired."""
    otp = OneTimeCode.objects.filter(pk=code_id).first()
    if otp is None or otp.used_at is not None or otp.expires_at <= timezone.now():
        return False
    payload = json.loads(crypto.decrypt(sealed))
    sms.get_backend().send(payload["phone"], payload["text"])
    return True


def otp_verify(*, actor: Any, phone: str, purpose: str, code: str) -> OneTimeCode:
    """Check ``code`` against the newest code sent to ``phone`` for ``purpose`` and mark it used.

    Raises ``ValidationError`` with a ``code`` message saying what to do. A wrong code counts as an
    attempt even though the error is raised: the check commits before the error is raised (do not
    call this inside a transaction that a wrong code should roll back).
    """
    number = normalize_phone(phone)
    entered = re.sub(r"\s", "", unicodedata.normalize("NFKC", code or "")[:40])
    if not CODE_PATTERN.fullmatch(entered):
        raise ValidationError({"code": _("Enter the 6-digit code from the text message.")})
    otp, problem = _otp_check(actor=actor, phone=number, purpose=OtpPurpose(purpose), code=entered)
    if otp is None:
        raise ValidationError({"code": problem})
    return otp


@transaction.atomic
def _otp_check(*, actor: Any, phone: str, purpose: OtpPurpose, code: str) -> tuple[OneTimeCode | None, str]:
    digest = crypto.lookup_hash(phone)
    now = timezone.now()
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(phone_hash=digest, purpose=purpose)
        .order_by("-sent_at", "-pk")
        .first()
    )
    max_attempts = settings.ONEVISIT_OTP_MAX_ATTEMPTS
    too_many = _("The code was entered wrongly too many times and no longer works. Get a new code.")
    if otp is None:
        return None, _("Get a verification code first.")
    if otp.used_at is not None:
        return None, _("This code has already been used. Get a new code.")
    if otp.attempts >= max_attempts:
        return None, too_many
    if otp.expires_at <= now:
        return None, _("The code has expired. Get a new code.")
    if not _code_matches(otp, code):
        OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts + 1)
        left = max_attempts - otp.attempts - 1
        audit_log(actor=actor, action="otp_failed", obj=otp, data={"attempts_left": left})
        if left <= 0:
            return None, too_many
        return None, _("The code is not right. Check the text message; you can try %(left)s more times.") % {
            "left": left
        }
    if not OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(used_at=now):
        return None, _("This code has already been used. Get a new code.")  # another request won
    otp.used_at = now
    audit_log(actor=actor, action="otp_verified", obj=otp, data={"purpose": purpose.value})
    return otp, ""


# --- Applicant accounts -------------------------------------------------------------------------


def _normalize_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({"name": _("Enter your name as it is on your ID card.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("A name can have at most %(max)s characters.") % {"max": NAME_MAX_LENGTH}}
        )
    return name


def _collect(errors: dict[str, list[str]], check: Any) -> Any:
    """Run one check; gather its messages so that every problem is reported at once."""
    try:
        return check()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


@transaction.atomic
def applicant_account_open(*, actor: Any, person: Person, phone: str, password_hash: str) -> ApplicantAccount:
    """Open an applicant account (a non-staff user) for ``person`` on an already verified phone.

    Used by self-registration after the SMS check, by the demo loader and, later, by assisted
    registration at a counter (帮办).
    """
    number = normalize_phone(phone)
    digest = crypto.lookup_hash(number)
    if ApplicantAccount.objects.filter(phone_hash=digest).exists():
        raise ValidationError({"phone": _("This phone number already has an account. Log in instead.")})
    if ApplicantAccount.objects.filter(person=person).exists():
        raise ValidationError(
            {
                "id_number": _(
                    "This ID number already has an account. Log in with the phone number you registered."
                )
            }
        )
    user = get_user_model().objects.create(
        username=f"applicant-{secrets.token_hex(10)}", password=password_hash, is_staff=False
    )
    try:
        with transaction.atomic():
            account = ApplicantAccount.objects.create(
                user=user, person=person, phone_encrypted=crypto.encrypt(number), phone_hash=digest
            )
    except IntegrityError as exc:  # a second request for the same phone or person got there first
        raise ValidationError(
            {"phone": _("This phone number already has an account. Log in instead.")}
        ) from exc
    audit_log(actor=actor, action="applicant_account_opened", obj=account, data={"person": person.pk})
    return account


@transaction.atomic
def applicant_register(
    *, actor: Any, phone: str, verification_id: int, name: str, id_number: str, password: str
) -> ApplicantAccount:
    """Self-registration: ``verification_id`` is the register code that ``otp_verify`` accepted for
    ``phone`` within the last 30 minutes. Every problem with the details is reported at once."""
    number = normalize_phone(phone)
    used_after = timezone.now() - REGISTRATION_WINDOW
    verified = OneTimeCode.objects.filter(
        pk=verification_id,
        phone_hash=crypto.lookup_hash(number),
        purpose=OtpPurpose.REGISTER,
        used_at__gt=used_after,
    ).exists()
    if not verified:
        raise ValidationError(
            {"phone": _("Your phone number check has run out of time. Start again and get a new code.")}
        )
    errors: dict[str, list[str]] = {}
    clean_name = _collect(errors, lambda: _normalize_name(name))
    clean_number = _collect(errors, lambda: normalize_id_number(id_number or ""))
    _collect(errors, lambda: _validate_password(password))
    if errors:
        raise ValidationError(errors)
    existing = Person.objects.filter(id_number_hash=crypto.lookup_hash(clean_number)).first()
    if existing is not None and existing.name != clean_name:
        raise ValidationError(
            {"name": _("The name does not match the ID number. Enter both exactly as on your ID card.")}
        )
    person = existing or person_register(actor=actor, name=clean_name, id_number=clean_number, phone=number)
    account = applicant_account_open(
        actor=actor, person=person, phone=number, password_hash=make_password(password)
    )
    audit_log(actor=actor, action="applicant_registered", obj=account, data={"person": person.pk})
    return account


def _validate_password(password: str) -> None:
    if not password:
        raise ValidationError({"password": _("Enter a password.")})
    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


# --- Authorizations (授权委托: 经办人) ----------------------------------------------------------


@transaction.atomic
def authorization_grant(
    *,
    actor: Any,
    grantor: Organization,
    agent: Person,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    item_codes: Sequence[str] | None = None,
) -> Authorization:
    """Record that ``agent`` may act for ``grantor``: for every item (``item_codes`` None) or the listed
    item codes, from ``valid_from`` to ``valid_until`` inclusive (None: no end)."""
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date must be on or after the start date.")})
    codes: list[str] = []
    if item_codes is not None:
        codes = sorted({str(c).strip() for c in item_codes if str(c).strip()})
        if not codes:
            raise ValidationError(
                {"item_codes": _("List at least one service item code, or allow every item.")}
            )
    authorization = Authorization.objects.create(
        grantor=grantor,
        agent=agent,
        scope=AuthorizationScope.ALL if item_codes is None else AuthorizationScope.ITEMS,
        item_codes=codes,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(
        actor=actor,
        action="authorization_granted",
        obj=authorization,
        data={
            "grantor": grantor.pk,
            "agent": agent.pk,
            "scope": authorization.scope,
            "item_codes": codes,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return authorization


@transaction.atomic
def authorization_revoke(*, actor: Any, authorization: Authorization, reason: str = "") -> Authorization:
    """Revoke at once. Revoking an already revoked authorization changes nothing."""
    now = timezone.now()
    reason = reason.strip()[:200]
    changed = Authorization.objects.filter(pk=authorization.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason
    )
    authorization.refresh_from_db()
    if changed:
        audit_log(actor=actor, action="authorization_revoked", obj=authorization, data={"reason": reason})
    return authorization
