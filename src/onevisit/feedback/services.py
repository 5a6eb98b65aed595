"""Writes of 好差评: ratings (online and at the counter), rectification of bad ratings, the rater's
follow-up, appeals and their decision (void, never delete), complaints and their answers.

Every write is one transaction with its audit event. Bad input raises ``ValidationError`` (a dict
of field → message where a field is to blame) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.cases.models import Case
from onevisit.catalog.models import Channel, ServiceItem
from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.core.calendar import add_working_days
from onevisit.identity.models import Person
from onevisit.org.models import Department, Role, StaffRole, Window

from . import selectors
from .models import BAD_LEVELS, TAGS, Appeal, Complaint, Level, Rating, Rectification, grade_of

MAX_COMMENT = 500
MAX_NOTE = 2000
MAX_COMPLAINT = 2000
PHONE = re.compile(r"^1\d{10}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def _clean_rating(level: Any, tags: Any, comment: str) -> tuple[int, list[str], str]:
    errors: dict[str, str] = {}
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if value not in Level.values:
        errors["level"] = _("Choose one of the five levels, from very satisfied to very dissatisfied.")
    tags = [t for t in (tags or []) if t]
    if value in Level.values:
        allowed = {code for code, _label in TAGS[grade_of(value)]}
        if any(t not in allowed for t in tags) or len(set(tags)) != len(tags):
            errors["tags"] = _("Choose tags from the list shown for the level you chose.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("Keep the comment to at most %(n)d characters.") % {"n": MAX_COMMENT}
    if errors:
        raise ValidationError(errors)
    return value, tags, comment


def _open_rectification(*, rating: Rating, today: dt.date) -> Rectification | None:
    """A bad rating from a named rater opens a rectification with both due dates fixed now."""
    if rating.level not in BAD_LEVELS or rating.rater_id is None or rating.department_id is None:
        return None
    return Rectification.objects.create(
        rating=rating, department_id=rating.department_id,
        callback_due=add_working_days(today, settings.ONEVISIT_RATING_CALLBACK_DAYS),
        rectify_due=add_working_days(today, settings.ONEVISIT_RATING_RECTIFY_DAYS),
    )  # fmt: skip


@transaction.atomic
def rating_submit(
    *, actor: Any, person: Person | None, case: Case, level: Any, tags: list[str], comment: str
) -> Rating:
    """一事一评: the case's applicant (or its agent) rates it once, after it is finished and while
    the window (``ONEVISIT_RATING_WINDOW_DAYS`` after the decision) is open."""
    if person is None or person.pk not in (case.applicant_person_id, case.agent_id):
        raise PermissionDenied(_("You can only rate your own cases."))
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version__item", "department")
        .get(pk=case.pk)
    )
    if case.status not in Case.FINISHED or case.decided_at is None:
        raise ValidationError(_("You can rate this case once it is finished."))
    if not selectors.rating_open(case):
        raise ValidationError(
            _("Ratings of this case closed %(days)d days after it was finished.")
            % {"days": settings.ONEVISIT_RATING_WINDOW_DAYS}
        )
    if selectors.rating_of_case(case=case, person=person) is not None:
        raise ValidationError(_("You have already rated this case."))
    value, tags, comment = _clean_rating(level, tags, comment)
    now = timezone.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                kind=Rating.Kind.CASE, case=case, level=value, tags=tags, comment=comment, rater=person,
                department=case.department, region_id=case.department.region_id,
                item=case.item_version.item, channel=case.channel, created_at=now,
            )  # fmt: skip
    except IntegrityError as exc:  # another request of the same rater got there first
        raise ValidationError(_("You have already rated this case.")) from exc
    rectification = _open_rectification(rating=rating, today=timezone.localdate(now))
    audit_log(
        actor=actor, action="rating_submitted", obj=rating,
        data={"case": case.pk, "level": value, "tags": tags, "rectification": getattr(rectification, "pk", None)},
    )  # fmt: skip
    return rating


def _window_department(window: Window) -> Department | None:
    departments = list(window.departments.all()[:2])
    return departments[0] if len(departments) == 1 else None


@transaction.atomic
def counter_rating_submit(
    *, actor: Any, window: Window, level: Any, tags: list[str], comment: str, case_number: str = ""
) -> Rating:
    """一次一评 at the tablet facing the applicant: anonymous; records the window, the clerk signed in
    at it and, when given, the case (taken in at the same centre)."""
    if not StaffRole.objects.filter(user=actor, role=Role.CLERK, center_id=window.center_id).exists():
        raise PermissionDenied(_("Only a clerk of this service centre can open its rating tablet."))
    value, tags, comment = _clean_rating(level, tags, comment)
    case = None
    case_number = (case_number or "").strip()
    if case_number:
        case = (
            Case.objects.select_related("item_version__item", "department")
            .filter(number=case_number[:32], center_id=window.center_id)
            .first()
        )
        if case is None:
            raise ValidationError(
                {
                    "case_number": _(
                        "No case with this number was taken in at this centre. Check the receipt, or leave it empty."
                    )
                }
            )
    department = case.department if case is not None else _window_department(window)
    region_id = department.region_id if department is not None else window.center.region_id
    rating = Rating.objects.create(
        kind=Rating.Kind.COUNTER, case=case, level=value, tags=tags, comment=comment,
        department=department, region_id=region_id, item=case.item_version.item if case else None,
        channel=Channel.COUNTER, center_id=window.center_id, window=window, clerk=actor,
    )  # fmt: skip
    audit_log(
        actor=actor, action="counter_rating_submitted", obj=rating,
        data={"window": window.pk, "case": getattr(case, "pk", None), "level": value},
    )  # fmt: skip
    return rating


def _note(note: str, field: str, missing: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({field: missing})
    if len(note) > MAX_NOTE:
        raise ValidationError({field: _("Keep it to at most %(n)d characters.") % {"n": MAX_NOTE}})
    return note


def _rectification_locked(actor: Any, rectification: Rectification) -> Rectification:
    if not selectors.may_handle(actor, rectification.department_id):
        raise PermissionDenied(_("Only officers of the rated department can record this."))
    locked = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating")
        .get(pk=rectification.pk)
    )
    if locked.rating.voided_at is not None:
        raise ValidationError(_("This rating was voided; nothing more is recorded for it."))
    return locked


@transaction.atomic
def rectification_callback(*, actor: Any, rectification: Rectification, note: str) -> Rectification:
    """The department called the rater back: what the rater said."""
    rectification = _rectification_locked(actor, rectification)
    if rectification.callback_at is not None:
        raise ValidationError(_("The callback is already recorded."))
    note = _note(note, "note", _("Write down what the rater said on the call."))
    rectification.callback_at, rectification.callback_note, rectification.callback_by = (
        timezone.now(),
        note,
        actor,
    )
    rectification.save(update_fields=["callback_at", "callback_note", "callback_by"])
    audit_log(
        actor=actor, action="rating_called_back", obj=rectification,
        data={"on_time": rectification.callback_on_time},
    )  # fmt: skip
    return rectification


@transaction.atomic
def rectification_complete(*, actor: Any, rectification: Rectification, note: str) -> Rectification:
    """The department rectified: what was done. The callback comes first."""
    rectification = _rectification_locked(actor, rectification)
    if rectification.rectified_at is not None:
        raise ValidationError(_("The rectification is already recorded."))
    if rectification.callback_at is None:
        raise ValidationError(_("Record the callback to the rater first."))
    note = _note(note, "note", _("Describe what was done to put it right."))
    rectification.rectified_at, rectification.rectify_note, rectification.rectified_by = (
        timezone.now(),
        note,
        actor,
    )
    rectification.save(update_fields=["rectified_at", "rectify_note", "rectified_by"])
    audit_log(
        actor=actor, action="rating_rectified", obj=rectification,
        data={"on_time": rectification.rectified_on_time},
    )  # fmt: skip
    from .tasks import rectification_notify

    rectification_notify.enqueue(rectification_id=rectification.pk)  # the rater, after the commit
    return rectification


def follow_up_open(rating: Rating, now: dt.datetime | None = None) -> bool:
    """The rater may add one follow-up rating once the rectification is recorded, for as long as the
    rating window after it."""
    rectification = getattr(rating, "rectification", None)
    if rectification is None or rectification.rectified_at is None or rating.voided_at is not None:
        return False
    closes = rectification.rectified_at + dt.timedelta(days=settings.ONEVISIT_RATING_WINDOW_DAYS)
    return (now or timezone.now()) <= closes and not rating.follow_ups.exists()


@transaction.atomic
def follow_up(
    *, actor: Any, person: Person | None, rating: Rating, level: Any, tags: list[str], comment: str
) -> Rating:
    """追评: the rater's one follow-up rating after the rectification."""
    if person is None or rating.rater_id != person.pk:
        raise PermissionDenied(_("Only the person who made the rating can add a follow-up."))
    rating = Rating.objects.select_for_update(of=("self",)).select_related("rectification").get(pk=rating.pk)
    if rating.follow_up_of_id is not None:
        raise ValidationError(_("A follow-up cannot itself be followed up."))
    if rating.follow_ups.exists():
        raise ValidationError(_("You have already added your follow-up rating."))
    if not follow_up_open(rating):
        raise ValidationError(
            _(
                "A follow-up rating can be added only after the department has rectified, within the rating period."
            )
        )
    value, tags, comment = _clean_rating(level, tags, comment)
    try:
        with transaction.atomic():
            follow = Rating.objects.create(
                kind=rating.kind, case=rating.case, level=value, tags=tags, comment=comment, rater=person,
                department=rating.department, region=rating.region, item=rating.item, channel=rating.channel,
                follow_up_of=rating,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(_("You have already added your follow-up rating.")) from exc
    audit_log(actor=actor, action="rating_followed_up", obj=follow, data={"of": rating.pk, "level": value})
    return follow


@transaction.atomic
def appeal_file(*, actor: Any, rating: Rating, ground: str, reason: str) -> Appeal:
    """The rated department asks a supervisor to void a rating as malicious or mistaken."""
    if not selectors.may_handle(actor, rating.department_id):
        raise PermissionDenied(_("Only officers of the rated department can appeal its ratings."))
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if rating.voided_at is not None:
        raise ValidationError(_("This rating is already voided."))
    if rating.appeals.filter(status=Appeal.Status.PENDING).exists():
        raise ValidationError(_("An appeal of this rating is already waiting for a supervisor."))
    errors: dict[str, str] = {}
    if ground not in Appeal.Ground.values:
        errors["ground"] = _("Choose whether the rating is malicious or mistaken.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Explain why the rating should be voided; the supervisor reads it.")
    elif len(reason) > MAX_NOTE:
        errors["reason"] = _("Keep it to at most %(n)d characters.") % {"n": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    appeal = Appeal.objects.create(rating=rating, ground=ground, reason=reason, filed_by=actor)
    audit_log(actor=actor, action="rating_appealed", obj=appeal, data={"rating": rating.pk, "ground": ground})
    return appeal


@transaction.atomic
def appeal_decide(*, actor: Any, appeal: Appeal, void: bool, reason: str) -> Appeal:
    """A supervisor of the rating's region voids the rating (it stays, out of every rate) or rejects
    the appeal; either way with a reason."""
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("rating__region").get(pk=appeal.pk)
    if not selectors.may_supervise(actor, appeal.rating.region.code):
        raise PermissionDenied(_("Only a supervisor of the rating's region can decide its appeal."))
    if appeal.status != Appeal.Status.PENDING:
        raise ValidationError(_("This appeal is already decided."))
    reason = _note(reason, "reason", _("Give the reason for the decision; the department reads it."))
    now = timezone.now()
    appeal.status = Appeal.Status.VOIDED if void else Appeal.Status.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = actor, now, reason
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if void:
        Rating.objects.filter(pk=appeal.rating_id, voided_at__isnull=True).update(
            voided_at=now, voided_by=actor, void_reason=reason
        )
    audit_log(
        actor=actor, action="rating_voided" if void else "rating_appeal_rejected", obj=appeal,
        data={"rating": appeal.rating_id, "reason": reason},
    )  # fmt: skip
    return appeal


def _tracking_code() -> str:
    while True:
        code = "TS" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(10))
        if not Complaint.objects.filter(code=code).exists():
            return code


def _complaint_key(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("The form has expired; open it again and submit.")}
        ) from exc


