"""好差评 in the portal: rate a finished case (and add the one follow-up after a rectification), the
published ratings per department and service, and complaints (file one, follow it by its code).
Views are thin: parse the form, call one feedback service or selector, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onevisit.catalog.models import ServiceItem
from onevisit.feedback import selectors, services
from onevisit.feedback.models import TAGS, Level, grade_of
from onevisit.identity import selectors as identity_selectors
from onevisit.identity.login import client_ip
from onevisit.identity.models import ApplicantAccount
from onevisit.org.models import Department

from .account import applicant_required
from .cases import _case

LEVEL_FACES = {5: "😄", 4: "🙂", 3: "😐", 2: "🙁", 1: "😞"}


def levels() -> list[tuple[int, str, str]]:
    """(value, face, label), best first."""
    return [
        (value, LEVEL_FACES[value], str(Level(value).label)) for value in sorted(Level.values, reverse=True)
    ]


def tag_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (grade, [(code, str(label)) for code, label in TAGS[grade]]) for grade in ("good", "neutral", "bad")
    ]


def _parse(request: HttpRequest) -> dict[str, Any]:
    """The level, the tags of the level's group (each group has its own checkboxes, so a tag ticked
    under another level before changing one's mind is not sent) and the comment."""
    level = request.POST.get("level", "")
    grade = grade_of(int(level)) if level.isdigit() and int(level) in Level.values else ""
    return {
        "level": level,
        "tags": request.POST.getlist(f"tags_{grade}")[:10] if grade else [],
        "comment": request.POST.get("comment", "")[: services.MAX_COMMENT * 4],
    }


def _error_links(error: ValidationError) -> list[tuple[str, str]]:
    anchors = {"level": "#level-5", "tags": "#tags", "comment": "#f-comment", "case_number": "#f-case-number"}
    if hasattr(error, "error_dict"):
        return [
            (anchors.get(field, ""), message)
            for field, msgs in error.message_dict.items()
            for message in msgs
        ]
    return [("", message) for message in error.messages]


