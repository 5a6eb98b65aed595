"""Writes of applicants. ID numbers are validated (GB 11643 / GB 32100) before they are stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.org.models import Region

from .models import Organization, Person


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
