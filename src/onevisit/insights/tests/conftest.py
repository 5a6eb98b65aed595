"""A small, hand-computed history of cases (March 2026, Asia/Shanghai; no holidays in March).

Cases (item, channel, filed, accepted, ended, status, visits, promised due, suspended days):
  c1  A online  03-02 03-02 03-06 approved  0  03-09  0   rules decided it (秒批)
  c2  A mobile  03-03 03-03 03-13 approved  1  03-10  2   decided by a person
  c3  B counter 03-04 03-04 03-04 approved  1  03-04  0   (B: 即办件, 公安局)
  c4  B counter 03-05 03-05 03-09 rejected  2  03-05  0
  c5  A online  03-10   -   03-11 withdrawn 0    -    0
  c6  A online  03-20 03-20   -   accepted  0    -    0   (open)
  c7  C online  03-02 03-02 03-03 approved  0  03-05  0   (C: 宁波市 330200)
  c8  A online  02-27 03-02 03-02 approved  0  03-04  0   filed in February, decision without trace
  c9  A online    -     -     -   waiting   0            (bundle child not filed: never counted)
  c10 A online  03-30 03-31 04-02 approved  0  04-03  0
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import bpmn
from onevisit.cases.models import Case, Decision, SuppliedMaterial
from onevisit.cases.tests.conftest import alice  # noqa: F401
from onevisit.catalog.models import RuleDefinition, ServiceItem
from onevisit.exchange.models import DataAccess, DataResource, SharingAgreement
from onevisit.org.models import Department, Region

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


@pytest.fixture
def history(make_item, departments, alice, django_user_model):  # noqa: F811
    item_a = make_item(code="A", name="事项甲", statutory=20, promised=5)
    make_item(
        code="B", name="事项乙", kind="immediate", statutory=10, promised=0,
        process=bpmn({"330100-SCJG": [("accept", "受理", 0), ("review", "审查", 0)]}),
    )  # fmt: skip
    make_item(code="C", name="事项丙", statutory=3, promised=1)
    ServiceItem.objects.filter(code="B").update(department=departments["ga"])
    ningbo = Region.objects.create(
        code="330200", name="宁波市", level=3, parent=Region.objects.get(code="330000")
    )
    nb_dept = Department.objects.create(code="330200-SCJG", name="宁波市场监管局", region=ningbo)
    ServiceItem.objects.filter(code="C").update(department=nb_dept)
    departments["nb"] = nb_dept
    RuleDefinition.objects.create(version=item_a.current_version, dmn_xml="<definitions/>", decision_id="d")
    officer = django_user_model.objects.create_user("officer_x", password="pw-123456!")

    def case(key, item, channel, filed, accepted, ended, status, visits=0, due=None, suspended=0, dept=None):
        return Case.objects.create(
            number=f"N-{key}",
            item_version=item.current_version,
            department=dept or item.department,
            applicant_person=alice,
            channel=channel,
            status=status,
            submitted_at=at(*filed) if filed else None,
            accepted_on=d(*accepted) if accepted else None,
            decided_at=at(*ended, 15) if ended else None,
            promised_due=d(*due) if due else None,
            visits=visits,
            suspended_days=suspended,
        )

    S = Case.Status
    a, b, c = (ServiceItem.objects.get(code=x) for x in "ABC")
    cases = {
        "c1": case(1, a, "online", (3, 2), (3, 2), (3, 6), S.APPROVED, 0, (3, 9)),
        "c2": case(2, a, "mobile", (3, 3), (3, 3), (3, 13), S.APPROVED, 1, (3, 10), 2),
        "c3": case(3, b, "counter", (3, 4), (3, 4), (3, 4), S.APPROVED, 1, (3, 4)),
        "c4": case(4, b, "counter", (3, 5), (3, 5), (3, 9), S.REJECTED, 2, (3, 5)),
        "c5": case(5, a, "online", (3, 10), None, (3, 11), S.WITHDRAWN),
        "c6": case(6, a, "online", (3, 20), (3, 20), None, S.ACCEPTED),
        "c7": case(7, c, "online", (3, 2), (3, 2), (3, 3), S.APPROVED, 0, (3, 5)),
        "c8": case(8, a, "online", (2, 27), (3, 2), (3, 2), S.APPROVED, 0, (3, 4)),
        "c9": case(9, a, "online", None, None, None, S.WAITING),
        "c10": case(10, a, "online", (3, 30), (3, 31), (4, 2), S.APPROVED, 0, (4, 3)),
    }
    Decision.objects.create(case=cases["c1"], outcome="approve", rule_trace={"rule": 1})
    Decision.objects.create(case=cases["c2"], outcome="approve", decided_by=officer, rule_trace={"rule": 2})
    Decision.objects.create(case=cases["c8"], outcome="approve")
    version = a.current_version
    applicant_id, lease = version.materials.get(code="applicant-id"), version.materials.get(code="lease")
    for key, requirement, source in [
        ("c1", applicant_id, "shared_data"),
        ("c1", lease, "upload"),
        ("c2", applicant_id, "certificate"),
        ("c2", lease, "paper"),
        ("c6", applicant_id, "upload"),
        ("c8", applicant_id, "shared_data"),
    ]:
        SuppliedMaterial.objects.create(case=cases[key], requirement=requirement, source=source)
    resource = DataResource.objects.get(code="household-register")
    agreement = SharingAgreement.objects.create(
        resource=resource, consumer=departments["scjg"], purpose="审批", valid_from=d(1, 1)
    )
    for when, agreed, dept in [
        (at(3, 5), agreement, departments["scjg"]),
        (at(3, 6), agreement, departments["ga"]),
        (at(3, 7), None, departments["scjg"]),
        (at(4, 7), agreement, departments["scjg"]),
    ]:
        access = DataAccess.objects.create(
            kind="shared_data",
            agreement=agreement if agreed else None,
            department=dept,
            purpose="审批",
            case_ref="N-1",
        )
        DataAccess.objects.filter(pk=access.pk).update(at=when)
    return {"cases": cases, "items": {"A": a, "B": b, "C": c}, "departments": departments}