def _form_context(values: dict[str, Any], error: ValidationError | None) -> dict[str, Any]:
    field_errors = error.message_dict if error is not None and hasattr(error, "error_dict") else {}
    return {
        "levels": levels(),
        "tag_groups": tag_groups(),
        "values": values,
        "errors": field_errors,
        "error_links": _error_links(error) if error is not None else [],
        "max_comment": services.MAX_COMMENT,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def rate(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    """一事一评 of a finished case, once, within the window."""
    case = _case(account, number)
    existing = selectors.rating_of_case(case=case, person=account.person)
    if request.method == "GET" and (existing is not None or not selectors.rating_open(case)):
        messages.info(
            request,
            _("You have already rated this case.") if existing else _("This case cannot be rated now."),
        )
        return redirect("portal:case", number=case.number)
    values: dict[str, Any] = {"level": "", "tags": [], "comment": ""}
    error = None
    if request.method == "POST":
        values = _parse(request)
        try:
            rating = services.rating_submit(actor=request.user, person=account.person, case=case, **values)
        except (ValidationError, PermissionDenied) as exc:
            error = exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
        else:
            if getattr(rating, "rectification", None) is not None:
                messages.success(
                    request,
                    _(
                        "Thank you. The department will call you back by %(date)s and tell you what it changes."
                    )
                    % {"date": rating.rectification.callback_due.strftime("%Y-%m-%d")},
                )
            else:
                messages.success(request, _("Thank you for your rating."))
            return redirect(f"{reverse('portal:case', args=[case.number])}#rating-title")
    context = {"case": case, "follow_up": False, **_form_context(values, error)}
    return render(request, "portal/ratings/rate.html", context, status=400 if error else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def rate_follow_up(request: HttpRequest, account: ApplicantAccount, number: str) -> HttpResponse:
    """追评: one follow-up rating after the department has rectified."""
    case = _case(account, number)
    rating = selectors.rating_of_case(case=case, person=account.person)
    if rating is None or (request.method == "GET" and not services.follow_up_open(rating)):
        messages.info(request, _("There is no follow-up rating to add for this case."))
        return redirect("portal:case", number=case.number)
    values: dict[str, Any] = {"level": "", "tags": [], "comment": ""}
    error = None
    if request.method == "POST":
        values = _parse(request)
        try:
            services.follow_up(actor=request.user, person=account.person, rating=rating, **values)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("Thank you for your follow-up rating."))
            return redirect(f"{reverse('portal:case', args=[case.number])}#rating-title")
    context = {"case": case, "follow_up": True, "rating": rating, **_form_context(values, error)}
    return render(request, "portal/ratings/rate.html", context, status=400 if error else 200)


def case_rating_context(case: Any, person: Any) -> dict[str, Any]:
    """What the case page shows in its 评价 block."""
    rating = selectors.rating_of_case(case=case, person=person)
    return {
        "rating": rating,
        "rating_follow_up": rating.follow_ups.first() if rating is not None else None,
        "can_rate": rating is None and selectors.rating_open(case),
        "rating_closes": selectors.rating_window_closes(case),
        "can_follow_up": rating is not None and services.follow_up_open(rating),
        "rating_face": LEVEL_FACES.get(rating.level, "") if rating is not None else "",
    }


@require_GET
def public_ratings(request: HttpRequest) -> HttpResponse:
    """The published ratings: per department, per service of a chosen department, recent comments."""
    code = request.GET.get("department", "")[:40]
    department = Department.objects.select_related("region").filter(code=code).first() if code else None
    since = timezone.localdate().replace(day=1, month=1)
    return render(
        request,
        "portal/ratings/public.html",
        {
            "since": since,
            "departments": selectors.public_by_department(since=since),
            "department": department,
            "items": selectors.public_by_item(since=since, department_id=department.pk) if department else [],
            "comments": selectors.public_comments(department_id=department.pk if department else None),
            "faces": LEVEL_FACES,
        },
    )


# ---- complaints ------------------------------------------------------------------------------


@require_GET
def complaints(request: HttpRequest) -> HttpResponse:
    """Follow a complaint by its tracking code, or start a new one."""
    code = request.GET.get("code", "").strip()
    error = ""
    if code:
        complaint = selectors.complaint_by_code(code)
        if complaint is not None:
            return redirect("portal:complaint", code=complaint.code)
        error = _("No complaint has this tracking code. Check it on the confirmation you were given.")
    return render(
        request,
        "portal/ratings/complaints.html",
        {"code": code[:20], "error": error},
        status=404 if error else 200,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    account = identity_selectors.account_of(request.user)
    person = account.person if account is not None else None
    source = request.POST if request.method == "POST" else request.GET
    values = {
        "department": source.get("department", "")[:40],
        "item": source.get("item", "")[:40],
        "case_number": source.get("case", source.get("case_number", ""))[:40],
        "text": source.get("text", "")[: services.MAX_COMPLAINT * 4],
        "contact_name": source.get("contact_name", "")[:200],
        "contact_phone": source.get("contact_phone", "")[:40],
        # The form's one-time key: kept when the form comes back with errors, so nothing is filed twice.
        "idempotency_key": request.POST.get("idempotency_key", "")[:64] or str(uuid.uuid4()),
    }
    item = (
        ServiceItem.objects.select_related("department").filter(code=values["item"]).first()
        if values["item"]
        else None
    )
    error = None
    if request.method == "POST":
        department = (
            Department.objects.filter(code=values["department"]).first() if values["department"] else None
        )
        try:
            complaint = services.complaint_file(
                actor=request.user, person=person, department=department, item=item, text=values["text"],
                case_number=values["case_number"], contact_name=values["contact_name"],
                contact_phone=values["contact_phone"], idempotency_key=values["idempotency_key"],
                ip=client_ip(request),
            )  # fmt: skip
        except ValidationError as exc:
            error = exc
        else:
            request.session["complaint_filed"] = complaint.code
            return redirect("portal:complaint", code=complaint.code)
    anchors = {
        "department": "#f-department", "text": "#f-text", "case_number": "#f-case-number",
        "contact_name": "#f-contact-name", "contact_phone": "#f-contact-phone",
    }  # fmt: skip
    errors = error.message_dict if error is not None else {}
    return render(
        request,
        "portal/ratings/complaint_new.html",
        {
            "values": values,
            "item": item,
            "person": person,
            "departments": Department.objects.select_related("region").order_by(
                "region__code", "order", "code"
            ),
            "errors": errors,
            "error_links": [(anchors.get(f, ""), m) for f, ms in errors.items() for m in ms],
            "max_text": services.MAX_COMPLAINT,
            "idempotency_key": values["idempotency_key"]
            if _is_uuid(values["idempotency_key"])
            else uuid.uuid4(),
        },
        status=400 if error else 200,
    )


@never_cache
@require_GET
def complaint_detail(request: HttpRequest, code: str) -> HttpResponse:
    complaint = selectors.complaint_by_code(code)
    if complaint is None:
        return complaints_not_found(request)
    just_filed = request.session.pop("complaint_filed", None) == complaint.code
    return render(
        request, "portal/ratings/complaint.html", {"complaint": complaint, "just_filed": just_filed}
    )


def complaints_not_found(request: HttpRequest) -> HttpResponse:
    error = _("No complaint has this tracking code. Check it on the confirmation you were given.")
    return render(request, "portal/ratings/complaints.html", {"code": "", "error": error}, status=404)
