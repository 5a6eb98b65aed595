"""The counter (一窗受理): a clerk finds or registers the applicant, picks any item the centre takes in,
fills the form, ticks the paper originals checked, and in one sitting accepts, tells everything missing
(一次性告知) or refuses; each ends on a printable document. Views are thin: one service or selector each."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onevisit.cases import counter as case_counter
from onevisit.cases import selectors as case_selectors
from onevisit.cases import tolerance
from onevisit.cases.documents import CounterDocument, addressee, counter_document, counter_document_pdf
from onevisit.cases.forms import coerce, fields_of, steps_of
from onevisit.cases.gap_notice import GapNotice, gap_notice, gap_notice_pdf
from onevisit.cases.models import Case
from onevisit.cases.selectors import authorization_for
from onevisit.catalog import selectors as catalog_selectors
from onevisit.catalog.models import ServiceItem
from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.org.models import ServiceCenter
from onevisit.org.selectors import clerk_centers

from . import counter_applicant, forms
from .views import staff_required

PREFILL = {"applicant.name", "applicant.id_number"}
ORG_PREFILL = {"org.name", "org.uscc", "org.legal_representative"}


def _center(request: HttpRequest) -> ServiceCenter:
    center = clerk_centers(request.user).order_by("pk").first()
    if center is None:
        raise PermissionDenied(_("Only counter clerks of a service centre use the counter."))
    return center


@require_http_methods(["GET", "POST"])
@staff_required
def counter(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    page = counter_applicant.step_forms()
    if request.method == "POST":
        handled = counter_applicant.handle(request)
        if isinstance(handled, HttpResponse):
            return handled
        page = handled
    applicant = counter_applicant.applicant_of(request)
    if applicant.organization is not None and applicant.person is None and page.authorize is None:
        page.agent_find = page.agent_find or forms.AgentFindForm()
    query = request.GET.get("q", "")[:60]
    items = case_selectors.counter_items(center=center, query=query, audience=applicant.audience)
    if applicant.organization is not None and applicant.person is not None:
        covered = case_selectors.authorized_item_codes(
            organization=applicant.organization, agent=applicant.person
        )
        if covered is not None:  # the letter lists services: offer only those
            items = items.filter(code__in=covered)
    return render(
        request,
        "workbench/counter.html",
        {
            "center": center,
            "applicant": applicant,
            "person": applicant.person,
            "organization": applicant.organization,
            "forms": page,
            "error_form": page.active if page.active is not None and page.active.errors else None,
            "query": query,
            "items": list(items[:20]) if applicant.ready else [],
            "bundles": list(catalog_selectors.published_bundles()) if applicant.ready and not query else [],
            "recent": case_selectors.cases_for_clerk(user=request.user)[:10],
            "nav": "counter",
        },
    )


def _prefill(
    request: HttpRequest, applicant: counter_applicant.Applicant, schema: dict[str, Any]
) -> dict[str, str]:
    """What the platform knows of the person at the counter (and of the organisation they act for)
    for the fields tagged with it; each read is logged."""
    person, org = applicant.person, applicant.organization
    assert person is not None
    known = {"applicant.name": person.name, "applicant.id_number": crypto.decrypt(person.id_number_encrypted)}
    if org is not None:
        known |= {
            "org.name": org.name,
            "org.uscc": crypto.decrypt(org.uscc_encrypted),
            "org.legal_representative": org.legal_representative,
        }
    tagged = {f.name: str(f.schema.get("x-data-element") or "") for f in fields_of(schema)}
    values = {name: known[element] for name, element in tagged.items() if known.get(element)}
    used = set(tagged.values())
    with transaction.atomic():
        if used & PREFILL:
            audit_log(actor=request.user, action="person_data_read", obj=person, data={"purpose": "counter"})
        if org is not None and used & ORG_PREFILL:
            audit_log(
                actor=request.user, action="organization_data_read", obj=org, data={"purpose": "counter"}
            )
    return values


@require_http_methods(["GET", "POST"])
@staff_required
def intake(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(request)
    applicant = counter_applicant.applicant_of(request)
    person = applicant.person
    if person is None or not applicant.ready:
        return redirect("workbench:counter")
    item: ServiceItem | None = case_selectors.counter_items(center=center).filter(code=code).first()
    if item is None or item.current_version is None:
        raise Http404
    problem = _applicant_problem(applicant, item)
    if problem:
        messages.error(request, problem)
        return redirect("workbench:counter")
    version = item.current_version
    schema = version.form.schema
    requirements = list(version.materials.all())
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        post = request.POST
        values = {f.name: post.get(f"f_{f.name}", "") for f in fields_of(schema)}
        paper = [r for r in requirements if post.get(f"paper_{r.pk}")]
        later = [r for r in requirements if post.get(f"later_{r.pk}")]
        signed = post.get("commitment", "")[:20000] if post.get("commitment_read") == "1" else None
        files = {r: request.FILES.get(f"scan_{r.pk}") for r in requirements}
        scans: list[tuple[Any, Any, str]] = [(r, f, f.name or "") for r, f in files.items() if f is not None]
        try:
            key = uuid.UUID(post.get("idempotency_key", ""))
        except ValueError:
            key = uuid.uuid4()
        try:
            case = case_counter.case_counter_intake(
                actor=request.user, center=center, version=version, person=person,
                organization=applicant.organization, form_data=coerce(schema, {k: v for k, v in values.items() if v != ""}),
                outcome=post.get("outcome", ""), idempotency_key=key, paper=paper, scans=scans,
                note=post.get("note", "")[:1000], reasons=post.get("reasons", "")[:2000],
                legal_basis=post.get("legal_basis", "")[:500], later=later, commitment=signed,
                ip=request.META.get("REMOTE_ADDR"),
            )  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            else:
                general = list(exc.messages)
        else:
            if case.gaps.exists():
                return redirect("workbench:counter_gap_notice", pk=case.pk)
            return redirect("workbench:counter_document", pk=case.pk, kind=_document_of(case))
        idempotency_key = str(uuid.uuid4())
    else:
        values = _prefill(request, applicant, schema)
        paper, later = [], []
        idempotency_key = str(uuid.uuid4())
    field_names = {f.name for f in fields_of(schema)}
    anchor = {
        **{n: f"f_{n}" for n in field_names}, "reasons": "reasons", "legal_basis": "legal_basis",
        "commitment_read": "commitment_read",
    }  # fmt: skip
    gaps_allowed = tolerance.version_allows(version)
    gaps_credit = gaps_allowed and tolerance.credit_ok_for(person=person, org=applicant.organization)
    return render(
        request,
        "workbench/counter_intake.html",
        {
            "center": center,
            "person": person,
            "organization": applicant.organization,
            "item": item,
            "version": version,
            "steps": [
                (title, [(f, values.get(f.name, ""), errors.get(f.name, [])) for f in fields])
                for title, fields in steps_of(schema)
            ],
            "materials": [(r, r in paper, r in later) for r in requirements],
            "gaps_allowed": gaps_allowed,
            "gaps_offered": gaps_credit,
            "tolerance_days": tolerance.version_max_days(version),
            "commitment": tolerance.version_commitment_text(version, item.department, later)
            if later and gaps_credit and request.POST.get("outcome") == "accept"
            else "",
            "error_summary": [
                *(("", m) for m in general),
                *((anchor.get(k, ""), m) for k, ms in errors.items() for m in ms),
            ],
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
            "idempotency_key": idempotency_key,
            "nav": "counter",
        },
        status=400 if errors or general else 200,
    )


def _applicant_problem(applicant: counter_applicant.Applicant, item: ServiceItem) -> str:
    """Why this applicant cannot apply for this item at the counter ("" when they can)."""
    if item.audience != applicant.audience:
        if applicant.organization is None:
            return _(
                "“%(service)s” is a service for organisations (法人办事): find or register the "
                "organisation and the person acting for it first."
            ) % {"service": item.name}
        return _(
            "“%(service)s” is a service for individuals (个人办事): choose “Next applicant” and find the person."
        ) % {"service": item.name}
    organization, agent = applicant.organization, applicant.person
    if organization is None or agent is None:
        return ""
    if authorization_for(organization=organization, agent=agent, item_code=item.code) is None:
        return _(
            "The letter of authorization of %(agent)s does not cover “%(service)s”. Record a new "
            "letter that does, or take in another service."
        ) % {"agent": agent.name, "service": item.name}
    return ""


def _document_of(case: Case) -> str:
    if case.status == Case.Status.CORRECTION:
        return "notice"
    if case.status == Case.Status.NOT_ACCEPTED:
        return "refusal"
    return "receipt"


def _counter_document(request: HttpRequest, pk: int, kind: str) -> CounterDocument:
    case = case_selectors.cases_for_clerk(user=request.user).filter(pk=pk).first()
    found = counter_document(case, kind) if case is not None else None
    if found is None:
        raise Http404
    return found


@require_GET
@staff_required
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The printable 受理回执, 一次性告知书 or 不予受理通知书 of a case taken in at the clerk's centre."""
    doc = _counter_document(request, pk, kind)
    return render(
        request,
        "workbench/counter_document.html",
        {
            "doc": doc,
            "case": doc.case,
            "event": doc.event,
            "kind": kind,
            "version": doc.case.item_version,
            "nav": "counter",
        },
    )


