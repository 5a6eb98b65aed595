"""事后核查 pages: supervisors draw post-checks for their region's items; inspectors record results."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from onevisit.catalog.models import ServiceItem
from onevisit.core.audit import audit_log
from onevisit.supervision import selectors, services
from onevisit.supervision.models import PostCheck

from .views import FILE_CSP, VIEWABLE_TYPES, staff_required


class ItemChoiceField(forms.ModelChoiceField):
    """A service, named with the ratio a draw uses for it when none is entered."""

    def label_from_instance(self, obj: ServiceItem) -> str:
        return _("%(code)s %(name)s (ratio %(ratio)d%%)") % {
            "code": obj.code, "name": obj.name, "ratio": services.default_ratio(obj),
        }  # fmt: skip


RATIO_MESSAGE = gettext_lazy("The ratio must be a whole number of percent from 1 to 100.")


class DrawForm(forms.Form):
    item: forms.ModelChoiceField = ItemChoiceField(queryset=None, label=gettext_lazy("Service"))
    since = forms.DateField(
        label=gettext_lazy("Decided from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=gettext_lazy("Decided until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ratio = forms.IntegerField(
        label=gettext_lazy("Ratio (percent)"),
        help_text=gettext_lazy("Leave empty to use the service's own ratio, shown after its name."),
        required=False,
        min_value=1,
        max_value=100,
        error_messages={"min_value": RATIO_MESSAGE, "max_value": RATIO_MESSAGE, "invalid": RATIO_MESSAGE},
    )
    seed = forms.CharField(
        label=gettext_lazy("Seed (leave empty for a random one)"),
        required=False,
        max_length=services.MAX_SEED,
    )

    REQUIRED = {
        "item": gettext_lazy("Choose the service whose approvals are checked."),
        "since": gettext_lazy("Enter the first day of the period, e.g. 2026-11-01."),
        "until": gettext_lazy("Enter the last day of the period, e.g. 2026-11-30."),
    }

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["item"].queryset = selectors.items_supervised(user).select_related(  # type: ignore[attr-defined]
            "current_version"
        )
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages["required"] = message


class ResultForm(forms.Form):
    REQUIRED = {
        "outcome": gettext_lazy("Choose whether the commitment is true or false."),
        "note": gettext_lazy("Say what was checked and what was found."),
        "evidence": gettext_lazy("Attach the evidence: a PDF, JPEG or PNG file."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages["required"] = message

    outcome = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=[(PostCheck.Status.PASSED, gettext_lazy("The commitment is true")),
                 (PostCheck.Status.FALSE_COMMITMENT, gettext_lazy("The commitment is false: revoke the approval"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    note = forms.CharField(
        label=gettext_lazy("What was checked and found"), widget=forms.Textarea, max_length=2000
    )
    evidence = forms.FileField(label=gettext_lazy("Evidence (PDF, JPEG or PNG)"))


def _errors_into(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@staff_required
def post_checks(request: HttpRequest) -> HttpResponse:
    user = request.user
    supervises = selectors.items_supervised(user).exists()
    form = None
    if supervises:
        today = timezone.localdate()
        initial = {"since": today.replace(day=1), "until": today}
        form = DrawForm(request.POST or None, user=user, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                draw = services.post_check_draw(
                    actor=user, item=data["item"], since=data["since"], until=data["until"],
                    seed=data["seed"], ratio=data["ratio"],
                )  # fmt: skip
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(
                    request,
                    _("Drawn %(n)d of %(total)d cases with seed %(seed)s.")
                    % {"n": len(draw.sampled), "total": len(draw.population), "seed": draw.seed},
                )
                return redirect("workbench:post_check_draw", pk=draw.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "nav": "post_checks", "form": form,
        "error_form": form if form is not None and form.errors else None,
        "draws": selectors.draws_visible(user)[:50], "assigned": selectors.checks_assigned(user),
    }  # fmt: skip
    return render(
        request, "workbench/post_checks.html", context, status=400 if context["error_form"] else 200
    )


@staff_required
def post_check_draw(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draws_visible(request.user).filter(pk=pk).first()
    if draw is None:
        raise Http404
    checks = draw.checks.select_related("case").prefetch_related("inspectors")
    return render(
        request, "workbench/post_check_draw.html", {"nav": "post_checks", "draw": draw, "checks": checks}
    )


@staff_required
def post_check(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_visible(request.user, pk)
    if check is None:
        raise Http404
    is_inspector = check.inspectors.filter(pk=request.user.pk or 0).exists()
    form = ResultForm(request.POST or None, request.FILES or None) if is_inspector else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["evidence"]
            try:
                services.post_check_record(
                    actor=request.user, check=check, outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"], evidence=upload, evidence_name=upload.name,
                )  # fmt: skip
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("The result of the post-check is recorded."))
                return redirect("workbench:post_check", pk=check.pk)
    error_form = form if form is not None and form.errors else None
    context = {"nav": "post_checks", "check": check, "form": form, "error_form": error_form}
    return render(request, "workbench/post_check.html", context, status=400 if error_form else 200)


@require_GET
@staff_required
@xframe_options_sameorigin
def post_check_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file of a post-check, for its inspectors and the supervisors of its region only;
    served like a case material (nosniff, sandboxed, inline only for PDF and images)."""
    check = selectors.check_visible(request.user, pk)
    if check is None or not check.evidence:
        raise Http404
    viewable = check.evidence_type in VIEWABLE_TYPES
    content_type = check.evidence_type if viewable else "application/octet-stream"
    disposition = "inline" if viewable and not request.GET.get("download") else "attachment"
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        check.evidence_type, ""
    )
    with transaction.atomic():
        audit_log(
            actor=request.user, action="post_check_evidence_viewed", obj=check, data={"case": check.case_id}
        )
    response = FileResponse(check.evidence.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="post-check-{check.pk}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
