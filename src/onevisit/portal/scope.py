"""Which cases the signed-in applicant may see: their own and those they filed as an agent, and the
active profile (themselves or the organization they act for) that new applications are filed for."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from onevisit.cases import selectors
from onevisit.cases.models import BundleCase, Case
from onevisit.identity.models import ApplicantAccount, Organization, Person

from .context import applicant_context


@dataclass
class Profile:
    person: Person
    organization: Organization | None


def profile_of(request: HttpRequest, account: ApplicantAccount) -> Profile:
    """The person signed in, and the organization they act for now (checked again on every request)."""
    return Profile(person=account.person, organization=applicant_context(request)["acting_for"])


def visible_cases(account: ApplicantAccount) -> QuerySet[Case]:
    """Every case the applicant may open: filed for themselves, or by them as an agent."""
    return selectors.cases_of_applicant(person=account.person).select_related(
        "item_version__item", "item_version__form", "department", "applicant_person", "applicant_org"
    )


def profile_cases(request: HttpRequest, account: ApplicantAccount) -> QuerySet[Case]:
    """The cases of the active profile: the applicant's own, or the organization's they act for."""
    profile = profile_of(request, account)
    cases = visible_cases(account)
    if profile.organization is not None:
        return cases.filter(applicant_org=profile.organization)
    return cases.filter(applicant_org__isnull=True, applicant_person=profile.person)


def profile_bundle_cases(request: HttpRequest, account: ApplicantAccount) -> QuerySet[BundleCase]:
    """The 一件事 of the active profile, like ``profile_cases``."""
    profile = profile_of(request, account)
    bundle_cases = selectors.bundle_cases_of_applicant(person=account.person)
    if profile.organization is not None:
        return bundle_cases.filter(applicant_org=profile.organization)
    return bundle_cases.filter(applicant_org__isnull=True, applicant_person=profile.person)
