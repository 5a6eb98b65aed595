"""Apply online (在线办理): start page → one page per form step → materials → check your answers →
confirmation. The draft is saved at every step, so the applicant can resume it from 我的办件; a
case waiting for a correction goes through the same pages and is filed again from the check page.

Thin views: ``cases.forms`` parses and validates, ``cases.services`` writes.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from onevisit.cases import commitment as approval
from onevisit.cases import evidence, forms, instant, services, tolerance
from onevisit.cases.models import Case, Channel, SuppliedMaterial
from onevisit.catalog import selectors as catalog
from onevisit.catalog.models import ServiceItem
from onevisit.core import crypto
from onevisit.identity.login import client_ip
from onevisit.identity.models import ApplicantAccount

from . import scope
from .account import applicant_required

logger = logging.getLogger(__name__)
EDITABLE = (Case.Status.DRAFT, Case.Status.CORRECTION)
MASKED_ELEMENTS = ("applicant.id_number", "org.uscc")


@dataclass
class Row:
    """One field on a page: what the applicant typed (as text) and the message that says how to fix it."""

    field: forms.Field
    value: str
    error: str = ""
    trusted: evidence.Trusted | None = None

    @property
    def trusted_display(self) -> str:
        return _display(self.field, self.trusted.value) if self.trusted is not None else ""

    @property
    def element_id(self) -> str:
        return f"f-{self.field.name}"

    @property
    def hint(self) -> str:
        return str(self.field.schema.get("description") or "")

    @property
    def options(self) -> list[tuple[str, str]]:
        if self.field.kind == "boolean":
            return [("true", _("Yes")), ("false", _("No"))]
        return [(str(c), str(c)) for c in self.field.choices]

    @property
    def long(self) -> bool:
        return int(self.field.schema.get("maxLength") or 0) > 200


def can_apply_online(item: ServiceItem) -> bool:
    version = item.current_version
    return item.status == ServiceItem.Status.ACTIVE and version is not None and version.online


def _item(code: str) -> ServiceItem:
    item = catalog.item_guide(code=code)
    if item is None or item.current_version is None:
        raise Http404
    return item


def _case(account: ApplicantAccount, code: str, pk: int) -> Case:
    return get_object_or_404(scope.visible_cases(account), pk=pk, item_version__item__code=code)


def _editable(account: ApplicantAccount, code: str, pk: int) -> Case:
    case = _case(account, code, pk)
    if case.status not in EDITABLE:
        raise Http404
    return case


def _schema(case: Case) -> dict[str, Any]:
    return case.item_version.form.schema


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _display(field: forms.Field, value: Any) -> str:
    if value in (None, ""):
        return _("Not given")
    if field.kind == "boolean":
        return _("Yes") if value else _("No")
    if field.schema.get("x-data-element") in MASKED_ELEMENTS:
        return crypto.mask(str(value), 4, 4)
    return str(value)


def _prefill(schema: dict[str, Any], account: ApplicantAccount, profile: scope.Profile) -> dict[str, Any]:
    """Values the platform already knows, by each field's data element (数据元)."""
    person, org = profile.person, profile.organization
    known: dict[str, str] = {
        "applicant.name": person.name,
        "applicant.id_number": crypto.decrypt(person.id_number_encrypted),
        "applicant.phone": account.phone,
    }
    if org is not None:
        known |= {
            "org.name": org.name,
            "org.uscc": crypto.decrypt(org.uscc_encrypted),
            "org.legal_representative": org.legal_representative,
        }
    data = {}
    for field in forms.fields_of(schema):
        value = known.get(str(field.schema.get("x-data-element") or ""))
        if value and field.kind == "text":
            data[field.name] = value[: field.max_length]
    return data


def _service_errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _field_errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"": " ".join(_service_errors(exc))}


def resume_url(case: Case) -> str:
    """Where an unfinished application goes on: the first step with something to fix, the materials
    if some are missing, else the check page."""
    code = case.item_version.item.code
    schema = _schema(case)
    errors = forms.validate(schema, case.form_data)
    for n, (_title, fields) in enumerate(forms.steps_of(schema), start=1):
        if any(f.name in errors for f in fields):
            return reverse("portal:apply_step", args=[code, case.pk, n])
    if _still_missing(case):
        return reverse("portal:apply_materials", args=[code, case.pk])
    return reverse("portal:apply_check", args=[code, case.pk])


def _still_missing(case: Case) -> list[Any]:
    """Missing materials not marked "supply later" (容缺)."""
    later = set(case.gaps.values_list("requirement_id", flat=True))
    return [m for m in services.missing_materials(case) if m.pk not in later]


