"""Writes of certificates: issue (numbered, rendered, PAdES- and SM2-signed), revoke, expire, and the
holder's share links (授权用证) with their use log.

Every function runs in one transaction with its audit event. Issuing locks the holder's row, so two
issuances for one holder take turns: one case gets one certificate of a type, and a holder never
has two valid certificates of one series.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.identity.models import ApplicantAccount, Organization, Person
from onevisit.identity.selectors import organizations_for
from onevisit.org.models import Department

from . import signing
from .document import certificate_pdf
from .models import (
    Certificate,
    CertificateCounter,
    CertificateStatus,
    CertificateType,
    ShareLink,
    ShareUse,
)
from .numbers import number_make

SYSTEM = "system"
MAX_VALUE_LENGTH = 2000
REASON_MAX = 500
PURPOSE_MAX = 200
RECIPIENT_MAX = 100
TOKEN_BYTES = 24


class CertificateStateError(ValidationError):
    """The certificate is not in a state that allows the operation (e.g. already revoked)."""


class ShareLinkError(ValidationError):
    """A share link that cannot be opened: unknown, expired or revoked (``code`` says which)."""


# --- helpers ---------------------------------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity_of(ctype: CertificateType, valid_from: dt.date) -> dt.date | None:
    """Last day of validity: N years from the first day, minus one day; None for long-term."""
    if not ctype.validity_years:
        return None
    return _add_years(valid_from, ctype.validity_years) - dt.timedelta(days=1)


def _clean_data(ctype: CertificateType, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError({"data": _("The certificate data must be an object of named values.")})
    keys = ctype.field_keys
    required = [f["key"] for f in ctype.fields if f.get("required", True)]
    missing = [k for k in required if data.get(k) in (None, "")]
    unknown = sorted(str(k) for k in data if k not in keys)
    problems: list[str] = []
    if missing:
        problems.append(
            _("The data of a %(type)s lacks: %(keys)s.") % {"type": ctype.name, "keys": ", ".join(missing)}
        )
    if unknown:
        problems.append(
            _("A %(type)s has no field named: %(keys)s.") % {"type": ctype.name, "keys": ", ".join(unknown)}
        )
    cleaned: dict[str, Any] = {}
    for key in keys:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str | int | float | bool):
            problems.append(_("The value of %(key)s must be text, a number or yes/no.") % {"key": key})
        elif isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            problems.append(
                _("The value of %(key)s is longer than %(limit)s characters.")
                % {"key": key, "limit": MAX_VALUE_LENGTH}
            )
        else:
            cleaned[key] = value.strip() if isinstance(value, str) else value
    if problems:
        raise ValidationError({"data": problems})
    return cleaned


def _series(ctype: CertificateType, data: dict[str, Any]) -> str:
    if not ctype.distinct_by:
        return ""
    values = json.dumps([str(data.get(k, "")) for k in ctype.distinct_by], ensure_ascii=False)
    return crypto.lookup_hash(values)


def _number_next(*, issuer: Department, ctype: CertificateType, year: int) -> str:
    """Unique under concurrency (the counter row is locked); gaps appear when an issuance rolls back."""
    region = issuer.region.code[:6]
    prefix = f"{region}{ctype.abbreviation}{year:04d}"
    counter, _created = CertificateCounter.objects.select_for_update().get_or_create(prefix=prefix)
    CertificateCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return number_make(region_code=region, abbreviation=ctype.abbreviation, year=year, sequence=counter.last)


def holder_identifier(certificate: Certificate) -> dict[str, str]:
    if certificate.holder_org is not None:
        return {"kind": "organization", "id": crypto.decrypt(certificate.holder_org.uscc_encrypted)}
    person = certificate.holder_person
    assert person is not None
    return {"kind": "person", "id": crypto.decrypt(person.id_number_encrypted)}


def canonical_data(certificate: Certificate) -> bytes:
    """What the SM2 signature covers: sorted-key JSON (UTF-8, no spaces) of the number, type, holder
    (kind and ID number / USCC), data, issuer, validity and whether it is provisional."""
    payload = {
        "number": certificate.number,
        "type": certificate.type.code,
        "holder": holder_identifier(certificate),
        "data": certificate.data,
        "issuer": certificate.issuer.code,
        "valid_from": certificate.valid_from.isoformat(),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
        "provisional": certificate.provisional,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def verify_url(number: str) -> str:
    """The absolute address of the public verification page of ``number`` (printed as the QR code)."""
    path = reverse("portal:certificate_verify_number", args=[number])
    return settings.ONEVISIT_SITE_URL.rstrip("/") + path


def _lock_holder(person: Person | None, org: Organization | None) -> None:
    if person is not None:
        Person.objects.select_for_update().filter(pk=person.pk).first()
    elif org is not None:
        Organization.objects.select_for_update().filter(pk=org.pk).first()


def _sign_and_store(certificate: Certificate) -> None:
    keys = signing.department_keys(certificate.issuer)
    certificate.sm2_public_key = keys.sm2_public
    certificate.sm2_signature = signing.sm2_sign(
        canonical_data(certificate), private_key=keys.sm2_private, public_key=keys.sm2_public
    )
    with translation.override("zh-hans"):
        unsigned = certificate_pdf(certificate, verify_url=verify_url(certificate.number))
    signed = signing.pades_sign(
        unsigned, keys, reason=f"签发电子证照 {certificate.number}", location=certificate.issuer.full_name
    )
    certificate.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    certificate.signer_fingerprint = keys.fingerprint
    certificate.pdf.save(f"{certificate.number}-{uuid.uuid4().hex[:8]}.pdf", ContentFile(signed), save=False)


# --- issue, revoke, expire -------------------------------------------------------------------------


@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    type_code: str,
    data: dict[str, Any],
    issuer: Department,
    case_number: str,
    holder_person: Person | None = None,
    holder_org: Organization | None = None,
    valid_from: dt.date | None = None,
    provisional: bool = False,
) -> Certificate:
    """Issue a certificate of type ``type_code`` to exactly one holder, numbered, signed and stored.

    Idempotent per (case_number, type): calling again for the same case returns the certificate
    issued the first time, unchanged. The holder's valid certificate of the same series (same type,
    same ``distinct_by`` values) becomes superseded by the new one. Raises ``ValidationError`` for
    bad input and ``signing.SigningKeyMissing`` when the issuer has no key.
    """
    if (holder_person is None) == (holder_org is None):
        raise ValidationError(_("A certificate has exactly one holder: a person or an organization."))
    ctype = CertificateType.objects.filter(code=type_code, active=True).first()
    if ctype is None:
        raise ValidationError(
            {"type_code": _("There is no active certificate type %(code)s.") % {"code": type_code}}
        )
    case_number = (case_number or "").strip()
    if len(case_number) > 40:
        raise ValidationError({"case_number": _("A case number has at most 40 characters.")})
    cleaned = _clean_data(ctype, data)
    _lock_holder(holder_person, holder_org)
    if case_number:
        existing = Certificate.objects.filter(case_number=case_number, type=ctype).first()
        if existing is not None:
            return existing
    now = timezone.now()
    start = valid_from or timezone.localdate()
    series = _series(ctype, cleaned)
    holder_filter = Q(holder_person=holder_person) if holder_person else Q(holder_org=holder_org)
    previous = (
        Certificate.objects.select_for_update()
        .filter(holder_filter, type=ctype, series=series, status=CertificateStatus.VALID)
        .first()
    )
    if previous is not None:
        Certificate.objects.filter(pk=previous.pk).update(status=CertificateStatus.SUPERSEDED)
    certificate = Certificate(
        number=_number_next(issuer=issuer, ctype=ctype, year=timezone.localdate(now).year),
        type=ctype,
        holder_person=holder_person,
        holder_org=holder_org,
        data=cleaned,
        series=series,
        issuer=issuer,
        issued_at=now,
        valid_from=start,
        valid_until=validity_of(ctype, start),
        provisional=provisional,
        supersedes=previous,
        case_number=case_number,
    )
    _sign_and_store(certificate)
    certificate.save()
    audit_log(
        actor=actor,
        action="certificate_issued",
        obj=certificate,
        data={
            "number": certificate.number,
            "type": ctype.code,
            "issuer": issuer.code,
            "case_number": case_number,
            "provisional": provisional,
            "supersedes": previous.number if previous else None,
            "pdf_sha256": certificate.pdf_sha256,
        },
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """注销: the certificate stops being valid at once, for the reason given (shown to whoever checks it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for the revocation; it is shown when the certificate is checked.")}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason to at most %(limit)s characters.") % {"limit": REASON_MAX}}
        )
    now = timezone.now()
    updated = (
        Certificate.objects.filter(pk=certificate.pk)
        .exclude(status=CertificateStatus.REVOKED)
        .update(status=CertificateStatus.REVOKED, revoked_at=now, revoked_reason=reason)
    )
    if not updated:
        raise CertificateStateError(_("This certificate is already revoked."))
    certificate.refresh_from_db()
    audit_log(
        actor=actor,
        action="certificate_revoked",
        obj=certificate,
        data={"number": certificate.number, "reason": reason},
    )
    return certificate


