"""督办单: issued by a supervisor of the region only, replied once by the department, late replies
marked, closed orders take no reply; and the efficiency score, computed by hand."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onevisit.core.audit import audit_verify
from onevisit.core.calendar import add_working_days
from onevisit.core.models import AuditEvent
from onevisit.supervision import orders, score
from onevisit.supervision.alarms import alarms_sweep
from onevisit.supervision.models import Alarm, SupervisionOrder

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
LATE = dt.date(2026, 4, 30)


@pytest.fixture
def carded(accepted, alice):
    """A case of 市场监管 with its cards raised (case promised, statutory, and the step)."""
    case = accepted(alice, MONDAY)
    alarms_sweep(today=LATE)
    return case


def issue(supervisor, about, **kwargs):
    values = {
        "department": about.department,
        "message": "请说明超期原因并限期办结",
        "reply_days": 3,
        "case": about,
    }
    return orders.order_issue(actor=supervisor, **{"today": MONDAY, **values, **kwargs})


def test_a_supervisor_issues_an_order_about_a_card_with_a_reply_date_in_working_days(carded, supervisor):
    card = Alarm.objects.get(case=carded, kind=Alarm.Kind.CASE_STATUTORY)
    order = issue(supervisor, carded, alarm=card, case=None)
    assert order.case == carded and order.alarm == card and order.status == "open"
    assert order.reply_due == add_working_days(MONDAY, 3) == dt.date(2026, 3, 5)
    assert carded.events.filter(kind="supervision_order", public=False).exists()
    assert AuditEvent.objects.filter(action="supervision_order_issued", object_id=str(order.pk)).exists()
    assert audit_verify()[1] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"reply_days": 0}, "reply_days"),
        ({"reply_days": 31}, "reply_days"),
        ({"reply_days": None}, "reply_days"),
        ({"reply_days": "3"}, "reply_days"),
        ({"case": None}, "case"),
    ],
)
def test_a_wrong_order_says_why_and_nothing_is_issued(carded, supervisor, changes, field):
    with pytest.raises(ValidationError) as info:
        issue(supervisor, carded, **changes)
    assert field in info.value.message_dict
    assert not SupervisionOrder.objects.exists()


def test_an_order_about_another_departments_card_or_case_is_refused(carded, supervisor, departments):
    card = Alarm.objects.get(case=carded, kind=Alarm.Kind.CASE_DUE)
    with pytest.raises(ValidationError) as info:
        issue(supervisor, carded, department=departments["ga"], alarm=card)
    assert "alarm" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        # 公安 has a step in this case's process, but not yet: the first step is 市场监管's.
        issue(supervisor, carded, department=departments["ga"])
    assert "case" in info.value.message_dict
    assert not SupervisionOrder.objects.exists()


def test_only_a_supervisor_of_the_region_issues(carded, officer_scjg, ningbo_supervisor):
    for actor in (officer_scjg, ningbo_supervisor):
        with pytest.raises(PermissionDenied):
            issue(actor, carded)
    assert not SupervisionOrder.objects.exists()


def test_the_department_replies_once_on_time(carded, supervisor, officer_scjg):
    order = issue(supervisor, carded)
    order = orders.order_reply(
        actor=officer_scjg, order=order, reply="已加派人手，3月6日前办结", today=dt.date(2026, 3, 5)
    )
    assert order.status == "answered" and not order.late and order.replied_by == officer_scjg
    with pytest.raises(ValidationError) as info:
        orders.order_reply(actor=officer_scjg, order=order, reply="再说一次", today=dt.date(2026, 3, 5))
    assert "already answered" in str(info.value) or "已于" in str(info.value)
    order.refresh_from_db()
    assert order.reply == "已加派人手，3月6日前办结"


def test_a_reply_after_the_date_is_late(carded, supervisor, officer_scjg):
    order = issue(supervisor, carded)
    order = orders.order_reply(actor=officer_scjg, order=order, reply="已办结", today=dt.date(2026, 3, 6))
    assert order.late and order.replied_on == dt.date(2026, 3, 6)
    assert carded.events.filter(kind="supervision_reply").count() == 1


def test_a_closed_order_takes_no_reply(carded, supervisor, officer_scjg):
    order = orders.order_close(actor=supervisor, order=issue(supervisor, carded))
    with pytest.raises(ValidationError) as info:
        orders.order_reply(actor=officer_scjg, order=order, reply="迟到的答复")
    assert info.value.messages == ["该督办单已关闭，不再接受答复。"]
    order.refresh_from_db()
    assert order.reply == "" and order.replied_at is None and order.status == "closed"
    with pytest.raises(ValidationError):
        orders.order_close(actor=supervisor, order=order)


def test_only_the_department_replies_and_an_empty_reply_is_refused(carded, supervisor, officer_ga):
    order = issue(supervisor, carded)
    with pytest.raises(PermissionDenied):
        orders.order_reply(actor=officer_ga, order=order, reply="不是我们的")
    with pytest.raises(PermissionDenied):
        orders.order_reply(actor=supervisor, order=order, reply="督查自己答复")
    order.refresh_from_db()
    assert order.status == "open" and order.reply == ""


def test_the_score_is_the_formula_over_the_period(
    accepted, alice, bob, supervisor, officer_scjg, departments
):
    first, second = accepted(alice, MONDAY), accepted(bob, MONDAY)
    alarms_sweep(today=LATE)  # per case: promised (yellow), statutory (red), step (red)
    on_time = issue(supervisor, first)
    orders.order_reply(actor=officer_scjg, order=on_time, reply="已办结", today=MONDAY)
    late = issue(supervisor, second)
    orders.order_reply(actor=officer_scjg, order=late, reply="已办结", today=dt.date(2026, 3, 9))
    issue(supervisor, first, message="未答复")  # due 3-5, unanswered
    today = timezone.localdate()
    # Closed by the supervisor before its reply date: not held against the department.
    orders.order_close(actor=supervisor, order=issue(supervisor, second, message="已自行解决", today=today))
    scores = score.department_scores(
        departments=[departments["scjg"], departments["ga"]],
        since=dt.date(2026, 3, 1),
        until=today,
        today=today,
    )
    scjg = next(s for s in scores if s.department == departments["scjg"])
    assert {t.name: t.count for t in scjg.terms} == {"yellow": 2, "red": 4, "late": 1, "unanswered": 1}
    assert scjg.deducted == 2 * 2 + 5 * 4 + 5 * 1 + 8 * 1 == 37
    assert scjg.score == 63 and scjg.calculation == "max(0, 100 − 2×2 − 5×4 − 5×1 − 8×1) = 63"
    ga = next(s for s in scores if s.department == departments["ga"])
    assert ga.score == 100 and scores[0] == scjg  # worst first
    # Issued in the period only: a period of last year counts no order, and no card raised then.
    old = score.department_scores(
        departments=[departments["scjg"]], since=dt.date(2025, 1, 1), until=dt.date(2025, 1, 31), today=today
    )
    assert old[0].score == 100


def test_the_score_is_floored_at_zero(accepted, alice, departments):
    case = accepted(alice, MONDAY)
    alarms_sweep(today=LATE)
    card = Alarm.objects.filter(case=case).first()
    Alarm.objects.bulk_create(
        [
            Alarm(key=f"x:{n}", kind=card.kind, level="red", case=case, department=card.department,
                  raised_at=card.raised_at, closed_at=card.raised_at)
            for n in range(30)
        ]
    )  # fmt: skip
    today = timezone.localdate()
    result = score.department_scores(
        departments=[departments["scjg"]], since=today.replace(day=1), until=today
    )
    assert result[0].deducted > 100 and result[0].score == 0
