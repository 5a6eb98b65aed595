"""好差评 in the workbench: the department's ratings and rectifications (due first), callback and
rectification forms, appeals (filed by the department, decided by a supervisor), the complaints inbox,
and the counter tablet (一次一评) facing the applicant. Views are thin: one feedback service each."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onevisit.cases.access import case_read_log
from onevisit.core.indicators import Scope
from onevisit.feedback import indicators, selectors, services
from onevisit.feedback.models import TAGS, Appeal, Level, Rating, grade_of
from onevisit.identity.models import ApplicantAccount
from onevisit.org.models import Role, StaffRole, Window
from onevisit.org.selectors import clerk_centers

from .views import staff_required

FACES = {5: "😄", 4: "🙂", 3: "😐", 2: "🙁", 1: "😞"}


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _month_figures(user: Any) -> list[tuple[str, Any]]:
    """This month's good-rating and rectification rates of the user's (only) department."""
    departments = selectors.department_ids(user)
    if len(departments) != 1:
        return []
    today = timezone.localdate()
    scope = Scope(since=today.replace(day=1), until=today, department_id=next(iter(departments)))
    return [(str(i.name), i.compute(scope)) for i in indicators.INDICATORS]


@staff_required
def ratings_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "workbench/ratings/home.html",
        {
            "nav": "ratings",
            "today": timezone.localdate(),
            "callback_days": settings.ONEVISIT_RATING_CALLBACK_DAYS,
            "rectify_days": settings.ONEVISIT_RATING_RECTIFY_DAYS,
            "rectifications": selectors.rectifications_open(user),
            "appeals": list(selectors.appeals_to_decide(user)),
            "complaints": list(selectors.complaints_visible(user)[:50]),
            "ratings": list(selectors.ratings_visible(user)[:50]),
            "figures": _month_figures(user),
            "faces": FACES,
        },
    )


def _rater_contact(rating: Rating) -> dict[str, str]:
    person = rating.rater
    if person is None:
        return {}
    account = ApplicantAccount.objects.filter(person=person).first()
    return {"name": person.name, "phone": account.phone if account is not None else ""}


@require_http_methods(["GET", "POST"])
@staff_required
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    rating = selectors.ratings_visible(user).select_related("rater", "case").filter(pk=pk).first()
    if rating is None:
        raise Http404
    rectification = getattr(rating, "rectification", None)
    handler = selectors.may_handle(user, rating.department_id)
    pending = rating.appeals.filter(status=Appeal.Status.PENDING).first()
    errors: dict[str, list[str]] = {}
    values = {k: request.POST.get(k, "")[:8000] for k in ("note", "ground", "reason", "decision")}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "callback" and rectification is not None:
                services.rectification_callback(actor=user, rectification=rectification, note=values["note"])
                done = _("The callback is recorded.")
            elif action == "rectify" and rectification is not None:
                services.rectification_complete(actor=user, rectification=rectification, note=values["note"])
                done = _("The rectification is recorded; the rater can now add a follow-up rating.")
            elif action == "appeal":
                services.appeal_file(
                    actor=user, rating=rating, ground=values["ground"], reason=values["reason"]
                )
                done = _("The appeal is sent to the supervisors.")
            elif action == "decide" and pending is not None:
                if values["decision"] not in ("void", "reject"):
                    raise ValidationError(
                        {"decision": _("Choose whether to void the rating or reject the appeal.")}
                    )
                services.appeal_decide(
                    actor=user, appeal=pending, void=values["decision"] == "void", reason=values["reason"]
                )
                done = (
                    _("The rating is voided.")
                    if values["decision"] == "void"
                    else _("The appeal is rejected.")
                )
            else:
                raise ValidationError(_("This cannot be done on this rating now."))
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc) or _("You may not do this.")]}
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, done)
            return redirect("workbench:rating", pk=rating.pk)
    contact: dict[str, str] = {}
    if (
        handler
        and rectification is not None
        and rectification.rectified_at is None
        and rating.voided_at is None
    ):
        contact = _rater_contact(rating)
        if contact and rating.case is not None:
            with transaction.atomic():
                case_read_log(
                    actor=user, case=rating.case, kind="case_file", purpose=_("Call back about a bad rating"),
                    department=rating.department,
                )  # fmt: skip
    return render(
        request,
        "workbench/ratings/rating.html",
        {
            "nav": "ratings",
            "rating": rating,
            "face": FACES.get(rating.level, ""),
            "rectification": rectification,
            "handler": handler,
            "pending": pending,
            "supervisor": pending is not None and selectors.may_supervise(user, rating.region.code),
            "appeals": list(rating.appeals.select_related("filed_by", "decided_by")),
            "follow_up": rating.follow_ups.first(),
            "contact": contact,
            "errors": errors,
            "values": values,
            "action": request.POST.get("action", ""),
            "grounds": Appeal.Ground.choices,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    complaint = selectors.complaints_visible(user).filter(pk=pk).first()
    if complaint is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    answer = request.POST.get("answer", "")[:8000]
    if request.method == "POST":
        try:
            services.complaint_answer(actor=user, complaint=complaint, answer=answer)
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc)]}
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("The answer is published on the complaint's tracking page."))
            return redirect("workbench:complaint", pk=complaint.pk)
    return render(
        request,
        "workbench/ratings/complaint.html",
        {
            "nav": "ratings",
            "complaint": complaint,
            "errors": errors,
            "answer": answer,
            "handler": selectors.may_handle(user, complaint.department_id),
            "phone": complaint.contact_phone_encrypted and _phone(complaint.contact_phone_encrypted),
        },
        status=400 if errors else 200,
    )


def _phone(token: str) -> str:
    from onevisit.core import crypto

    return crypto.decrypt(token)


# ---- the counter tablet (一次一评) ---------------------------------------------------------------


def _windows(user: Any) -> list[Window]:
    return list(
        Window.objects.filter(center__in=clerk_centers(user))
        .select_related("center")
        .order_by("center", "number")
    )


@require_http_methods(["GET", "POST"])
@staff_required
def counter_rate(request: HttpRequest) -> HttpResponse:
    """The tablet facing the applicant. The clerk picks the window once (kept in the session); the
    applicant taps a face, optionally tags and a case number, and sends; the page resets."""
    windows = _windows(request.user)
    if not windows:
        raise PermissionDenied(_("Only counter clerks of a service centre use the rating tablet."))
    if request.GET.get("window") == "":  # "change window"
        request.session.pop("rating_window", None)
    chosen = request.GET.get("window") or request.session.get("rating_window")
    window = next((w for w in windows if str(w.pk) == str(chosen)), None)
    if window is None:
        return render(request, "workbench/ratings/counter_setup.html", {"windows": windows, "nav": "counter"})
    request.session["rating_window"] = window.pk
    values: dict[str, Any] = {"level": "", "tags": [], "comment": "", "case_number": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        level = request.POST.get("level", "")
        grade = grade_of(int(level)) if level.isdigit() and int(level) in Level.values else ""
        values = {
            "level": level,
            "tags": request.POST.getlist(f"tags_{grade}")[:10] if grade else [],
            "comment": request.POST.get("comment", "")[:2000],
            "case_number": request.POST.get("case_number", "")[:40],
        }
        try:
            services.counter_rating_submit(actor=request.user, window=window, **values)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect(f"{reverse('workbench:counter_rate')}?thanks=1")
    anchors = {"level": "#level-5", "tags": "#tags", "comment": "#f-comment", "case_number": "#f-case-number"}
    return render(
        request,
        "workbench/ratings/counter_rate.html",
        {
            "window": window,
            "thanks": request.GET.get("thanks") == "1" and request.method == "GET",
            "levels": [(v, FACES[v], str(Level(v).label)) for v in sorted(Level.values, reverse=True)],
            "tag_groups": [
                (g, [(c, str(label)) for c, label in TAGS[g]]) for g in ("good", "neutral", "bad")
            ],
            "values": values,
            "errors": errors,
            "max_comment": services.MAX_COMMENT,
            "error_links": [(anchors.get(f, ""), m) for f, ms in errors.items() for m in ms],
        },
        status=400 if errors else 200,
    )


def is_rating_staff(user: Any) -> bool:
    """Whether the 好差评 link shows in the navigation (any staff role but evaluator)."""
    return StaffRole.objects.filter(user=user).exclude(role=Role.EVALUATOR).exists()
