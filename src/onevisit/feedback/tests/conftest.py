import datetime as dt

import pytest
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.cases.tests.conftest import (  # noqa: F401
    FORM,
    _staff,
    alice,
    bob,
    file_case,
    officer_ga,
    officer_scjg,
    pdf,
    two_step_item,
)
from onevisit.org.models import Region, ServiceCenter, Window


@pytest.fixture
def finished(two_step_item, file_case):  # noqa: F811
    """A case of ``person`` filed and decided ``days_ago`` days ago (approved by default)."""

    def make(person, days_ago=1, status=Case.Status.APPROVED):
        case = file_case(two_step_item, person)
        Case.objects.filter(pk=case.pk).update(
            status=status, decided_at=timezone.now() - dt.timedelta(days=days_ago)
        )
        return Case.objects.get(pk=case.pk)

    return make


@pytest.fixture
def supervisor(django_user_model, departments):
    """Supervisor of 杭州市 (the region of both departments)."""
    zwfw = departments["scjg"].region.departments.create(code="330100-ZWFW", name="政务服务中心")
    departments["zwfw"] = zwfw
    user = django_user_model.objects.create_user("supervisor", password="pw-123456!", is_staff=True)
    from onevisit.org.services import staff_role_grant

    staff_role_grant(actor="t", user=user, department=zwfw, role="supervisor")
    return user


@pytest.fixture
def other_supervisor(django_user_model, departments):
    """Supervisor of another city (宁波): sees nothing of 杭州."""
    ningbo = Region.objects.create(
        code="330200", name="宁波市", level=3, parent=Region.objects.get(code="330000")
    )
    dept = ningbo.departments.create(code="330200-ZWFW", name="政务服务中心")
    user = django_user_model.objects.create_user("supervisor_nb", password="pw-123456!", is_staff=True)
    from onevisit.org.services import staff_role_grant

    staff_role_grant(actor="t", user=user, department=dept, role="supervisor")
    return user


@pytest.fixture
def window(departments):
    center = ServiceCenter.objects.create(
        code="HZ",
        name="杭州市民之家",
        region=departments["scjg"].region,
        address="解放东路18号",
        hours="9-17",
    )
    window = Window.objects.create(center=center, number="A01", name="综合窗口")
    window.departments.add(departments["scjg"])
    return window


@pytest.fixture
def clerk(django_user_model, departments, window):
    user = django_user_model.objects.create_user("clerk", password="pw-123456!", is_staff=True)
    from onevisit.org.services import staff_role_grant

    staff_role_grant(actor="t", user=user, department=departments["scjg"], role="clerk", center=window.center)
    return user