def _step_list(case: Case, current: str) -> list[dict[str, Any]]:
    """The step list on the side of every page: the form's steps, materials, check."""
    code = case.item_version.item.code
    items: list[dict[str, Any]] = [
        {"title": title, "url": reverse("portal:apply_step", args=[code, case.pk, n]), "key": f"step-{n}"}
        for n, (title, _fields) in enumerate(forms.steps_of(_schema(case)), start=1)
    ]
    items.append(
        {
            "title": _("Materials"),
            "url": reverse("portal:apply_materials", args=[code, case.pk]),
            "key": "materials",
        }
    )
    items.append(
        {
            "title": _("Check your answers"),
            "url": reverse("portal:apply_check", args=[code, case.pk]),
            "key": "check",
        }
    )
    for item in items:
        item["current"] = item["key"] == current
    return items


# --- Start ---------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def start(request: HttpRequest, account: ApplicantAccount, code: str) -> HttpResponse:
    item = _item(code)
    if not can_apply_online(item):
        return render(request, "portal/apply/closed.html", {"item": item}, status=404)
    version = item.current_version
    assert version is not None
    profile = scope.profile_of(request, account)
    error = ""
    if request.method == "POST":
        try:
            case = services.case_draft_save(
                actor=request.user,
                version=version,
                form_data=_prefill(version.form.schema, account, profile),
                channel=Channel.ONLINE,
                person=None if profile.organization else profile.person,
                organization=profile.organization,
                agent=profile.person if profile.organization else None,
            )
            known = {name: t.value for name, t in evidence.trusted_values(case).items()}
            if known:
                case = services.case_draft_save(
                    actor=request.user, version=version, form_data=known, channel=case.channel, case=case
                )
        except ValidationError as exc:
            error = " ".join(_service_errors(exc))
        else:
            return redirect("portal:apply_step", code=code, pk=case.pk, n=1)
    drafts = scope.profile_cases(request, account).filter(item_version=version, status=Case.Status.DRAFT)
    return render(
        request,
        "portal/apply/start.html",
        {
            "item": item,
            "version": version,
            "materials": list(version.materials.all()),
            "steps": [title for title, _fields in forms.steps_of(version.form.schema)],
            "profile": profile,
            "drafts": [(d, resume_url(d)) for d in drafts[:3]],
            "error": error,
        },
        status=400 if error else 200,
    )


# --- Form steps ----------------------------------------------------------------------------------


def _after_step(request: HttpRequest, case: Case, n: int, total: int) -> str:
    code = case.item_version.item.code
    if request.GET.get("next") == "check":
        return reverse("portal:apply_check", args=[code, case.pk])
    if n < total:
        return reverse("portal:apply_step", args=[code, case.pk, n + 1])
    return reverse("portal:apply_materials", args=[code, case.pk])


def _raw(request: HttpRequest, fields: list[forms.Field]) -> dict[str, str]:
    return {f.name: request.POST.get(f.name, "")[: 20 * f.max_length] for f in fields}


