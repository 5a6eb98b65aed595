"""Step 1 of the counter: who applies. A person, found by ID number or registered on the spot; or an
organisation (法人), found by its unified social credit code or registered on the spot together with
the person acting for it (经办人) and the letter of authorization (授权委托书) they bring.

Identifiers travel only in POST bodies (never in URLs, so never in logs or the browser history);
the clerk's session keeps the ids of the person and the organisation at the counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from onevisit.cases import counter as case_counter
from onevisit.cases.selectors import authorization_for
from onevisit.catalog.models.powers import Audience
from onevisit.identity.models import Authorization, Organization, Person
from onevisit.identity.selectors import organization_by_uscc, person_by_id_number
from onevisit.identity.services import person_register

from . import forms

SESSION_PERSON = "counter_person"
SESSION_ORG = "counter_org"


@dataclass
class Applicant:
    """Who is at the counter: a person applying for themselves, or an organisation and its 经办人."""

    person: Person | None
    organization: Organization | None
    authorization: Authorization | None

    @property
    def ready(self) -> bool:
        return self.person is not None and (self.organization is None or self.authorization is not None)

    @property
    def audience(self) -> str:
        return Audience.ORGANIZATION if self.organization is not None else Audience.PERSON


def applicant_of(request: HttpRequest) -> Applicant:
    """The applicant in the clerk's session; an agent whose authorization has ended since is dropped."""
    session = request.session
    person_pk, org_pk = session.get(SESSION_PERSON), session.get(SESSION_ORG)
    person = Person.objects.filter(pk=person_pk).first() if person_pk else None
    organization = Organization.objects.filter(pk=org_pk).first() if org_pk else None
    authorization = None
    if organization is not None and person is not None:
        authorization = authorization_for(organization=organization, agent=person)
        if authorization is None:
            session.pop(SESSION_PERSON, None)
            person = None
    return Applicant(person=person, organization=organization, authorization=authorization)


@dataclass
class StepForms:
    """The forms of step 1 as the page shows them; ``active`` is the one just posted."""

    find: forms.PersonFindForm
    org_find: forms.OrganizationFindForm
    register: forms.PersonRegisterForm | None = None
    org_register: forms.OrganizationRegisterForm | None = None
    agent_find: forms.AgentFindForm | None = None
    authorize: forms.AuthorizationForm | None = None
    active: Any = None


def step_forms() -> StepForms:
    return StepForms(find=forms.PersonFindForm(), org_find=forms.OrganizationFindForm())


def _choose(
    request: HttpRequest, *, person: int | None = None, organization: int | None = None
) -> HttpResponse:
    for key, value in ((SESSION_PERSON, person), (SESSION_ORG, organization)):
        if value is None:
            request.session.pop(key, None)
        else:
            request.session[key] = value
    return redirect("workbench:counter")


def _add_errors(form: Any, exc: ValidationError, field: str) -> None:
    """Put a service's errors on the form's fields (or on ``field`` when they name none of them)."""
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            form.add_error(key if key in form.fields else field, messages)
    else:
        form.add_error(field, exc.messages)


def _authorization_initial(id_number: str = "") -> dict[str, Any]:
    return {"agent_id_number": id_number, "valid_from": timezone.localdate(), "scope": "all"}


def handle(request: HttpRequest) -> HttpResponse | StepForms:
    """Run the posted action of step 1: a redirect when it is done, else the forms to show again."""
    page = step_forms()
    action = request.POST.get("action")
    org_pk = request.session.get(SESSION_ORG)
    if action == "clear":
        return _choose(request)
    if action == "register":
        return _register_person(request, page)
    if action == "find_org":
        return _find_organization(request, page)
    if action == "register_org":
        return _register_organization(request, page)
    if action in ("find_agent", "authorize"):
        organization = Organization.objects.filter(pk=org_pk).first() if org_pk else None
        if organization is None:
            return _choose(request)
        if action == "find_agent":
            return _find_agent(request, page, organization)
        return _authorize(request, page, organization)
    return _find_person(request, page)


def _find_person(request: HttpRequest, page: StepForms) -> HttpResponse | StepForms:
    page.find = page.active = forms.PersonFindForm(request.POST)
    if page.find.is_valid():
        number = page.find.cleaned_data["id_number"]
        try:
            found = person_by_id_number(number)
        except ValidationError as exc:
            _add_errors(page.find, exc, "id_number")
        else:
            if found is not None:
                return _choose(request, person=found.pk)
            page.register = forms.PersonRegisterForm(initial={"id_number": number})
    return page


def _register_person(request: HttpRequest, page: StepForms) -> HttpResponse | StepForms:
    page.register = page.active = forms.PersonRegisterForm(request.POST)
    if page.register.is_valid():
        try:
            registered = person_register(actor=request.user, **page.register.cleaned_data)
        except ValidationError as exc:
            _add_errors(page.register, exc, "id_number")
        else:
            return _choose(request, person=registered.pk)
    return page


def _find_organization(request: HttpRequest, page: StepForms) -> HttpResponse | StepForms:
    page.org_find = page.active = forms.OrganizationFindForm(request.POST)
    if page.org_find.is_valid():
        code = page.org_find.cleaned_data["uscc"]
        try:
            found = organization_by_uscc(code)
        except ValidationError as exc:
            _add_errors(page.org_find, exc, "uscc")
        else:
            if found is not None:
                return _choose(request, organization=found.pk)
            page.org_register = forms.OrganizationRegisterForm(
                initial={"uscc": code, **_authorization_initial()}
            )
    return page


def _register_organization(request: HttpRequest, page: StepForms) -> HttpResponse | StepForms:
    page.org_register = page.active = form = forms.OrganizationRegisterForm(request.POST)
    valid = form.is_valid()
    if not valid:  # say everything at once: what did not parse, and what the service would refuse
        form.add_problems(case_counter.organization_problems(**form.organization()))
        return page
    try:
        authorization = case_counter.counter_organization_register(actor=request.user, **form.organization())
    except ValidationError as exc:
        _add_errors(form, exc, "uscc")
        return page
    return _choose(request, person=authorization.agent_id, organization=authorization.grantor_id)


def _find_agent(
    request: HttpRequest, page: StepForms, organization: Organization
) -> HttpResponse | StepForms:
    page.agent_find = page.active = forms.AgentFindForm(request.POST)
    if page.agent_find.is_valid():
        number = page.agent_find.cleaned_data["agent_id_number"]
        try:
            agent = person_by_id_number(number)
        except ValidationError as exc:
            _add_errors(page.agent_find, exc, "agent_id_number")
        else:
            if agent is not None and authorization_for(organization=organization, agent=agent):
                return _choose(request, person=agent.pk, organization=organization.pk)
            page.authorize = forms.AuthorizationForm(initial=_authorization_initial(number))
    return page


def _authorize(request: HttpRequest, page: StepForms, organization: Organization) -> HttpResponse | StepForms:
    page.authorize = page.active = form = forms.AuthorizationForm(request.POST)
    if not form.is_valid():
        form.add_problems(case_counter.agent_problems(**form.authorization()))
        return page
    try:
        authorization = case_counter.counter_agent_authorize(
            actor=request.user, organization=organization, **form.authorization()
        )
    except ValidationError as exc:
        _add_errors(form, exc, "agent_id_number")
        return page
    return _choose(request, person=authorization.agent_id, organization=organization.pk)
