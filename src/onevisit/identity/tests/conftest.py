"""Applicant personas and the SMS outbox, shared by the identity and portal tests.

alice and bob are applicants; acme is an organization. The portal tests import these fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.hashers import make_password

from onevisit.identity.models import ApplicantAccount, Organization
from onevisit.identity.services import applicant_account_open, organization_register, person_register
from onevisit.identity.sms import LocmemBackend, SmsMessage

PASSWORD = "correct-horse-9"
ALICE = {"name": "林爱丽", "id_number": "330106199002153619", "phone": "13900000001"}
BOB = {"name": "包博文", "id_number": "330106198511032415", "phone": "13900000002"}
ACME_USCC = "91330106MA2H7K3LXA"


@pytest.fixture
def sms_outbox() -> Iterator[list[SmsMessage]]:
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


def last_code(outbox: list[SmsMessage], phone: str) -> str:
    """The 6-digit code of the newest text message to ``phone``."""
    texts = [m.text for m in outbox if m.phone == phone]
    assert texts, f"no text message to {phone}"
    match = re.search(r"\b(\d{6})\b", texts[-1])
    assert match, texts[-1]
    return match.group(1)


def _open(persona: dict[str, str]) -> ApplicantAccount:
    person = person_register(actor="test", name=persona["name"], id_number=persona["id_number"])
    return applicant_account_open(
        actor="test", person=person, phone=persona["phone"], password_hash=make_password(PASSWORD)
    )


@pytest.fixture
def alice(db) -> ApplicantAccount:
    return _open(ALICE)


@pytest.fixture
def bob(db) -> ApplicantAccount:
    return _open(BOB)


@pytest.fixture
def acme(db) -> Organization:
    return organization_register(actor="test", name="杭州西溪云栖科技有限公司", uscc_code=ACME_USCC)


@pytest.fixture
def send_code(sms_outbox: list[SmsMessage], django_capture_on_commit_callbacks) -> Callable[..., str]:
    """Send a code through the service (SMS after commit) and return what the text message says."""
    from onevisit.identity.services import otp_send

    def send(phone: str, purpose: str = "register") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            otp_send(actor="test", phone=phone, purpose=purpose)
        return last_code(sms_outbox, phone)

    return send