def _check_fields(case: Case, raw: dict[str, str], names: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    schema = _schema(case)
    data = forms.coerce(schema, raw)
    merged = {k: v for k, v in case.form_data.items() if k not in names} | data
    return data, forms.validate(schema, merged, only=names)


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def step(request: HttpRequest, account: ApplicantAccount, code: str, pk: int, n: int) -> HttpResponse:
    case = _editable(account, code, pk)
    steps = forms.steps_of(_schema(case))
    if not 1 <= n <= len(steps):
        raise Http404
    title, fields = steps[n - 1]
    names = [f.name for f in fields]
    errors: dict[str, str] = {}
    trusted = evidence.trusted_values(case, only=names)
    if request.method == "POST":
        raw = _raw(request, fields)
        # What trusted data says is not the applicant's to change (秒填); it is checked again at filing.
        raw |= {name: _text(t.value) for name, t in trusted.items() if name in names}
        data, errors = _check_fields(case, raw, names)
        if not errors:
            try:
                services.case_draft_save(
                    actor=request.user,
                    version=case.item_version,
                    form_data=data,
                    channel=case.channel,
                    case=case,
                    page_fields=names,
                )
            except ValidationError as exc:
                errors = _field_errors(exc)
        if not errors:
            return redirect(_after_step(request, case, n, len(steps)))
    else:
        raw = {name: _text(case.form_data.get(name)) for name in names}
    rows = [Row(f, raw.get(f.name, ""), errors.get(f.name, ""), trusted.get(f.name)) for f in fields]
    return render(
        request,
        "portal/apply/step.html",
        {
            "case": case,
            "item": case.item_version.item,
            "title": title,
            "n": n,
            "total": len(steps),
            "rows": rows,
            "error_links": [(f"#{r.element_id}", r.error) for r in rows if r.error]
            + [("", m) for k, m in errors.items() if k not in names],
            "step_list": _step_list(case, f"step-{n}"),
            "back": reverse("portal:apply_step", args=[code, pk, n - 1])
            if n > 1
            else reverse("portal:apply", args=[code]),
            "next_check": request.GET.get("next") == "check",
        },
        status=400 if errors else 200,
    )


@require_POST
@applicant_required
def validate_field(
    request: HttpRequest, account: ApplicantAccount, code: str, pk: int, name: str
) -> HttpResponse:
    """htmx: check one field as the applicant leaves it; answers with the field's partial."""
    case = _editable(account, code, pk)
    field = next((f for f in forms.fields_of(_schema(case)) if f.name == name), None)
    if field is None:
        raise Http404
    trusted = evidence.trusted_values(case, only=[name]).get(name)
    raw = _raw(request, [field])
    if trusted is not None:
        raw[name] = _text(trusted.value)
    _data, errors = _check_fields(case, raw, [name])
    return render(
        request,
        "portal/apply/_field.html",
        {
            "row": Row(field, raw[name], errors.get(name, ""), trusted),
            "case": case,
            "item": case.item_version.item,
        },
    )


# --- Materials -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def materials(request: HttpRequest, account: ApplicantAccount, code: str, pk: int) -> HttpResponse:
    case = _editable(account, code, pk)
    requirements = list(case.item_version.materials.all())
    known = evidence.evidence_for(case)
    errors: dict[int, str] = {}
    offered = tolerance.offered(case)
    promise_offered = approval.offered(case)
    if request.method == "POST":
        promised_before = {r.pk for r in approval.replaced(case)}
        for requirement in requirements:
            upload = request.FILES.get(f"m-{requirement.pk}")
            replace = request.POST.get(f"promise-{requirement.pk}") == "1" and upload is None
            if replace or requirement.pk in promised_before:
                try:
                    approval.commitment_mark(
                        actor=request.user, case=case, requirement=requirement, replace=replace
                    )
                except ValidationError as exc:
                    errors[requirement.pk] = " ".join(_service_errors(exc))
                    continue
            later = request.POST.get(f"later-{requirement.pk}") == "1" and upload is None and not replace
            if later or case.gaps.filter(requirement=requirement).exists():
                try:
                    tolerance.gap_mark(actor=request.user, case=case, requirement=requirement, later=later)
                except ValidationError as exc:
                    errors[requirement.pk] = " ".join(_service_errors(exc))
            if upload is None:
                continue
            try:
                services.material_upload(
                    actor=request.user,
                    case=case,
                    requirement=requirement,
                    stream=upload,
                    name=upload.name or "",
                )
            except ValidationError as exc:
                errors[requirement.pk] = " ".join(_service_errors(exc))
        if not errors:
            for requirement in _still_missing(case):
                errors[requirement.pk] = (
                    _("Upload %(name)s, or replace it by a commitment.")
                    if promise_offered and requirement.commitment_replaceable
                    else _("Upload %(name)s, or choose to supply it later.")
                    if offered and requirement.tolerable
                    else _("Upload %(name)s.")
                ) % {"name": requirement.name}
        if not errors:
            return redirect("portal:apply_check", code=code, pk=pk)
    supplied: dict[int, list[Any]] = {}
    for material in case.materials.exclude(source=SuppliedMaterial.Source.COMMITMENT):
        supplied.setdefault(material.requirement_id, []).append(material)
    return render(
        request,
        "portal/apply/materials.html",
        {
            "case": case,
            "item": case.item_version.item,
            "rows": [
                (r, supplied.get(r.pk, []), errors.get(r.pk, ""), known.get(r.pk)) for r in requirements
            ],
            "offered": offered,
            "later": set(case.gaps.values_list("requirement_id", flat=True)),
            "tolerance_days": tolerance.max_days(case),
            "promise_offered": promise_offered,
            "credit_barred": _credit_barred(case, offered=offered, promise_offered=promise_offered),
            "promised": {r.pk for r in approval.replaced(case)},
            "error_links": [(f"#m-{k}", m) for k, m in errors.items()],
            "step_list": _step_list(case, "materials"),
            "back": reverse("portal:apply_step", args=[code, pk, len(forms.steps_of(_schema(case)))]),
        },
        status=400 if errors else 200,
    )


def _credit_barred(case: Case, *, offered: bool, promise_offered: bool) -> dict[str, Any] | None:
    """Why 告知承诺 or 容缺, which the item allows, is not offered: the credit records that bar it."""
    promise = approval.item_allows(case.item_version) and not promise_offered
    later = tolerance.item_allows(case) and not offered
    if not (promise or later):
        return None
    records = tolerance.credit_barring(case, for_commitment=promise and not later)
    if not records:
        return None
    kinds = sorted({str(r.get_kind_display()) for r in records})
    return {"promise": promise, "later": later, "kinds": "、".join(kinds)}


# --- Check your answers, submit, confirmation ----------------------------------------------------


def _check_page(request: HttpRequest, case: Case, errors: list[str], status: int = 200) -> HttpResponse:
    code = case.item_version.item.code
    trusted = evidence.trusted_values(case)
    known = evidence.evidence_for(case)
    sections = []
    for n, (title, fields) in enumerate(forms.steps_of(_schema(case)), start=1):
        change = reverse("portal:apply_step", args=[code, case.pk, n]) + "?next=check"
        sections.append(
            {
                "title": title,
                "rows": [
                    (f, _display(f, case.form_data.get(f.name)), change, trusted.get(f.name)) for f in fields
                ],
            }
        )
    supplied: dict[int, list[Any]] = {}
    for material in case.materials.all():
        supplied.setdefault(material.requirement_id, []).append(material)
    later = tolerance.to_sign(case, known)
    promised = approval.replaced(case)
    return render(
        request,
        "portal/apply/check.html",
        {
            "case": case,
            "item": case.item_version.item,
            "sections": sections,
            "materials": [
                (r, supplied.get(r.pk, []), known.get(r.pk)) for r in case.item_version.materials.all()
            ],
            "uses_data": bool(trusted) or any(r not in supplied for r in known),
            "idempotency_key": uuid.uuid4(),
            "errors": errors,
            "error_links": [("", e) for e in errors],
            "step_list": _step_list(case, "check"),
            "correcting": case.status == Case.Status.CORRECTION,
            "later": {r.pk for r in later},
            "commitment": tolerance.commitment_text(case, later) if later else "",
            "approval_commitment": approval.commitment_text(case, promised) if promised else "",
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
@applicant_required
def check(request: HttpRequest, account: ApplicantAccount, code: str, pk: int) -> HttpResponse:
    return _check_page(request, _editable(account, code, pk), [])


@require_POST
@applicant_required
def submit(request: HttpRequest, account: ApplicantAccount, code: str, pk: int) -> HttpResponse:
    """File the case (or the correction). The page's key makes a double click file one case."""
    case = _case(account, code, pk)
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", "")[:64])
    except ValueError:
        return _check_page(
            request, case, [_("The page was out of date. Check your answers and submit again.")], 400
        )
    if case.status not in EDITABLE:
        # A second click of the same page, or a page left open after filing.
        return redirect("portal:apply_done", code=code, pk=pk) if case.number else redirect("portal:cases")
    try:
        if case.status == Case.Status.CORRECTION and case.accepted_on is not None:
            services.case_resubmit_correction(actor=request.user, case=case)
        else:
            case = services.case_submit(
                actor=request.user,
                case=case,
                idempotency_key=key,
                commitment=request.POST.get("commitment", "")[:20000]
                if "commitment" in request.POST
                else None,
                approval_commitment=request.POST.get("approval_commitment", "")[:20000]
                if "approval_commitment" in request.POST
                else None,
                ip=client_ip(request),
            )
            if instant.is_instant(case) and case.status == Case.Status.SUBMITTED:
                try:
                    instant.case_instant_decide(actor=request.user, case=case)
                except Exception:  # the case is filed; if the rules fail, people take it over
                    logger.exception("instant decision failed for case %s", case.number)
    except ValidationError as exc:
        case.refresh_from_db()
        if case.status not in EDITABLE:
            return redirect("portal:apply_done", code=code, pk=pk)
        return _check_page(request, case, _service_errors(exc), 400)
    return redirect("portal:apply_done", code=code, pk=pk)


@never_cache
@require_http_methods(["GET"])
@applicant_required
def done(request: HttpRequest, account: ApplicantAccount, code: str, pk: int) -> HttpResponse:
    case = _case(account, code, pk)
    if not case.number or case.status in EDITABLE:
        raise Http404
    decision = getattr(case, "decision", None)
    return render(
        request,
        "portal/apply/done.html",
        {"case": case, "item": case.item_version.item, "decision": decision, "manual": _instant_manual(case)},
    )


def _instant_manual(case: Case) -> str:
    """Why the rules handed the case to people, if they did."""
    event = case.events.filter(kind="instant_manual").order_by("-at").first()
    return str(event.data.get("rule_trace", {}).get("reason", "")) if event is not None else ""
