"""Reads of certificates: a holder's wallet, the valid certificate of a type (免提交, 秒批), lookup by
number (the check character is tested first), and the checks the verification page shows."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from onevisit.identity.models import Organization, Person
from onevisit.identity.selectors import organizations_for

from . import signing
from .models import Certificate, CertificateStatus, ShareLink
from .numbers import number_normalize
from .services import canonical_data


def _holder_q(person: Person | None, org: Organization | None) -> Q:
    if (person is None) == (org is None):
        raise ValueError("name exactly one holder: person or org")
    return Q(holder_person=person) if person is not None else Q(holder_org=org)


def _related(queryset: QuerySet[Certificate]) -> QuerySet[Certificate]:
    return queryset.select_related("type", "issuer__region", "holder_person", "holder_org", "superseded_by")


def certificates_of_holder(
    *, person: Person | None = None, org: Organization | None = None
) -> QuerySet[Certificate]:
    """Every certificate of one holder (a person's own, not those of organizations), newest first."""
    return _related(Certificate.objects.filter(_holder_q(person, org))).order_by("-issued_at", "-pk")


def certificate_valid_for(
    *,
    type_code: str,
    person: Person | None = None,
    org: Organization | None = None,
    on: dt.date | None = None,
    allow_provisional: bool = True,
) -> Certificate | None:
    """The holder's current certificate of a type: valid, in its validity period on ``on`` (today by
    default), newest first; None when there is none."""
    day = on or timezone.localdate()
    queryset = Certificate.objects.filter(
        _holder_q(person, org), type__code=type_code, status=CertificateStatus.VALID, valid_from__lte=day
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    if not allow_provisional:
        queryset = queryset.filter(provisional=False)
    return _related(queryset).order_by("-issued_at", "-pk").first()


def certificate_by_number(number: str) -> Certificate | None:
    """The certificate with this number, or None — also for a malformed number or a wrong check
    character, which never reach the database (use ``numbers.number_normalize`` for the reason)."""
    try:
        value = number_normalize(number)
    except ValidationError:
        return None
    return _related(Certificate.objects.filter(number=value)).first()


@dataclass(frozen=True)
class CertificateCheck:
    status: str  # valid / revoked / expired / superseded
    pdf_signature_ok: bool  # the stored PDF is the one issued and its PAdES signature chains to the CA
    sm2_ok: bool  # the SM2 signature over the canonical data verifies with a key of the issuer


def pdf_bytes(certificate: Certificate) -> bytes | None:
    if not certificate.pdf:
        return None
    try:
        with certificate.pdf.open("rb") as handle:
            return bytes(handle.read())
    except OSError:
        return None


def certificate_check(certificate: Certificate, *, on: dt.date | None = None) -> CertificateCheck:
    data = pdf_bytes(certificate)
    pdf_ok = (
        data is not None
        and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
        and signing.pades_verify(data)
    )
    trusted = certificate.sm2_public_key in signing.sm2_trusted_keys(certificate.issuer.code)
    sm2_ok = trusted and signing.sm2_verify(
        canonical_data(certificate), certificate.sm2_signature, certificate.sm2_public_key
    )
    return CertificateCheck(status=certificate.status_on(on), pdf_signature_ok=bool(pdf_ok), sm2_ok=sm2_ok)


# --- the applicant's view (wallet) -------------------------------------------------------------------


def certificates_visible_to(person: Person) -> QuerySet[Certificate]:
    """The person's own certificates and those of the organizations they act for today (经办人)."""
    orgs = organizations_for(person).values("pk")
    return _related(Certificate.objects.filter(Q(holder_person=person) | Q(holder_org__in=orgs))).order_by(
        "-issued_at", "-pk"
    )


def certificate_for_applicant(*, person: Person, number: str) -> Certificate | None:
    """One certificate the person may open (own or of an organization they act for); None otherwise."""
    try:
        value = number_normalize(number)
    except ValidationError:
        return None
    return certificates_visible_to(person).filter(number=value).first()


def share_links_of(certificate: Certificate) -> QuerySet[ShareLink]:
    return certificate.share_links.select_related("created_by__person").prefetch_related("uses")
