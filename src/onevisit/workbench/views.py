"""The staff workbench: inbox (待办, 待受理) and the case page with its actions. Views are thin:
each POST parses a form and calls one cases service; errors come back as messages on the page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from onevisit.cases import commitment as approval
from onevisit.cases import selectors as case_selectors
from onevisit.cases import services as case_services
from onevisit.cases.access import case_read_log
from onevisit.cases.forms import display_value, fields_of
from onevisit.cases.instant import case_decision_overturn, may_review
from onevisit.cases.issuance import case_certificate_complete, missing_fields
from onevisit.cases.models import Case, Decision, ExtensionRequest
from onevisit.core.audit import audit_log
from onevisit.identity.forms import StaffAuthenticationForm
from onevisit.org.models import Role, StaffRole
from onevisit.workflow.exceptions import WorkflowError
from onevisit.workflow.models import WorkItem
from onevisit.workflow.rules import rule_inputs
from onevisit.workflow.services import work_item_claim

from . import forms


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect(f"{reverse('workbench:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped


class LoginView(auth_views.LoginView):
    template_name = "workbench/login.html"
    authentication_form = StaffAuthenticationForm  # staff only, throttled and audited
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("workbench:inbox")


@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """待办 due first, filtered by the query string (a GET form: links can be shared and bookmarked)."""
    today = timezone.localdate()
    user = request.user
    form = forms.InboxFilterForm(
        request.GET,
        departments=case_selectors.inbox_departments(user=user),
        items=case_selectors.inbox_items(user=user),
    )
    filters, notes = form.filters()
    inbox = case_selectors.inbox_for_staff(user=user, filters=filters, today=today)
    chosen = {k: v for k, v in vars(filters).items() if v}
    return render(
        request,
        "workbench/inbox.html",
        {
            "form": form,
            "notes": notes,
            "filtered": bool(chosen),
            "rows": inbox.rows,
            "counts": [
                (level, inbox.counts[level], _urgency_query(form, level), filters.urgency == level)
                for level in case_selectors.URGENCIES
            ],
            "to_accept": inbox.to_accept,
            "today": today,
        },
    )


def _urgency_query(form: forms.InboxFilterForm, level: str) -> str:
    """The query string of the current filters with the urgency set to ``level``."""
    data = {name: form.data.get(name, "") for name in form.fields}
    data["urgency"] = level
    return urlencode({k: v for k, v in data.items() if v})


def _staff_department(user: Any, case: Case) -> Any:
    """The department in whose name a staff member reads a case: the case's, else one of theirs."""
    roles = StaffRole.objects.filter(user=user).select_related("department")
    return next((r.department for r in roles if r.department_id == case.department_id), None) or next(
        (r.department for r in roles), None
    )


