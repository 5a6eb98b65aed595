"""一件事 online: start → one page per part of the merged form → materials (each once) → check → the
bundle's page, which follows every department's case on one timeline.

Thin views: ``catalog.bundle_form`` merges, ``cases.bundles`` writes and derives.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onevisit.cases import bundle_gaps, bundles, evidence, forms, selectors, tolerance
from onevisit.cases.models import BundleCase, Case, CaseGap, Channel, SuppliedMaterial
from onevisit.catalog import bundle_form
from onevisit.catalog import selectors as catalog
from onevisit.identity.login import client_ip
from onevisit.identity.models import ApplicantAccount

from . import scope
from .account import applicant_required
from .apply import Row, _display, _field_errors, _prefill, _service_errors, _text
from .cases import CHIPS


def _bundle_case(account: ApplicantAccount, pk: int) -> BundleCase:
    return get_object_or_404(selectors.bundle_cases_of_applicant(person=account.person), pk=pk)


def _draft(account: ApplicantAccount, pk: int) -> BundleCase:
    bundle_case = _bundle_case(account, pk)
    if bundle_case.submitted_at is not None:
        raise Http404
    return bundle_case


def _fields(plan: bundle_form.Plan) -> dict[str, forms.Field]:
    return {f.name: f for f in forms.fields_of(plan.schema())}


def _steps(plan: bundle_form.Plan) -> list[tuple[str, list[forms.Field]]]:
    return forms.steps_of(plan.schema())


def _step_list(bundle_case: BundleCase, plan: bundle_form.Plan, current: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"title": title, "url": reverse("portal:bundle_step", args=[bundle_case.pk, n]), "key": f"step-{n}"}
        for n, (title, _fields) in enumerate(_steps(plan), start=1)
    ]
    items.append(
        {
            "title": _("Materials"),
            "url": reverse("portal:bundle_materials", args=[bundle_case.pk]),
            "key": "materials",
        }
    )
    items.append(
        {
            "title": _("Check your answers"),
            "url": reverse("portal:bundle_check", args=[bundle_case.pk]),
            "key": "check",
        }
    )
    for item in items:
        item["current"] = item["key"] == current
    return items


def _trusted(
    bundle_case: BundleCase, plan: bundle_form.Plan, keys: list[str] | None = None
) -> dict[str, evidence.Trusted]:
    """Values from trusted data (秒填), by merged field (of ``keys`` only, when given): what any
    child's trusted data says. Each child is asked only for the fields it has among them."""
    wanted = {k: plan.fields[k] for k in (keys if keys is not None else plan.fields)}
    by_item: dict[str, dict[str, Any]] = {}
    for code, child in bundles.children_of(bundle_case).items():
        names = [f.targets[code] for f in wanted.values() if code in f.targets]
        if names:
            by_item[code] = evidence.trusted_values(child, only=names)
    return {k: v for k, v in plan.merged_from(by_item).items() if k in wanted}


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def start(request: HttpRequest, account: ApplicantAccount, code: str) -> HttpResponse:
    bundle = get_object_or_404(catalog.published_bundles(), code=code)
    plan = bundle_form.plan(bundle)
    profile = scope.profile_of(request, account)
    error = ""
    if request.method == "POST":
        known = plan.merged_from(
            {m.code: _prefill(m.version.form.schema, account, profile) for m in plan.members}
        )
        try:
            bundle_case = bundles.bundle_start(
                actor=request.user,
                bundle=bundle,
                channel=Channel.ONLINE,
                form_data=known,
                person=None if profile.organization else profile.person,
                organization=profile.organization,
                agent=profile.person if profile.organization else None,
            )
        except ValidationError as exc:
            error = " ".join(_service_errors(exc))
        else:
            return redirect("portal:bundle_step", pk=bundle_case.pk, n=1)
    asked_separately = sum(len(m.version.form.schema.get("properties") or {}) for m in plan.members)
    drafts = selectors.bundle_cases_of_applicant(person=account.person).filter(
        bundle=bundle, submitted_at__isnull=True
    )
    return render(
        request,
        "portal/bundle_apply/start.html",
        {
            "bundle": bundle,
            "plan": plan,
            "asked": len(plan.fields),
            "asked_separately": asked_separately,
            "uploads": sum(1 for m in plan.materials if not (m.provided_by and not m.required)),
            "uploads_separately": sum(m.version.materials.count() for m in plan.members),
            "drafts": drafts[:3],
            "profile": profile,
            "error": error,
        },
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def step(request: HttpRequest, account: ApplicantAccount, pk: int, n: int) -> HttpResponse:
    bundle_case = _draft(account, pk)
    plan = bundles.plan_of(bundle_case)
    steps = _steps(plan)
    if not 1 <= n <= len(steps):
        raise Http404
    title, fields = steps[n - 1]
    names = [f.name for f in fields]
    trusted = _trusted(bundle_case, plan, names)
    errors: dict[str, str] = {}
    schema = plan.schema()
    if request.method == "POST":
        raw = {f.name: request.POST.get(f.name, "")[: 20 * f.max_length] for f in fields}
        raw |= {name: _text(t.value) for name, t in trusted.items()}
        data = forms.coerce(schema, raw)
        merged = {k: v for k, v in bundle_case.form_data.items() if k not in names} | data
        errors = forms.validate(schema, merged, only=names)
        if not errors:
            try:
                bundles.bundle_draft_save(
                    actor=request.user, bundle_case=bundle_case, form_data=data, page_fields=names
                )
            except ValidationError as exc:
                errors = _field_errors(exc)
        if not errors:
            if request.GET.get("next") == "check":
                return redirect("portal:bundle_check", pk=pk)
            if n < len(steps):
                return redirect("portal:bundle_step", pk=pk, n=n + 1)
            return redirect("portal:bundle_materials", pk=pk)
    else:
        raw = {name: _text(bundle_case.form_data.get(name)) for name in names}
    rows = [Row(f, raw.get(f.name, ""), errors.get(f.name, ""), trusted.get(f.name)) for f in fields]
    users = {f.name: [plan.member(code).version.name for code in plan.fields[f.name].targets] for f in fields}
    return render(
        request,
        "portal/bundle_apply/step.html",
        {
            "bundle_case": bundle_case,
            "title": title,
            "n": n,
            "total": len(steps),
            "rows": [(row, users[row.field.name]) for row in rows],
            "error_links": [(f"#{r.element_id}", r.error) for r in rows if r.error]
            + [("", m) for k, m in errors.items() if k not in names],
            "step_list": _step_list(bundle_case, plan, f"step-{n}"),
            "back": reverse("portal:bundle_step", args=[pk, n - 1])
            if n > 1
            else reverse("portal:bundle_apply", args=[bundle_case.bundle.code]),
            "next_check": request.GET.get("next") == "check",
        },
        status=400 if errors else 200,
    )


def _material_rows(
    bundle_case: BundleCase,
    plan: bundle_form.Plan,
    errors: dict[int, str],
    still: set[str] | None = None,
) -> list[dict[str, Any]]:
    children = bundles.children_of(bundle_case)
    offered = bundle_gaps.later_offered(bundle_case, plan, children)
    later = bundle_gaps.later_keys(bundle_case, plan, children)
    promise_offered = bundle_gaps.promise_offered(bundle_case, plan, children)
    promised = bundle_gaps.promise_keys(bundle_case, plan, children)
    supplied: dict[int, list[SuppliedMaterial]] = {}
    uploads = SuppliedMaterial.objects.filter(case__bundle_case=bundle_case).exclude(
        source=SuppliedMaterial.Source.COMMITMENT
    )
    for material in uploads.order_by("pk"):
        supplied.setdefault(material.requirement_id, []).append(material)
    known: dict[str, dict[int, Any]] = {}
    if still is None:
        still = {m.key for m in bundles.missing(bundle_case, plan)}
    rows = []
    for index, merged in enumerate(plan.materials):
        code, requirement = next(iter(merged.requirements.items()))
        files = supplied.get(requirement.pk, [])
        proof = None
        # Data stands in only when it does for every item asking; otherwise the upload is offered.
        if requirement.skippable and not files and merged.key not in still:
            if code not in known:
                known[code] = evidence.evidence_for(children[code])
            proof = known[code].get(requirement.pk)
        rows.append(
            {
                "index": index,
                "merged": merged,
                "requirement": requirement,
                "files": files,
                "evidence": proof,
                "for_items": [plan.member(c).version.name for c in merged.requirements],
                "provided_by": plan.member(merged.provided_by).version.name if merged.provided_by else "",
                "error": errors.get(index, ""),
                "later_offered": merged.key in offered and not files,
                "promise_offered": merged.key in promise_offered and not files,
                "promised": merged.key in promised and not files,
                # Working days to supply it after acceptance: the shortest of the items asking for it.
                "later_days": min(tolerance.max_days(children[c]) for c in merged.requirements)
                if merged.key in offered
                else 0,
                "later": merged.key in later and not files,
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def materials(request: HttpRequest, account: ApplicantAccount, pk: int) -> HttpResponse:
    bundle_case = _draft(account, pk)
    plan = bundles.plan_of(bundle_case)
    errors: dict[int, str] = {}
    keys: set[str] | None = None  # the merged materials still missing, once the uploads are in
    if request.method == "POST":
        marked = bundle_gaps.later_keys(bundle_case, plan)
        promised = bundle_gaps.promise_keys(bundle_case, plan)
        for index, merged in enumerate(plan.materials):
            upload = request.FILES.get(f"m-{index}")
            replace = request.POST.get(f"promise-{index}") == "1" and upload is None
            later = request.POST.get(f"later-{index}") == "1" and upload is None and not replace
            try:
                if replace != (merged.key in promised):  # 告知承诺: marked or taken back
                    bundle_gaps.bundle_promise_mark(
                        actor=request.user, bundle_case=bundle_case, material_key=merged.key, replace=replace
                    )
                    marked = bundle_gaps.later_keys(bundle_case, plan)  # a commitment takes the place of 容缺
                if later != (merged.key in marked):  # 容缺: marked or taken back
                    bundle_gaps.bundle_gap_mark(
                        actor=request.user, bundle_case=bundle_case, material_key=merged.key, later=later
                    )
                if upload is not None:
                    bundles.bundle_material_upload(
                        actor=request.user, bundle_case=bundle_case, material_key=merged.key, stream=upload,
                        name=upload.name or "",
                    )  # fmt: skip
            except ValidationError as exc:
                errors[index] = " ".join(_service_errors(exc))
        if not errors:
            keys = {m.key for m in bundles.missing(bundle_case, plan)}
            offered = bundle_gaps.later_offered(bundle_case, plan)
            promise_offered = bundle_gaps.promise_offered(bundle_case, plan)
            for index, merged in enumerate(plan.materials):
                if merged.key in keys:
                    errors[index] = (
                        _("Upload %(name)s, or replace it by a commitment.")
                        if merged.key in promise_offered
                        else _("Upload %(name)s, or choose to supply it later.")
                        if merged.key in offered
                        else _("Upload %(name)s.")
                    ) % {"name": merged.name}
        if not errors:
            return redirect("portal:bundle_check", pk=pk)
    return render(
        request,
        "portal/bundle_apply/materials.html",
        {
            "bundle_case": bundle_case,
            "rows": _material_rows(bundle_case, plan, errors, keys),
            "error_links": [(f"#m-{k}", m) for k, m in errors.items()],
            "step_list": _step_list(bundle_case, plan, "materials"),
            "back": reverse("portal:bundle_step", args=[pk, len(_steps(plan))]),
        },
        status=400 if errors else 200,
    )


def _check_page(
    request: HttpRequest, bundle_case: BundleCase, errors: list[str], status: int = 200
) -> HttpResponse:
    plan = bundles.plan_of(bundle_case)
    trusted = _trusted(bundle_case, plan)
    sections = []
    for n, (title, fields) in enumerate(_steps(plan), start=1):
        change = reverse("portal:bundle_step", args=[bundle_case.pk, n]) + "?next=check"
        sections.append(
            {
                "title": title,
                "rows": [
                    (f, _display(f, bundle_case.form_data.get(f.name)), change, trusted.get(f.name))
                    for f in fields
                ],
            }
        )
    return render(
        request,
        "portal/bundle_apply/check.html",
        {
            "bundle_case": bundle_case,
            "plan": plan,
            "sections": sections,
            "materials": _material_rows(bundle_case, plan, {}),
            "commitments": [
                (plan.member(code).version.name, code, text)
                for code, text in bundle_gaps.commitments_to_sign(bundle_case, plan).items()
            ],
            "approvals": [
                (plan.member(code).version.name, code, text)
                for code, text in bundle_gaps.approvals_to_sign(bundle_case, plan).items()
            ],
            "uses_data": bool(trusted),
            "idempotency_key": uuid.uuid4(),
            "errors": errors,
            "error_links": [("", e) for e in errors],
            "step_list": _step_list(bundle_case, plan, "check"),
        },
        status=status,
    )


@never_cache
@require_GET
@applicant_required
def check(request: HttpRequest, account: ApplicantAccount, pk: int) -> HttpResponse:
    return _check_page(request, _draft(account, pk), [])


def _signed(request: HttpRequest, prefix: str) -> dict[str, str]:
    """The commitment texts the check page posted back, by item code."""
    return {
        name.removeprefix(prefix)[:40]: str(request.POST.get(name, ""))[:20000]
        for name in request.POST
        if name.startswith(prefix)
    }


@require_POST
@applicant_required
def submit(request: HttpRequest, account: ApplicantAccount, pk: int) -> HttpResponse:
    """File the bundle; the page's key makes a double click file it once."""
    bundle_case = _bundle_case(account, pk)
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", "")[:64])
    except ValueError:
        return _check_page(
            request, bundle_case, [_("The page was out of date. Check your answers and submit again.")], 400
        )
    if bundle_case.submitted_at is not None:
        return redirect("portal:bundle_case", pk=pk)
    try:
        bundle_case = bundles.bundle_submit(
            actor=request.user, bundle_case=bundle_case, idempotency_key=key, ip=client_ip(request),
            commitments=_signed(request, "commitment-"),
            approvals=_signed(request, "approval-"),
        )  # fmt: skip
    except ValidationError as exc:
        bundle_case.refresh_from_db()
        if bundle_case.submitted_at is not None:
            return redirect("portal:bundle_case", pk=pk)
        problems = list(exc.message_dict.values()) if hasattr(exc, "error_dict") else [exc.messages]
        return _check_page(request, bundle_case, [m for ms in problems for m in ms], 400)
    bundles.bundle_instant(actor=request.user, bundle_case=bundle_case)
    return redirect("portal:bundle_case", pk=pk)


@never_cache
@require_GET
@applicant_required
def bundle_case(request: HttpRequest, account: ApplicantAccount, pk: int) -> HttpResponse:
    """The bundle's page: its derived status and deadlines, each service, one timeline."""
    bundle_case = _bundle_case(account, pk)
    if bundle_case.submitted_at is None:
        return redirect("portal:bundle_check", pk=pk)
    plan = bundles.plan_of(bundle_case)
    children = bundles.children_of(bundle_case)
    kids = list(children.values())
    names = {m.code: m.version.name for m in plan.members}
    gaps = bundle_gaps.gaps_open(bundle_case, plan)
    gaps_of: dict[int, list[CaseGap]] = {}
    for gap in sorted((g for open_gap in gaps for g in open_gap.gaps), key=lambda g: g.requirement.order):
        gaps_of.setdefault(gap.case_id, []).append(gap)
    rows = []
    for member in plan.members:
        child = children[member.code]
        rows.append(
            {
                "case": child,
                "chip": CHIPS.get(Case.Status(child.status), "chip-muted"),
                "waits_for": [names[c] for c in sorted(member.waits_for)],
                "resume": reverse("portal:apply_check", args=[member.code, child.pk])
                if child.status == child.Status.DRAFT
                else "",
                # What this service still misses, once it runs (a waiting one has no deadline yet).
                "gaps": gaps_of.get(child.pk, []) if child.status in tolerance.SUPPLY_STATUSES else [],
            }
        )
    return render(
        request,
        "portal/bundle_apply/case.html",
        {
            "bundle_case": bundle_case,
            "gaps": gaps,
            "status": bundles.bundle_status(bundle_case, kids),
            "deadlines": bundles.bundle_deadlines(bundle_case, kids),
            "rows": rows,
            "events": list(reversed(bundles.bundle_timeline(bundle_case))),
        },
    )


@require_POST
@applicant_required
def gap_supply(request: HttpRequest, account: ApplicantAccount, pk: int, index: int) -> HttpResponse:
    """补交 in a bundle: one upload for every service of the bundle that misses the material."""
    bundle_case = _bundle_case(account, pk)
    plan = bundles.plan_of(bundle_case)
    if not 0 <= index < len(plan.materials):
        raise Http404
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose the file of the missing material."))
        bundle_gaps.bundle_gap_supply(
            actor=request.user, bundle_case=bundle_case, material_key=plan.materials[index].key, stream=upload,
            name=upload.name or "",
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("portal:bundle_case", args=[pk]) + f"#gap-{index}")
    messages.success(request, _("Thank you: the missing material is received."))
    return redirect("portal:bundle_case", pk=pk)
