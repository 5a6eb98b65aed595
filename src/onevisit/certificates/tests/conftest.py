"""Certificate fixtures: the demo certificate types, personas (alice, bob, the organization acme) and
a helper that issues a certificate through the service.

Keys and files are made in temporary folders by the root ``signing_keys`` fixture."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from onevisit.certificates.models import Certificate
from onevisit.certificates.services import certificate_issue
from onevisit.demo.loader import load_certificate_types
from onevisit.identity.tests.conftest import acme, alice, bob, sms_outbox  # noqa: F401

SENIOR = {
    "name": "林爱丽",
    "gender": "女",
    "birth_date": "1950年2月15日",
    "id_number": "330106199002153619",
    "residence": "浙江省杭州市西湖区北山街道",
}
LICENCE = {
    "uscc": "91330106MA2H7K3LXA",
    "name": "杭州西溪云栖科技有限公司",
    "entity_type": "有限责任公司（自然人投资或控股）",
    "legal_representative": "李娜",
    "registered_capital": "伍佰万元整",
    "established_on": "2021年4月16日",
    "business_term": "2021年4月16日至长期",
    "address": "浙江省杭州市西湖区文二西路1号",
    "business_scope": "技术服务、技术开发",
}


@pytest.fixture(autouse=True)
def _types(db):
    load_certificate_types()


@pytest.fixture
def issue(departments) -> Callable[..., Certificate]:
    """Issue a certificate: the senior card of a person, or a business licence of an organization."""
    counter = iter(range(1, 10_000))

    def make(*, person: Any = None, org: Any = None, **kwargs: Any) -> Certificate:
        if org is not None:
            defaults: dict[str, Any] = {
                "type_code": "business_licence",
                "data": dict(LICENCE),
                "issuer": departments["scjg"],
            }
        else:
            defaults = {"type_code": "senior_card", "data": dict(SENIOR), "issuer": departments["ga"]}
        defaults["case_number"] = f"330100202611260{next(counter):04d}"
        defaults.update(kwargs)
        return certificate_issue(actor="test", holder_person=person, holder_org=org, **defaults)

    return make


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
