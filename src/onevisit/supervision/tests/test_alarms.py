"""电子监察: cards at the boundaries (80 %, holidays, suspension), idempotence, upgrade and close with
history kept, refusals without basis, fees not in the list, and the job run after each case event."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from onevisit.cases import services
from onevisit.cases.fees import case_fee_charge
from onevisit.cases.models import Case, Decision
from onevisit.catalog.models import ItemVersion
from onevisit.core.calendar import add_working_days, working_days_between
from onevisit.supervision.alarms import WorkingDays, alarms_evaluate, alarms_sweep, fee_listed
from onevisit.supervision.models import Alarm
from onevisit.workflow.models import WorkItem
from onevisit.workflow.selectors import work_item_urgency

MONDAY = dt.date(2026, 3, 2)
BEFORE_NATIONAL_DAY = dt.date(2026, 9, 28)  # Monday; 10-01..10-07 are holidays, 10-10 (Sat) a make-up day

pytestmark = pytest.mark.django_db


def cards(case, kind=None):
    alarms = Alarm.objects.filter(case=case)
    return alarms.filter(kind=kind) if kind else alarms


def test_the_promised_limit_card_comes_exactly_at_80_percent_not_a_day_before(accepted, alice):
    case = accepted(alice, MONDAY)  # promised 5 working days: 80 % = 4 days
    alarms_sweep(today=dt.date(2026, 3, 5))  # 3 working days used: 60 %
    assert not cards(case, Alarm.Kind.CASE_DUE).exists()
    alarms_sweep(today=dt.date(2026, 3, 6))  # 4 used: exactly 80 %
    card = cards(case, Alarm.Kind.CASE_DUE).get()
    assert card.level == "yellow" and card.closed_at is None and card.detail["used"] == 4
    assert card.department_id == case.department_id and card.due == case.promised_due


@override_settings(ONEVISIT_ALARM_YELLOW_SHARE=0.6)
def test_the_share_is_a_setting(accepted, alice):
    case = accepted(alice, MONDAY)
    alarms_sweep(today=dt.date(2026, 3, 5))  # 3 of 5 = 60 %
    assert cards(case, Alarm.Kind.CASE_DUE).get().level == "yellow"


def test_holidays_are_not_counted(accepted, alice):
    case = accepted(alice, BEFORE_NATIONAL_DAY)  # 9-29, 9-30, then 10-08 and 10-09 are days 3 and 4
    assert case.promised_due == dt.date(2026, 10, 10)  # the make-up Saturday is day 5
    alarms_sweep(today=dt.date(2026, 10, 7))  # nine calendar days on, but only 2 working days
    assert not cards(case, Alarm.Kind.CASE_DUE).exists()
    alarms_sweep(today=dt.date(2026, 10, 8))
    assert not cards(case, Alarm.Kind.CASE_DUE).exists()
    alarms_sweep(today=dt.date(2026, 10, 9))
    assert cards(case, Alarm.Kind.CASE_DUE).get().detail == {"used": 4, "allowed": 5, "overdue": False}
    alarms_sweep(today=dt.date(2026, 10, 11))  # past the promised date: still yellow (RULES.md)
    card = cards(case, Alarm.Kind.CASE_DUE).get()
    assert card.level == "yellow" and card.upgraded_at is None


def test_statutory_yellow_then_red_upgrades_in_place_and_keeps_its_history(accepted, alice):
    case = accepted(alice, MONDAY)  # statutory 20 working days
    alarms_sweep(today=add_working_days(MONDAY, 15))  # 75 %
    assert not cards(case, Alarm.Kind.CASE_STATUTORY).exists()
    alarms_sweep(today=add_working_days(MONDAY, 16))  # 80 %
    yellow = cards(case, Alarm.Kind.CASE_STATUTORY).get()
    assert yellow.level == "yellow"
    alarms_sweep(today=case.statutory_due)  # the last day: 100 %, not overdue yet
    assert cards(case, Alarm.Kind.CASE_STATUTORY).get().level == "yellow"
    outcome = alarms_evaluate(today=case.statutory_due + dt.timedelta(days=1))
    red = cards(case, Alarm.Kind.CASE_STATUTORY).get()
    assert outcome.upgraded >= 1 and red.pk == yellow.pk and red.level == "red"
    assert red.raised_at == yellow.raised_at and red.upgraded_at is not None and red.closed_at is None


def test_a_sweep_run_twice_gives_one_alarm_per_condition(accepted, alice):
    case = accepted(alice, MONDAY)
    late = dt.date(2026, 4, 30)
    first = alarms_evaluate(today=late)
    before = list(Alarm.objects.order_by("pk").values_list("pk", "key", "level"))
    second = alarms_evaluate(today=late)
    assert first.raised == 3 and second.raised == second.upgraded == second.closed == 0  # case ×2, step
    assert list(Alarm.objects.order_by("pk").values_list("pk", "key", "level")) == before
    assert {k for _pk, k, _level in before} == {
        f"case_due:{case.pk}",
        f"case_statutory:{case.pk}",
        f"step_due:{WorkItem.objects.get(instance=case.process_instance).pk}",
    }


def test_only_one_open_alarm_per_condition_in_the_database(accepted, alice):
    from django.db import IntegrityError, transaction

    case = accepted(alice, MONDAY)
    alarms_sweep(today=dt.date(2026, 4, 30))
    card = cards(case, Alarm.Kind.CASE_DUE).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alarm.objects.create(
            key=card.key, kind=card.kind, level="yellow", case=case, department_id=card.department_id,
            raised_at=card.raised_at,
        )  # fmt: skip


def test_a_decided_case_closes_its_cards_which_stay_in_history(accepted, alice, officer_scjg):
    case = accepted(alice, MONDAY)
    late = dt.date(2026, 4, 30)
    alarms_sweep(today=late)
    assert cards(case).filter(closed_at__isnull=True).count() == 3
    step = WorkItem.objects.get(instance=case.process_instance)
    services.case_step_complete(
        actor=officer_scjg, case=case, work_item=step, decision="reject",
        opinion="经营场所不符合要求", legal_basis="《食品安全法》第三十五条",
    )  # fmt: skip
    outcome = alarms_evaluate(today=late)
    assert outcome.closed == 3
    assert cards(case).count() == 3 and not cards(case).filter(closed_at__isnull=True).exists()
    alarms_sweep(today=late)  # nothing comes back for a decided case
    assert cards(case).count() == 3


def test_a_suspended_case_stops_its_clock(accepted, alice):
    case = accepted(alice, MONDAY)
    services.case_suspend(
        actor="officer",
        case=case,
        procedure="testing",
        expected_days=20,
        reason="送检",
        on=dt.date(2026, 3, 3),
    )
    alarms_sweep(today=dt.date(2026, 4, 30))  # weeks later, the case still waits for the test
    assert not cards(case).exists()
    case = services.case_resume(actor="officer", case=Case.objects.get(pk=case.pk), on=dt.date(2026, 3, 13))
    assert case.suspended_days == working_days_between(dt.date(2026, 3, 3), dt.date(2026, 3, 13)) == 8
    alarms_sweep(today=dt.date(2026, 3, 16))  # 10 working days since acceptance, 8 of them suspended
    assert not cards(case, Alarm.Kind.CASE_DUE).exists()
    alarms_sweep(today=add_working_days(MONDAY, 12))  # 12 − 8 = 4 of 5 used
    assert cards(case, Alarm.Kind.CASE_DUE).get().detail["used"] == 4


def test_cards_raised_before_a_suspension_stay_as_they_were(accepted, alice):
    case = accepted(alice, MONDAY)
    alarms_sweep(today=dt.date(2026, 3, 6))  # yellow (80 %) and the step overdue
    before = list(cards(case).values_list("pk", "level", "closed_at"))
    services.case_suspend(actor="officer", case=case, procedure="hearing", expected_days=10, reason="听证")
    alarms_sweep(today=dt.date(2026, 4, 30))  # neither upgraded nor closed while the clock is stopped
    assert list(cards(case).values_list("pk", "level", "closed_at")) == before


def test_steps_follow_the_inbox_colours(accepted, alice):
    case = accepted(alice, MONDAY)
    step = WorkItem.objects.get(instance=case.process_instance)  # 1 working day: due Tuesday
    for today in (MONDAY, dt.date(2026, 3, 3), dt.date(2026, 3, 4)):
        alarms_sweep(today=today)
        card = cards(case, Alarm.Kind.STEP_DUE).filter(closed_at__isnull=True).first()
        assert (card.level if card else "normal") == work_item_urgency(step, today)
    assert cards(case, Alarm.Kind.STEP_DUE).get().level == "red"


def test_a_completed_step_closes_its_card_and_the_next_step_starts_its_own(accepted, alice, officer_scjg):
    case = accepted(alice, MONDAY)
    alarms_sweep(today=dt.date(2026, 3, 4))
    first = cards(case, Alarm.Kind.STEP_DUE).get()
    step = WorkItem.objects.get(pk=first.work_item_id)
    services.case_step_complete(
        actor=officer_scjg, case=case, work_item=step, decision="approve", opinion="同意"
    )
    alarms_sweep(today=dt.date(2026, 3, 4))
    first.refresh_from_db()
    assert first.closed_at is not None
    assert not cards(case, Alarm.Kind.STEP_DUE).filter(closed_at__isnull=True).exists()  # 公安's step is new


def test_a_refusal_without_legal_basis_is_a_red_card_until_corrected(accepted, alice):
    case = accepted(alice, MONDAY)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.REJECTED)
    decision = Decision.objects.create(case=case, outcome="reject", reasons="不符合条件", legal_basis="  ")
    alarms_sweep(today=MONDAY)
    card = cards(case, Alarm.Kind.REFUSAL_WITHOUT_BASIS).get()
    assert card.level == "red" and card.detail == {"reasons": True, "legal_basis": False}
    Decision.objects.filter(pk=decision.pk).update(legal_basis="《行政许可法》第三十八条")
    alarms_sweep(today=MONDAY)
    card.refresh_from_db()
    assert card.closed_at is not None


def test_a_refusal_with_reasons_and_basis_and_an_approval_are_no_cards(accepted, alice, bob):
    refused, approved = accepted(alice, MONDAY), accepted(bob, MONDAY)
    Decision.objects.create(
        case=refused, outcome="not_accepted", reasons="材料不齐", legal_basis="《条例》第十条"
    )
    Decision.objects.create(case=approved, outcome="approve")  # an approval needs neither
    Case.objects.filter(pk__in=[refused.pk, approved.pk]).update(status=Case.Status.REJECTED)
    alarms_sweep(today=MONDAY)
    assert not Alarm.objects.filter(kind=Alarm.Kind.REFUSAL_WITHOUT_BASIS).exists()


@pytest.mark.parametrize(
    ("name", "amount", "listed"),
    [
        ("工本费", "80", True),
        ("工本费", "160", True),  # two pieces at 80元/件
        ("工 本 费", "80.00", True),  # spaces do not make another fee
        ("工本费", "90", False),
        ("工本费", "0.5", False),
        ("加急费", "80", False),
        ("检测费", "35", True),  # within 10-50元
        ("检测费", "51", False),
        ("证书费", "10", True),  # fixed
        ("证书费", "20", False),
        ("鉴定费", "999", True),  # 按实际成本: no number, any amount
    ],
)
def test_fee_listed(name, amount, listed):
    fees = [
        {"name": "工本费", "amount": "80元/件", "basis": "发改价格〔2019〕1号"},
        {"name": "检测费", "amount": "10-50元", "basis": ""},
        {"name": "证书费", "amount": "10元", "basis": ""},
        {"name": "鉴定费", "amount": "按实际成本", "basis": ""},
    ]
    assert fee_listed(name, Decimal(amount), fees) is listed


def test_an_unlisted_fee_is_a_red_card_raised_by_the_event_job(
    accepted, alice, officer_scjg, django_capture_on_commit_callbacks
):
    case = accepted(alice, dt.date(2026, 11, 23))
    ItemVersion.objects.filter(pk=case.item_version_id).update(
        fees=[{"name": "工本费", "amount": "80元/件", "basis": "发改价格〔2019〕1号"}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_fee_charge(actor=officer_scjg, case=case, name="工本费", amount="80", basis="")
    assert not cards(case, Alarm.Kind.FEE_NOT_LISTED).exists()
    with django_capture_on_commit_callbacks(execute=True):
        fee = case_fee_charge(actor=officer_scjg, case=case, name="加急费", amount="200", basis="")
    card = cards(case, Alarm.Kind.FEE_NOT_LISTED).get()
    assert card.level == "red" and card.fee_id == fee.pk and card.key == f"fee_not_listed:{fee.pk}"
    alarms_sweep()  # the sweep agrees: still one card
    assert cards(case, Alarm.Kind.FEE_NOT_LISTED).count() == 1


def test_every_case_event_re_evaluates_its_case(accepted, alice, django_capture_on_commit_callbacks):
    case = accepted(alice, MONDAY)
    alarms_sweep(today=dt.date(2026, 4, 30))
    assert cards(case).filter(closed_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_withdraw(actor="applicant", case=case, reason="不办了")
    assert cards(case).exists() and not cards(case).filter(closed_at__isnull=True).exists()


def test_the_event_job_touches_only_its_case(accepted, alice, bob):
    mine, other = accepted(alice, MONDAY), accepted(bob, MONDAY)
    alarms_evaluate(today=dt.date(2026, 4, 30), case_ids=[mine.pk])
    assert cards(mine).count() == 3 and not cards(other).exists()


def test_working_days_agree_with_the_calendar():
    days = WorkingDays(dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    for start, end in [
        (dt.date(2026, 9, 28), dt.date(2026, 10, 12)),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 1)),
        (dt.date(2026, 10, 9), dt.date(2026, 10, 10)),
    ]:
        assert days.between(start, end) == working_days_between(start, end)
    from onevisit.core.calendar import CalendarMissing

    with pytest.raises(CalendarMissing):
        days.between(dt.date(2026, 8, 31), dt.date(2026, 9, 2))


def test_a_fee_is_validated_and_nothing_is_kept_when_wrong(accepted, alice, officer_scjg, officer_ga):
    case = accepted(alice, MONDAY)
    wrong = [
        ("", "80", "name"),
        ("x" * 101, "80", "name"),
        ("工本费", "", "amount"),
        ("工本费", "abc", "amount"),
        ("工本费", "0", "amount"),
        ("工本费", "-5", "amount"),
        ("工本费", "1000000.01", "amount"),
        ("工本费", "1.001", "amount"),
        ("工本费", "NaN", "amount"),
        ("工本费", "Infinity", "amount"),
        ("<script>alert(1)</script>", "1e9", "amount"),
    ]
    for name, amount, field in wrong:
        with pytest.raises(ValidationError) as info:
            case_fee_charge(actor=officer_scjg, case=case, name=name, amount=amount, basis="")
        assert field in info.value.message_dict, (name, amount)
    with pytest.raises(ValidationError) as info:
        case_fee_charge(actor=officer_scjg, case=case, name="工本费", amount="1", basis="b" * 301)
    assert "basis" in info.value.message_dict
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        case_fee_charge(actor=officer_ga, case=case, name="工本费", amount="80", basis="")
    assert not case.fees.exists() and not case.events.filter(kind="fee_charged").exists()
    fee = case_fee_charge(actor=officer_scjg, case=case, name=" 工本费 ", amount="1000000", basis="")
    assert fee.name == "工本费" and fee.amount == Decimal("1000000") and fee.charged_by == officer_scjg
    assert case.events.filter(kind="fee_charged").count() == 1
