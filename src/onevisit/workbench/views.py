"""The staff workbench: inbox (待办, 待受理) and the case page with its actions. Views are thin:
each POST parses a form and calls one cases service; errors come back as messages on the page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onevisit.cases import selectors as case_selectors
from onevisit.cases import services as case_services
from onevisit.cases.forms import display_value, fields_of
from onevisit.cases.models import Case, ExtensionRequest
from onevisit.org.models import Role, StaffRole
from onevisit.workflow import selectors as workflow_selectors
from onevisit.workflow.exceptions import WorkflowError
from onevisit.workflow.models import WorkItem
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
    authentication_form = AdminAuthenticationForm  # staff only
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("workbench:inbox")


@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = list(workflow_selectors.work_items_for_department(user=request.user))
    case_of = {
        c.process_instance_id: c
        for c in Case.objects.filter(process_instance__in=[i.instance_id for i in items]).select_related(
            "item_version"
        )
    }
    rows = [(i, workflow_selectors.work_item_urgency(i, today), case_of.get(i.instance_id)) for i in items]
    counts = {level: sum(1 for _, u, _c in rows if u == level) for level in ("red", "yellow", "normal")}
    return render(
        request,
        "workbench/inbox.html",
        {
            "rows": rows,
            "counts": counts,
            "to_accept": case_selectors.cases_to_accept(user=request.user),
            "today": today,
        },
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
            "work_items": WorkItem.objects.filter(instance_id=case.process_instance_id)
            .select_related("department")
            .order_by("pk")
            if case.process_instance_id
            else [],
        },
    )


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


@require_GET
@staff_required
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    material = case_selectors.material_for_staff(user=request.user, pk=pk)
    if material is None or not material.file:
        raise Http404
    response = FileResponse(material.file.open("rb"), content_type=material.content_type)
    response["Content-Disposition"] = f'inline; filename="material-{material.pk}{material.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'"
    return response