@transaction.atomic
def certificates_expire(*, today: dt.date | None = None) -> int:
    """Mark every valid certificate whose last day is before ``today`` as expired (the daily sweep).
    Idempotent; returns how many changed."""
    today = today or timezone.localdate()
    due = list(
        Certificate.objects.select_for_update()
        .filter(status=CertificateStatus.VALID, valid_until__lt=today)
        .values_list("pk", "number")[:5000]
    )
    if not due:
        return 0
    count = Certificate.objects.filter(pk__in=[pk for pk, _n in due], status=CertificateStatus.VALID).update(
        status=CertificateStatus.EXPIRED
    )
    audit_log(
        actor=SYSTEM,
        action="certificates_expired",
        object_type="certificates.certificate",
        object_id=",".join(str(pk) for pk, _n in due)[:200],
        data={"on": today.isoformat(), "count": count, "numbers": [n for _pk, n in due]},
    )
    return count


# --- share links (授权用证) ------------------------------------------------------------------------


def may_act_for_holder(person: Person, certificate: Certificate, *, on: dt.date | None = None) -> bool:
    """The holder themselves, or an agent (经办人) of the holder organization with an authorization in force."""
    if certificate.holder_person_id is not None:
        return certificate.holder_person_id == person.pk
    if certificate.holder_org_id is None:
        return False
    return organizations_for(person, on=on).filter(pk=certificate.holder_org_id).exists()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_text(value: str, *, field: str, limit: int, required: str = "") -> str:
    """Whitespace folded; ``required`` is the message when it is empty (empty: optional)."""
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError({field: _("Keep this to at most %(limit)s characters.") % {"limit": limit}})
    return text