def _case(request: HttpRequest, pk: int) -> Case:
    case = case_selectors.cases_for_staff(user=request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@require_GET
@staff_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    version = case.item_version
    user: Any = request.user
    departments = set(StaffRole.objects.filter(user=user).values_list("department_id", flat=True))
    my_items = [
        i
        for i in WorkItem.objects.filter(
            instance_id=case.process_instance_id, status__in=WorkItem.ACTIVE
        ).select_related("department")
        if i.department_id in departments
    ]
    is_approver = StaffRole.objects.filter(user=user, department=case.department, role=Role.APPROVER).exists()
    department = _staff_department(user, case)
    role = StaffRole.objects.filter(user=user, department=department).first()
    with transaction.atomic():
        case_read_log(
            actor=user, case=case, kind="case_file", purpose=_("Handle the case"), department=department,
            role=role.get_role_display() if role else "",
        )  # fmt: skip
    decision = getattr(case, "decision", None)
    return render(
        request,
        "workbench/case.html",
        {
            "case": case,
            "fields": [
                (f.title, display_value(f, case.form_data.get(f.name)))
                for f in fields_of(version.form.schema)
            ],
            "requirements": list(version.materials.all()),
            "supplied": list(case.materials.select_related("requirement")),
            "gaps": list(case.gaps.select_related("requirement")),
            "approval_commitment": approval.signed(case),
            "approval_replaced": approval.replaced(case),
            "events": case.events.select_related("department"),
            # One form per step, each with its own ids (a department may hold two steps at once).
            "my_items": [(item, forms.StepForm(auto_id=f"step{item.pk}-%s")) for item in my_items],
            "correction_form": forms.CorrectionForm(materials=version.materials.all()),
            "refuse_form": forms.DecisionForm(),
            "suspend_form": forms.SuspendForm(),
            "extension_form": forms.ExtensionForm(),
            "pending_extensions": case.extensions.filter(status=ExtensionRequest.Status.PENDING)
            if is_approver
            else [],
            "decision": decision,
            "certificate_fields": missing_fields(case)
            if case.status == Case.Status.APPROVED and not case.certificate_number and may_review(user, case)
            else [],
            "rule_inputs": _rule_inputs(version, decision),
            "earlier_decisions": _earlier_decisions(decision),
            "overturn_form": forms.OverturnForm()
            if decision is not None and decision.automatic and may_review(user, case)
            else None,
            "work_items": WorkItem.objects.filter(instance_id=case.process_instance_id)
            .select_related("department")
            .order_by("pk")
            if case.process_instance_id
            else [],
        },
    )


def _earlier_decisions(decision: Any) -> list[dict[str, Any]]:
    """The decisions replaced on review, with the outcome in words and the time as a datetime (the
    history keeps the value and an ISO string in UTC)."""
    labels = dict(Decision.Outcome.choices)
    return [
        {
            **earlier,
            "outcome_label": labels.get(earlier.get("outcome"), earlier.get("outcome")),
            "at": parse_datetime(str(earlier.get("decided_at") or "")),
        }
        for earlier in (decision.history if decision is not None else [])
    ]


def _rule_inputs(version: Any, decision: Any) -> list[tuple[str, Any]]:
    """The inputs the rules decided on, labelled by the form's titles and masked like the form."""
    trace = (
        (decision.rule_trace or (decision.history[0].get("rule_trace") if decision.history else {}))
        if decision
        else {}
    )
    inputs = (trace or {}).get("inputs") or {}
    definition = getattr(version, "rules", None)
    if definition is not None:  # only what the table's columns read, in their order
        try:
            read = [c.expression for c in rule_inputs(definition.dmn_xml) if c.expression.isidentifier()]
        except WorkflowError:
            read = []
        inputs = {name: inputs.get(name) for name in read} if read else inputs
    fields = {f.name: f for f in fields_of(version.form.schema)}
    return [
        (
            fields[name].title if name in fields else name,
            display_value(fields[name], value) if name in fields else value,
        )
        for name, value in inputs.items()
    ]


def _act(request: HttpRequest, case: Case, action: Callable[[], Any], done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("workbench:case", pk=case.pk)


def _invalid(form: Any) -> Callable[[], None]:
    def fail() -> None:
        raise ValidationError([str(e) for errors in form.errors.values() for e in errors])

    return fail


@require_POST
@staff_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case(request, pk)
    user, post = request.user, request.POST
    if action == "accept":
        return _act(
            request,
            case,
            lambda: case_services.case_accept(actor=user, case=case, at_counter=case.channel == "counter"),
            _("The case is accepted."),
        )
    if action == "correction":
        form = forms.CorrectionForm(post, materials=case.item_version.materials.all())
        if not form.is_valid():
            return _act(request, case, _invalid(form), "")
        return _act(
            request,
            case,
            lambda: case_services.case_request_correction(
                actor=user,
                case=case,
                missing=list(form.cleaned_data["missing"]),
                note=form.cleaned_data["note"],
            ),
            _("The notice of everything missing was sent."),
        )
    if action == "refuse":
        return _act(
            request,
            case,
            lambda: case_services.case_refuse(
                actor=user,
                case=case,
                reasons=post.get("reasons", ""),
                legal_basis=post.get("legal_basis", ""),
                at_counter=case.channel == "counter",
            ),
            _("The case is not accepted."),
        )
    if action in ("claim", "complete"):
        item = WorkItem.objects.filter(
            pk=post.get("work_item") or 0, instance_id=case.process_instance_id
        ).first()
        if item is None:
            raise Http404
        if action == "claim":
            return _act(
                request,
                case,
                lambda: work_item_claim(actor=user, work_item=item),
                _("You have taken this step."),
            )
        return _act(
            request,
            case,
            lambda: case_services.case_step_complete(
                actor=user,
                case=case,
                work_item=item,
                decision=post.get("decision", ""),
                opinion=post.get("opinion", ""),
                legal_basis=post.get("legal_basis", ""),
            ),
            _("The step is done."),
        )
    if action == "certificate":
        keys = [f["key"] for f in missing_fields(case)]
        return _act(
            request,
            case,
            lambda: case_certificate_complete(
                actor=user, case=case, values={k: post.get(f"c-{k}", "")[:1000] for k in keys}
            ),
            _("The certificate is issued and in the applicant's wallet."),
        )
    if action == "overturn":
        overturn = forms.OverturnForm(post)
        if not overturn.is_valid():
            return _act(request, case, _invalid(overturn), "")
        return _act(
            request,
            case,
            lambda: case_decision_overturn(actor=user, case=case, **overturn.cleaned_data),
            _("The automatic decision is replaced and the applicant is told."),
        )
    if action == "suspend":
        suspend = forms.SuspendForm(post)
        if not suspend.is_valid():
            return _act(request, case, _invalid(suspend), "")
        return _act(
            request,
            case,
            lambda: case_services.case_suspend(actor=user, case=case, **suspend.cleaned_data),
            _("The clock is stopped and the applicant is told."),
        )
    if action == "resume":
        return _act(
            request, case, lambda: case_services.case_resume(actor=user, case=case), _("Handling continues.")
        )
    if action == "extend":
        return _act(
            request,
            case,
            lambda: case_services.case_extension_request(
                actor=user, case=case, reason=post.get("reason", "")
            ),
            _("The extension waits for the approver."),
        )
    if action in ("extension-approve", "extension-refuse"):
        request_obj = case.extensions.filter(pk=post.get("request") or 0).first()
        if request_obj is None:
            raise Http404
        return _act(
            request,
            case,
            lambda: case_services.case_extension_decide(
                actor=user, request=request_obj, approve=action == "extension-approve"
            ),
            _("The extension request is decided."),
        )
    raise Http404


VIEWABLE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
# The file is a sandboxed document of its own (no scripts, no forms, an opaque origin) that only
# the workbench may frame. The <iframe> itself carries no sandbox attribute: Chromium refuses to
# show a PDF in a sandboxed frame, but shows it under this header's sandbox.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"


@require_GET
@staff_required
@xframe_options_sameorigin
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    material = case_selectors.material_for_staff(user=request.user, pk=pk)
    if material is None or not material.file:
        raise Http404
    viewable = material.content_type in VIEWABLE_TYPES
    content_type = material.content_type if viewable else "application/octet-stream"
    disposition = "inline" if viewable and not request.GET.get("download") else "attachment"
    response = FileResponse(material.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="material-{material.pk}{material.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def material_viewer(request: HttpRequest, pk: int, material: int) -> HttpResponse:
    """One file of a case at a time (PDF in an embedded viewer, images inline), with previous/next."""
    case = _case(request, pk)
    files = list(case.materials.exclude(file="").select_related("requirement"))
    index = next((n for n, m in enumerate(files) if m.pk == material), None)
    if index is None:
        raise Http404
    current = files[index]
    with transaction.atomic():
        audit_log(actor=request.user, action="material_viewed", obj=current, data={"case": case.pk})
        case_read_log(
            actor=request.user, case=case, kind="material",
            purpose=_("Check the material %(name)s") % {"name": current.requirement.name},
            department=_staff_department(request.user, case),
        )  # fmt: skip
    return render(
        request,
        "workbench/material.html",
        {
            "case": case,
            "material": current,
            "files": files,
            "position": index + 1,
            "previous": files[index - 1] if index > 0 else None,
            "next": files[index + 1] if index + 1 < len(files) else None,
            "is_pdf": current.content_type == "application/pdf",
            "is_image": current.content_type in ("image/jpeg", "image/png"),
        },
    )
