"""好差评 for the synthetic case history: ``add_ratings(case_ids=…, seed=…)`` rates most finished
cases, mostly well, a few percent badly; a bad rating from a named rater gets its rectification
(callback and rectification, a few late, the recent ones still open), some raters add a follow-up,
and a few ratings are voided after an appeal.

Bulk work only: the cases are read in batches with ``values_list`` and everything is written with
``bulk_create``; working days come from the calendar held in memory (``history.WorkingDays``). Cases
already rated by their rater are skipped, so a second run adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import reset_queries, transaction
from django.utils import timezone

from onevisit.cases.models import Case
from onevisit.feedback.models import BAD_LEVELS, TAGS, Rating, Rectification, grade_of

from .history import WorkingDays

BATCH = 2000
RATED_SHARE = 0.7  # of finished cases
LEVELS = [(5, 0.78), (4, 0.14), (3, 0.045), (2, 0.022), (1, 0.013)]
VOIDED_SHARE_OF_BAD = 0.08
FOLLOW_UP_SHARE = 0.5
COMMENTS = {
    "good": [
        "办事效率高，点赞！",
        "网上就办好了，一次都没跑。",
        "窗口人员很耐心，讲解清楚。",
        "材料少，流程快。",
        "比以前方便多了。",
    ],
    "neutral": ["总体还行，排队时间有点长。", "指南里有些材料说明不够清楚。", "系统有点慢，但最后办成了。"],
    "bad": [
        "等了很久也没人处理。",
        "跑了两趟才办好，希望一次告知清楚。",
        "要求提供指南上没有的材料。",
        "电话一直打不通。",
    ],
}
FOLLOW_UPS = ["部门回访后问题解决了，谢谢。", "整改后确实快了。", "态度很好，已经改进。"]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _level(rng: random.Random) -> int:
    return rng.choices([lv for lv, _w in LEVELS], weights=[w for _lv, w in LEVELS])[0]


def _tags(rng: random.Random, level: int) -> list[str]:
    codes = [code for code, _label in TAGS[grade_of(level)]]
    return sorted(rng.sample(codes, rng.choice([0, 1, 1, 2])))


def add_ratings(*, case_ids: list[int], seed: int) -> int:
    """Rate the finished cases among ``case_ids``; the number of ratings created (follow-ups included)."""
    now = timezone.now()
    created = 0
    calendar: WorkingDays | None = None
    for chunk in _chunks(sorted(case_ids)):
        rows = list(
            Case.objects.filter(pk__in=chunk, status__in=Case.FINISHED, decided_at__isnull=False)
            .exclude(ratings__kind=Rating.Kind.CASE)
            .values_list(
                "pk",
                "department_id",
                "department__region_id",
                "item_version__item_id",
                "channel",
                "decided_at",
                "applicant_person_id",
                "agent_id",
            )
        )
        if not rows:
            continue
        if calendar is None:
            first = min(timezone.localdate(r[5]) for r in rows) - dt.timedelta(days=400)
            calendar = WorkingDays(first, timezone.localdate(now) + dt.timedelta(days=400))
        created += _rate_batch(rows, seed=seed, now=now, calendar=calendar)
        reset_queries()  # under DEBUG (the demo), Django keeps the last 9,000 statements
    return created


@transaction.atomic
def _rate_batch(rows: list[tuple[Any, ...]], *, seed: int, now: dt.datetime, calendar: WorkingDays) -> int:
    """One random stream per case: whether and how a case is rated does not depend on the batches,
    and a second run with the same seed leaves the unrated cases unrated."""
    ratings: list[Rating] = []
    streams: list[random.Random] = []
    for pk, department, region, item, channel, decided_at, person, agent in rows:
        rng = random.Random(f"ratings-{seed}-{pk}")
        rater = person or agent
        if rater is None or rng.random() > RATED_SHARE:
            continue
        at = min(decided_at + dt.timedelta(minutes=rng.randint(5, 5 * 24 * 60)), now)
        level = _level(rng)
        grade = grade_of(level)
        comment = rng.choice(COMMENTS[grade]) if rng.random() < (0.25 if grade == "good" else 0.8) else ""
        voided = level in BAD_LEVELS and rng.random() < VOIDED_SHARE_OF_BAD
        voided_at = min(at + dt.timedelta(days=rng.randint(2, 10)), now) if voided else None
        streams.append(rng)
        ratings.append(
            Rating(
                kind=Rating.Kind.CASE,
                case_id=pk,
                level=level,
                tags=_tags(rng, level),
                comment=comment,
                rater_id=rater,
                department_id=department,
                region_id=region,
                item_id=item,
                channel=channel,
                created_at=at,
                voided_at=voided_at,
                void_reason="申诉核实：评价人误评了其他部门的服务（演示数据）" if voided else "",
            )
        )
    Rating.objects.bulk_create(ratings, batch_size=1000)
    rectifications, follow_ups = _rectify(ratings, streams, now=now, calendar=calendar)
    Rectification.objects.bulk_create(rectifications, batch_size=1000)
    Rating.objects.bulk_create(follow_ups, batch_size=1000)
    return len(ratings) + len(follow_ups)


def _rectify(
    ratings: list[Rating], streams: list[random.Random], *, now: dt.datetime, calendar: WorkingDays
) -> tuple[list[Rectification], list[Rating]]:
    rectifications: list[Rectification] = []
    follow_ups: list[Rating] = []
    callback_days = settings.ONEVISIT_RATING_CALLBACK_DAYS
    rectify_days = settings.ONEVISIT_RATING_RECTIFY_DAYS
    for rating, rng in zip(ratings, streams, strict=True):
        if rating.level not in BAD_LEVELS or rating.department_id is None:
            continue
        day = timezone.localdate(rating.created_at)
        callback_due, rectify_due = calendar.add(day, callback_days), calendar.add(day, rectify_days)
        late_call, late_fix = rng.random() < 0.08, rng.random() < 0.12
        called = _on(calendar.add(day, callback_days + (2 if late_call else 0)), rng)
        fixed = _on(
            calendar.add(day, rng.randint(3, rectify_days) + (rng.randint(1, 6) if late_fix else 0)), rng
        )
        rectification = Rectification(
            rating_id=rating.pk, department_id=rating.department_id, callback_due=callback_due,
            rectify_due=rectify_due, created_at=rating.created_at,
        )  # fmt: skip
        if called <= now:
            rectification.callback_at, rectification.callback_note = (
                called,
                "已电话回访，评价人说明了遇到的问题。",
            )
        if rectification.callback_at is not None and fixed <= now and fixed > called:
            rectification.rectified_at = fixed
            rectification.rectify_note = rng.choice(
                ["已优化办理流程并向评价人说明。", "已对窗口人员进行批评教育。", "已在指南中补充材料说明。"]
            )
            follow_at = fixed + dt.timedelta(days=rng.randint(1, 5))
            if rating.voided_at is None and follow_at <= now and rng.random() < FOLLOW_UP_SHARE:
                level = rng.choice([5, 4, 4, 3])
                follow_ups.append(
                    Rating(
                        kind=rating.kind,
                        case_id=rating.case_id,
                        level=level,
                        tags=_tags(rng, level),
                        comment=rng.choice(FOLLOW_UPS),
                        rater_id=rating.rater_id,
                        department_id=rating.department_id,
                        region_id=rating.region_id,
                        item_id=rating.item_id,
                        channel=rating.channel,
                        follow_up_of_id=rating.pk,
                        created_at=follow_at,
                    )
                )
        rectifications.append(rectification)
    return rectifications, follow_ups


def _on(day: dt.date, rng: random.Random) -> dt.datetime:
    """A time in office hours on ``day``."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59))))
