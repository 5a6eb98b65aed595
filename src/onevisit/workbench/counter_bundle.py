"""一件事 at the counter: the clerk fills the merged form with the applicant, ticks each paper original
once, and files the whole bundle in one sitting; the page that follows lists every service's case
number and receipt. Thin views over ``cases.bundles``."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from onevisit.cases import bundle_gaps, bundles, tolerance
from onevisit.cases import counter as case_counter
from onevisit.cases.forms import coerce, fields_of, steps_of
from onevisit.cases.models import BundleCase, Case, CaseGap
from onevisit.catalog import bundle_form
from onevisit.catalog import selectors as catalog
from onevisit.org.selectors import clerk_centers

from . import counter_applicant
from .counter import _center, _prefill
from .views import staff_required


@require_http_methods(["GET", "POST"])
@staff_required
def intake(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(request)
    applicant = counter_applicant.applicant_of(request)
    person = applicant.person
    if person is None or not applicant.ready:
        return redirect("workbench:counter")
    bundle = get_object_or_404(catalog.published_bundles(), code=code)
    plan = bundle_form.plan(bundle)
    schema = plan.schema()
    tolerable = bundle_gaps.tolerable_keys(plan)
    credit = tolerance.credit_ok_for(person=person, org=applicant.organization)
    offerable = tolerable if credit else set()
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        post = request.POST
        # An unticked box is a "no", not a missing answer.
        values = {
            f.name: ("true" if post.get(f"f_{f.name}") else "false")
            if f.kind == "boolean"
            else post.get(f"f_{f.name}", "")[:4000]
            for f in fields_of(schema)
        }
        paper = [m.key for n, m in enumerate(plan.materials) if post.get(f"paper_{n}")]
        later = [m.key for n, m in enumerate(plan.materials) if post.get(f"later_{n}")]
        signed = (
            {m.code: post.get(f"commitment-{m.code}", "")[:20000] for m in plan.members}
            if post.get("commitment_read") == "1"
            else None
        )
        try:
            key = uuid.UUID(post.get("idempotency_key", ""))
        except ValueError:
            key = uuid.uuid4()
        try:
            bundle_case = case_counter.bundle_counter_intake(
                actor=request.user, center=center, bundle=bundle, person=person,
                organization=applicant.organization, form_data=coerce(schema, {k: v for k, v in values.items() if v}),
                paper=paper, idempotency_key=key, later=later, commitments=signed,
            )  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            else:
                general = list(exc.messages)
        else:
            return redirect("workbench:counter_bundle_case", pk=bundle_case.pk)
        checked = set(paper)
    else:
        later = []
        values = plan.merged_from(
            {m.code: _prefill(request, applicant, m.version.form.schema) for m in plan.members}
        )
        checked = set()
    return render(
        request,
        "workbench/counter_bundle.html",
        {
            "center": center,
            "person": person,
            "organization": applicant.organization,
            "bundle": bundle,
            "plan": plan,
            "steps": [
                (title, [(f, values.get(f.name, ""), errors.get(f.name, [])) for f in fields])
                for title, fields in steps_of(schema)
            ],
            "materials": [
                (
                    n,
                    m,
                    m.key in checked,
                    [plan.member(c).version.name for c in m.requirements],
                    m.key in later,
                )
                for n, m in enumerate(plan.materials)
            ],
            # 容缺: what may follow later for this applicant, and the commitments to sign for it.
            "gaps_allowed": bool(tolerable),
            "offerable": offerable,
            "commitments": [
                (plan.member(code).version.name, code, text)
                for code, text in bundle_gaps.counter_commitments(
                    plan, [k for k in later if k in offerable]
                ).items()
            ],
            "error_summary": [
                *(("", m) for m in general),
                *(
                    (f"f_{k}" if k in plan.fields else "commitment_read" if k == "commitment_read" else "", m)
                    for k, ms in errors.items()
                    for m in ms
                ),
            ],
            "idempotency_key": str(uuid.uuid4()),
            "nav": "counter",
        },
        status=400 if errors or general else 200,
    )


@require_GET
@staff_required
def bundle_case(request: HttpRequest, pk: int) -> HttpResponse:
    """What the clerk hands over: every service's case number, its status and its receipt."""
    bundle_case = get_object_or_404(BundleCase, pk=pk, center__in=clerk_centers(request.user))
    children = list(bundle_case.children.select_related("item_version", "department").order_by("pk"))
    if not children:
        raise Http404
    with_gaps = set(CaseGap.objects.filter(case__in=children).values_list("case_id", flat=True))
    rows: list[dict[str, Any]] = [
        {
            "case": c,
            "receipt": c.status == Case.Status.ACCEPTED or c.status in Case.FINISHED,
            "gaps": c.accepted_on is not None and c.pk in with_gaps,  # 容缺: the notice to hand over
        }
        for c in children
    ]
    return render(
        request,
        "workbench/counter_bundle_case.html",
        {
            "bundle_case": bundle_case,
            "rows": rows,
            "status": bundles.bundle_status(bundle_case, children),
            "nav": "counter",
        },
    )