@transaction.atomic
def share_create(
    *,
    actor_account: ApplicantAccount,
    certificate: Certificate,
    purpose: str,
    days: int,
    recipient: str = "",
) -> tuple[ShareLink, str]:
    """A link that lets a third party see ``certificate`` for ``days`` days (1 to the setting's
    maximum); returns the link and its raw token, which is never stored and cannot be shown again."""
    if not may_act_for_holder(actor_account.person, certificate):
        raise ValidationError(
            _("Only the holder, or an agent of the holder organization, may share this certificate.")
        )
    errors: dict[str, list[str]] = {}
    try:
        purpose = _clean_text(
            purpose,
            field="purpose",
            limit=PURPOSE_MAX,
            required=_("Say what the link is for, e.g. 办理银行开户."),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        recipient = _clean_text(recipient, field="recipient", limit=RECIPIENT_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    limit = settings.ONEVISIT_SHARE_MAX_DAYS
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= limit:
        errors["days"] = [_("Choose from 1 to %(limit)s days.") % {"limit": limit}]
    if certificate.status_on() != CertificateStatus.VALID:
        errors.setdefault("__all__", []).append(_("Only a valid certificate can be shared."))
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink.objects.create(
        certificate=certificate,
        token_hash=token_hash(token),
        purpose=purpose,
        recipient=recipient,
        created_by=actor_account,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_log(
        actor=actor_account.user,
        action="certificate_shared",
        obj=link,
        data={"number": certificate.number, "purpose": purpose, "days": days},
    )
    return link, token


@transaction.atomic
def share_revoke(*, actor_account: ApplicantAccount, link: ShareLink) -> ShareLink:
    if not may_act_for_holder(actor_account.person, link.certificate):
        raise ValidationError(
            _("Only the holder, or an agent of the holder organization, may stop this link.")
        )
    updated = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    if updated:
        audit_log(
            actor=actor_account.user,
            action="certificate_share_revoked",
            obj=link,
            data={"number": link.certificate.number},
        )
    return link


def shorten_ip(value: str) -> str:
    """The network, not the machine: IPv4 to /24, IPv6 to /48 (enough for the holder to recognise it)."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return str(network)


@transaction.atomic
def share_use(*, token: str, ip: str, user_agent: str, action: str = ShareUse.Action.VIEW) -> ShareLink:
    """Open a share link: logs the use and returns the link (its certificate is the one shared)."""
    link = None
    if token and len(token) <= 100:
        link = (
            ShareLink.objects.select_related("certificate__type", "certificate__issuer__region")
            .filter(token_hash=token_hash(token))
            .first()
        )
    if link is None:
        raise ShareLinkError(_("This link does not exist. Check that it was copied whole."), code="unknown")
    if link.revoked_at is not None:
        raise ShareLinkError(_("The holder has stopped this link. Ask them for a new one."), code="revoked")
    if not link.is_active():
        raise ShareLinkError(_("This link has expired. Ask the holder for a new one."), code="expired")
    use = ShareUse.objects.create(
        link=link,
        action=ShareUse.Action(action),
        ip=shorten_ip(ip),
        user_agent=" ".join((user_agent or "").split())[:300],
    )
    audit_log(
        actor="share-link",
        action="certificate_share_used",
        obj=use,
        data={"number": link.certificate.number, "link": link.pk, "action": use.action},
    )
    return link


def share_open(*, token: str, ip: str, user_agent: str, action: str = ShareUse.Action.VIEW) -> Certificate:
    """Open a share link, logging the use; the certificate shared. Raises :class:`ShareLinkError`."""
    return share_use(token=token, ip=ip, user_agent=user_agent, action=action).certificate
