import datetime as dt

import pytest

from onevisit.core.calendar import (
    CalendarMissing,
    add_working_days,
    calendar_add_year,
    is_working_day,
    working_days_between,
)
from onevisit.core.models import CalendarDay

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def test_calendar_is_seeded_after_migrate():
    assert CalendarDay.objects.filter(date__year=2024).count() == 366


def test_makeup_sunday_is_a_working_day_and_spring_festival_is_not():
    # 2024: 春节 2月10日至17日放假，2月4日（周日）、2月18日（周日）上班
    assert is_working_day(D("2024-02-04"))
    assert is_working_day(D("2024-02-18"))
    assert not is_working_day(D("2024-02-12"))
    assert not is_working_day(D("2024-02-03"))  # an ordinary Saturday


def test_add_working_days_across_the_spring_festival():
    assert add_working_days(D("2024-02-08"), 1) == D("2024-02-09")
    assert add_working_days(D("2024-02-08"), 2) == D("2024-02-18")  # the make-up Sunday counts
    assert add_working_days(D("2024-02-08"), 3) == D("2024-02-19")
    assert add_working_days(D("2024-02-08"), 0) == D("2024-02-08")


def test_add_twenty_working_days_across_national_day_2026():
    # 2026-09-28 Mon; 10月1日至7日放假，10月10日（周六）上班
    due = add_working_days(D("2026-09-28"), 20)
    assert working_days_between(D("2026-09-28"), due) == 20
    # 9-29, 9-30, 10-8, 10-9, 10-10 (Sat, make-up), then three full weeks
    assert due == D("2026-10-30")


def test_working_days_between_counts_end_not_start():
    assert working_days_between(D("2024-02-09"), D("2024-02-19")) == 2
    assert working_days_between(D("2024-02-19"), D("2024-02-09")) == -2
    assert working_days_between(D("2024-03-01"), D("2024-03-01")) == 0


def test_a_year_without_data_raises_never_guesses():
    with pytest.raises(CalendarMissing, match="2031"):
        add_working_days(D("2031-03-02"), 5)
    with pytest.raises(CalendarMissing):
        working_days_between(D("2026-12-20"), D("2031-01-10"))
    with pytest.raises(CalendarMissing):
        is_working_day(D("2031-01-01"))


def test_deadline_running_into_a_missing_year_raises():
    last_known = max(CalendarDay.objects.values_list("date", flat=True))
    with pytest.raises(CalendarMissing):
        add_working_days(last_known, 10)


def test_admin_added_year_makes_deadlines_computable():
    assert calendar_add_year(year=2031) == 365
    assert add_working_days(D("2031-03-03"), 5) == D("2031-03-10")


def test_negative_days_rejected():
    with pytest.raises(ValueError):
        add_working_days(D("2024-01-02"), -1)
