"""Personas: two officers of the market regulator (alice, bob), one of the police (carol)."""

import datetime as dt
from pathlib import Path

import pytest

from conftest import bpmn
from onevisit.org.models import Department, Role
from onevisit.org.services import staff_role_grant
from onevisit.workflow.services import process_start

D = dt.date.fromisoformat
DEMO_PROCESSES = Path(__file__).resolve().parents[2] / "demo" / "data" / "processes"


def _officer(django_user_model, username, department, role=Role.OFFICER):
    user = django_user_model.objects.create_user(username, password="pw-123456!")
    staff_role_grant(actor="test", user=user, department=department, role=role)
    return user


@pytest.fixture
def alice(django_user_model, departments):
    return _officer(django_user_model, "alice", departments["scjg"])


@pytest.fixture
def bob(django_user_model, departments):
    return _officer(django_user_model, "bob", departments["scjg"])


@pytest.fixture
def carol(django_user_model, departments):
    return _officer(django_user_model, "carol", departments["ga"])


@pytest.fixture
def linear_xml():
    """受理 (same day) → 审查 (2 working days) at the market regulator → 核查 (3) at the police."""
    return bpmn(
        {"330100-SCJG": [("accept", "受理", 0), ("review", "审查", 2)], "330100-GA": [("check", "核查", 3)]}
    )


@pytest.fixture
def start_linear(linear_xml, alice):
    def start(started_on=D("2024-03-04"), data=None):
        return process_start(
            actor=alice, bpmn_xml=linear_xml, data=data or {"applicant": "张三"}, started_on=started_on
        )

    return start


@pytest.fixture
def property_departments(region):
    """The lanes of the demo 不动产转移登记 process, which splits into two parallel branches."""
    return {
        "bdc": Department.objects.create(code="330100-BDC", name="不动产登记中心", region=region),
        "sw": Department.objects.create(code="330100-SW", name="税务局", region=region),
    }


@pytest.fixture
def property_xml():
    return (DEMO_PROCESSES / "330100-BDC-001.bpmn").read_text(encoding="utf-8")
