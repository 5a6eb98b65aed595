"""Machine clients: a token of 市场监管 with every scope, one of 公安, and an accepted two-step case
(市场监管 reviews, then 公安 checks)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from onevisit.cases import services as case_services
from onevisit.cases.tests.conftest import (  # noqa: F401 - shared fixtures
    MONDAY,
    alice,
    file_case,
    pdf,
    two_step_item,
)
from onevisit.org.models import ServiceToken
from onevisit.org.services import service_token_create

ALL = [s.value for s in ServiceToken.Scope]


def client_for(key):
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def make_token(departments):
    def make(dept="scjg", scopes=ALL, expires_at=None):
        return service_token_create(
            actor="t",
            department=departments[dept],
            name=f"{dept} 审批系统",
            scopes=scopes,
            expires_at=expires_at,
        )

    return make


@pytest.fixture
def scjg_key(make_token):
    return make_token()[1]


@pytest.fixture
def ga_key(make_token):
    return make_token("ga")[1]


@pytest.fixture
def accepted(two_step_item, alice, file_case):  # noqa: F811 - fixtures imported above
    case = file_case(two_step_item, alice)
    return case_services.case_accept(actor="t", case=case, on=MONDAY)


def first_item(case):
    from onevisit.workflow.models import WorkItem

    return WorkItem.objects.filter(instance=case.process_instance).order_by("pk").first()


LATER = dt.timedelta(days=30)
