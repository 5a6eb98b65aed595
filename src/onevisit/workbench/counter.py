"""The counter (一窗受理): a clerk finds or registers the applicant, picks any item the centre takes in,
fills the form, ticks the paper originals checked, and in one sitting accepts, tells everything missing
(一次性告知) or refuses; each ends on a printable document. Views are thin: one service or selector each."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onevisit.cases import counter as case_counter
from onevisit.cases import selectors as case_selectors
from onevisit.cases.forms import coerce, fields_of, steps_of
from onevisit.cases.models import Case
from onevisit.catalog.models import ServiceItem
from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.identity.models import Person
from onevisit.identity.selectors import person_by_id_number
from onevisit.identity.services import person_register
from onevisit.org.models import ServiceCenter
from onevisit.org.selectors import clerk_centers

from . import forms
from .views import staff_required

SESSION_PERSON = "counter_person"
PREFILL = {"applicant.name", "applicant.id_number"}
DOCUMENTS = {"receipt": "accepted", "notice": "correction_requested", "refusal": "decided_not_accepted"}


def _center(request: HttpRequest) -> ServiceCenter:
    center = clerk_centers(request.user).order_by("pk").first()
    if center is None:
        raise PermissionDenied(_("Only counter clerks of a service centre use the counter."))
    return center


def _person(request: HttpRequest) -> Person | None:
    pk = request.session.get(SESSION_PERSON)
    return Person.objects.filter(pk=pk).first() if pk else None


@require_http_methods(["GET", "POST"])
@staff_required
def counter(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    find, register = forms.PersonFindForm(), None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "clear":
            request.session.pop(SESSION_PERSON, None)
            return redirect("workbench:counter")
        if action == "register":
            register = forms.PersonRegisterForm(request.POST)
            if register.is_valid():
                try:
                    registered = person_register(actor=request.user, **register.cleaned_data)
                except ValidationError as exc:
                    register.add_error("id_number", exc.messages)
                else:
                    request.session[SESSION_PERSON] = registered.pk
                    return redirect("workbench:counter")
        else:
            find = forms.PersonFindForm(request.POST)
            if find.is_valid():
                try:
                    found = person_by_id_number(find.cleaned_data["id_number"])
                except ValidationError as exc:
                    find.add_error("id_number", exc.messages)
                else:
                    if found is not None:
                        request.session[SESSION_PERSON] = found.pk
                        return redirect("workbench:counter")
                    register = forms.PersonRegisterForm(initial={"id_number": find.cleaned_data["id_number"]})
    person = _person(request)
    query = request.GET.get("q", "")[:60]
    return render(
        request,
        "workbench/counter.html",
        {
            "center": center,
            "person": person,
            "find_form": find,
            "register_form": register,
            "query": query,
            "items": list(case_selectors.counter_items(center=center, query=query)[:20]) if person else [],
            "recent": case_selectors.cases_for_clerk(user=request.user)[:10],
            "nav": "counter",
        },
    )


def _prefill(request: HttpRequest, person: Person, schema: dict[str, Any]) -> dict[str, str]:
    """The applicant's name and ID number for the fields tagged with them; the read is logged."""
    tagged = {f.name: f.schema.get("x-data-element") for f in fields_of(schema)}
    values = {}
    for name, element in tagged.items():
        if element == "applicant.name":
            values[name] = person.name
        elif element == "applicant.id_number":
            values[name] = crypto.decrypt(person.id_number_encrypted)
    if set(tagged.values()) & PREFILL:
        with transaction.atomic():
            audit_log(actor=request.user, action="person_data_read", obj=person, data={"purpose": "counter"})
    return values


@require_http_methods(["GET", "POST"])
@staff_required
def intake(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(request)
    person = _person(request)
    if person is None:
        return redirect("workbench:counter")
    item: ServiceItem | None = case_selectors.counter_items(center=center).filter(code=code).first()
    if item is None or item.current_version is None:
        raise Http404
    version = item.current_version
    schema = version.form.schema
    requirements = list(version.materials.all())
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        post = request.POST
        values = {f.name: post.get(f"f_{f.name}", "") for f in fields_of(schema)}
        paper = [r for r in requirements if post.get(f"paper_{r.pk}")]
        files = {r: request.FILES.get(f"scan_{r.pk}") for r in requirements}
        scans: list[tuple[Any, Any, str]] = [(r, f, f.name or "") for r, f in files.items() if f is not None]
        try:
            key = uuid.UUID(post.get("idempotency_key", ""))
        except ValueError:
            key = uuid.uuid4()
        try:
            case = case_counter.case_counter_intake(
                actor=request.user, center=center, version=version, person=person,
                form_data=coerce(schema, {k: v for k, v in values.items() if v != ""}),
                outcome=post.get("outcome", ""), idempotency_key=key, paper=paper, scans=scans,
                note=post.get("note", "")[:1000], reasons=post.get("reasons", "")[:2000],
                legal_basis=post.get("legal_basis", "")[:500],
            )  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            else:
                general = list(exc.messages)
        else:
            return redirect("workbench:counter_document", pk=case.pk, kind=_document_of(case))
        idempotency_key = str(uuid.uuid4())
    else:
        values = _prefill(request, person, schema)
        paper = []
        idempotency_key = str(uuid.uuid4())
    field_names = {f.name for f in fields_of(schema)}
    anchor = {**{n: f"f_{n}" for n in field_names}, "reasons": "reasons", "legal_basis": "legal_basis"}
    return render(
        request,
        "workbench/counter_intake.html",
        {
            "center": center,
            "person": person,
            "item": item,
            "version": version,
            "steps": [
                (title, [(f, values.get(f.name, ""), errors.get(f.name, [])) for f in fields])
                for title, fields in steps_of(schema)
            ],
            "materials": [(r, r in paper) for r in requirements],
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


def _document_of(case: Case) -> str:
    if case.status == Case.Status.CORRECTION:
        return "notice"
    if case.status == Case.Status.NOT_ACCEPTED:
        return "refusal"
    return "receipt"


@require_GET
@staff_required
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The printable 受理回执, 一次性告知书 or 不予受理通知书 of a case taken in at the clerk's centre."""
    case = case_selectors.cases_for_clerk(user=request.user).filter(pk=pk).first()
    if case is None or kind not in DOCUMENTS:
        raise Http404
    event = case.events.filter(kind=DOCUMENTS[kind]).order_by("-at", "-pk").first()
    if event is None:
        raise Http404
    version = case.item_version
    context: dict[str, Any] = {
        "case": case,
        "event": event,
        "kind": kind,
        "version": version,
        "nav": "counter",
    }
    if kind == "notice":
        missing = {m.pk: m for m in version.materials.all()}
        context["missing"] = [missing[pk] for pk in event.data.get("missing", []) if pk in missing]
        context["other"] = [line for line in (event.data.get("note") or "").split("；") if line.strip()]
    elif kind == "refusal":
        context["decision"] = getattr(case, "decision", None)
    else:
        context["supplied"] = case.materials.select_related("requirement")
    return render(request, "workbench/counter_document.html", context)