def _counter_gap_notice(request: HttpRequest, pk: int) -> GapNotice:
    case = case_selectors.cases_for_clerk(user=request.user).filter(pk=pk).first()
    notice = gap_notice(case) if case is not None else None
    if notice is None:
        raise Http404
    return notice


@require_GET
@staff_required
def counter_gap_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable 容缺受理告知书 of a case accepted with missing materials at the clerk's centre."""
    notice = _counter_gap_notice(request, pk)
    return render(
        request,
        "workbench/counter_gap_notice.html",
        {
            "notice": notice,
            "case": notice.case,
            "version": notice.case.item_version,
            "addressee": addressee(notice.case),
            "nav": "counter",
        },
    )


@require_GET
@staff_required
def counter_gap_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same notice as a PDF (the one the applicant downloads from the case page)."""
    notice = _counter_gap_notice(request, pk)
    tracking = request.build_absolute_uri(reverse("portal:case", args=[notice.case.number]))
    response = HttpResponse(gap_notice_pdf(notice, tracking_url=tracking), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="gap-notice-{notice.case.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def document_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The same document as a PDF (A4, Chinese fonts embedded, the seal's place marked)."""
    doc = _counter_document(request, pk, kind)
    tracking = request.build_absolute_uri(reverse("portal:case", args=[doc.case.number]))
    response = HttpResponse(counter_document_pdf(doc, tracking_url=tracking), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{doc.case.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