def _complaint_throttle(person: Person | None, client_key: str) -> None:
    since = timezone.now() - dt.timedelta(hours=1)
    if person is not None:
        recent = Complaint.objects.filter(complainant=person, created_at__gte=since)
    elif client_key:
        recent = Complaint.objects.filter(client_key=client_key, created_at__gte=since)
    else:
        return
    if recent.count() >= settings.ONEVISIT_COMPLAINTS_PER_HOUR:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Too many complaints have come from here in the last hour. Try again in an hour, "
                    "or call %(hotline)s."
                )
                % {"hotline": settings.ONEVISIT_SERVICE_HOTLINE}
            }
        )


@transaction.atomic
def complaint_file(
    *,
    actor: Any,
    person: Person | None,
    department: Department | None,
    text: str,
    item: ServiceItem | None = None,
    case_number: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    idempotency_key: uuid.UUID | str | None = None,
    ip: str | None = None,
) -> Complaint:
    """投诉 from anyone. A case is linked only when the complainant (logged in) is its applicant or
    agent; the department comes from the case or the service when they are given.

    The same ``idempotency_key`` always gives the same complaint (a double click files one). At most
    ``ONEVISIT_COMPLAINTS_PER_HOUR`` are accepted per hour from one person, or, without logging in,
    from one network address (counted by its keyed hash; the address itself is not kept). Concurrent
    requests may each pass the count once: the limit holds back floods, not a single burst."""
    key = _complaint_key(idempotency_key)
    if key is not None and (done := Complaint.objects.filter(idempotency_key=key).first()) is not None:
        return done
    client_key = crypto.lookup_hash(ip) if ip and person is None else ""
    _complaint_throttle(person, client_key)
    errors: dict[str, str] = {}
    case = None
    case_number = (case_number or "").strip()
    if case_number:
        if person is None:
            errors["case_number"] = _("Log in to name one of your cases; or describe it in the complaint.")
        else:
            case = (
                Case.objects.filter(Q(applicant_person=person) | Q(agent=person), number=case_number[:32])
                .select_related("department", "item_version__item")
                .first()
            )
            if case is None:
                errors["case_number"] = _("None of your cases has this number.")
    if case is not None:
        department, item = case.department, case.item_version.item
    elif item is not None:
        department = item.department
    if department is None and "case_number" not in errors:
        errors["department"] = _("Choose the department the complaint is about.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Describe what happened and what you would like done.")
    elif len(text) > MAX_COMPLAINT:
        errors["text"] = _("Keep the complaint to at most %(n)d characters.") % {"n": MAX_COMPLAINT}
    contact_name = (contact_name or "").strip()
    if len(contact_name) > 60:
        errors["contact_name"] = _("Keep the name to at most 60 characters.")
    contact_phone = re.sub(r"[\s-]", "", contact_phone or "")
    if contact_phone and not PHONE.match(contact_phone):
        errors["contact_phone"] = _("Enter an 11-digit mobile number starting with 1, or leave it empty.")
    if errors:
        raise ValidationError(errors)
    assert department is not None
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                code=_tracking_code(), department=department, region_id=department.region_id, item=item,
                case=case, complainant=person, contact_name=contact_name,
                contact_phone_encrypted=crypto.encrypt(contact_phone) if contact_phone else "", text=text,
                idempotency_key=key, client_key=client_key,
            )  # fmt: skip
    except IntegrityError:  # the same key, committed by a concurrent submit meanwhile
        if key is None:
            raise
        return Complaint.objects.get(idempotency_key=key)
    audit_log(
        actor=actor, action="complaint_filed", obj=complaint,
        data={"department": department.pk, "case": getattr(case, "pk", None), "named": person is not None},
    )  # fmt: skip
    return complaint


@transaction.atomic
def complaint_answer(*, actor: Any, complaint: Complaint, answer: str) -> Complaint:
    """The department's answer, which whoever holds the tracking code reads."""
    if not selectors.may_handle(actor, complaint.department_id):
        raise PermissionDenied(_("Only officers of the department complained about can answer."))
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status == Complaint.Status.ANSWERED:
        raise ValidationError(_("This complaint is already answered."))
    answer = _note(answer, "answer", _("Write the answer to the complainant."))
    complaint.answer, complaint.answered_by, complaint.answered_at = answer, actor, timezone.now()
    complaint.status = Complaint.Status.ANSWERED
    complaint.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    audit_log(actor=actor, action="complaint_answered", obj=complaint, data={})
    from .tasks import complaint_answer_notify

    complaint_answer_notify.enqueue(complaint_id=complaint.pk)  # the complainant, after the commit
    return complaint
