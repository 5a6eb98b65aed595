"""告知承诺制 (approval on commitment): a commitment replaces the proof a material would give.

Offered only when the item allows it — it is not marked high risk, it has a commitment text (what
would have to be proved, what a false commitment costs) and the material is marked replaceable — and
the applicant's credit allows it (no serious bad credit, no past false commitment; checked when the
material is marked and again at filing). While drafting, a replaced material is a ``SuppliedMaterial``
with source ``commitment`` (so the case is complete without the proof); submitting signs the text
shown on the check page, which is stored word for word with its hash, signer, time and IP address.

A case approved on a commitment is not flagged by a column: it is derived from its rows — status
approved and a ``Commitment`` of kind ``commitment`` (see ``approved_on_commitment``), which is what
the post-check (事后核查) samples.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onevisit.catalog.models import ItemVersion, MaterialRequirement
from onevisit.core.audit import audit_log

from .models import Case, Commitment, SuppliedMaterial
from .tolerance import signature

REFERENCE = "告知承诺"


def item_allows(version: ItemVersion) -> bool:
    """The item takes a commitment at all: not high risk, a written text, a replaceable material."""
    if version.commitment_high_risk or not version.commitment_text.strip():
        return False
    return any(m.commitment_replaceable for m in version.materials.all())


def credit_ok(case: Case) -> bool:
    """No credit record of the applicant (person, and organisation if any) bars 告知承诺."""
    from onevisit.identity.credit import credit_clean

    person = case.agent or case.applicant_person
    if person is not None and not credit_clean(person=person, for_commitment=True):
        return False
    return case.applicant_org is None or credit_clean(org=case.applicant_org, for_commitment=True)


def offered(case: Case) -> bool:
    """Whether the materials page offers "replace by a commitment" to this applicant."""
    return item_allows(case.item_version) and credit_ok(case)


def replaced(case: Case) -> list[MaterialRequirement]:
    """The materials replaced by the commitment, in the item's order."""
    ids = set(
        case.materials.filter(source=SuppliedMaterial.Source.COMMITMENT).values_list(
            "requirement_id", flat=True
        )
    )
    return [m for m in case.item_version.materials.all() if m.pk in ids]


def commitment_text(case: Case, requirements: list[MaterialRequirement]) -> str:
    """The words the applicant signs: the materials replaced and the item's own text, verbatim.
    The same case and list give the same text, so the same hash."""
    version = case.item_version
    lines = [
        _("Commitment instead of proof (告知承诺书)"),
        _("Service: %(service)s; department: %(department)s.")
        % {"service": version.name, "department": case.department.full_name},
        _("Instead of supplying the following materials, I commit that what they would prove is true:"),
    ]
    lines += [f"{n}. {requirement.name}" for n, requirement in enumerate(requirements, start=1)]
    lines += [
        *version.commitment_text.strip().replace("\r\n", "\n").split("\n"),
        _(
            "I know that the department checks commitments after approval; if mine is found false, the "
            "approval and any certificate are revoked and a credit record is written."
        ),
        _("I confirm that the information I gave is true and that I have read this commitment."),
    ]
    return "\n".join(lines)


def _refusal(case: Case, requirements: list[MaterialRequirement]) -> str | None:
    """Why these materials cannot be replaced by a commitment for this case, or None."""
    version = case.item_version
    names = "、".join(m.name for m in requirements)
    if version.commitment_high_risk:
        return _("This service is high-risk, so a commitment cannot replace proof. Upload %(names)s.") % {
            "names": names
        }
    wrong = [m for m in requirements if not m.commitment_replaceable]
    if wrong or not item_allows(version):
        return _("A commitment cannot replace these materials for this service: %(names)s.") % {
            "names": "、".join(m.name for m in wrong) or names
        }
    if not credit_ok(case):
        return _(
            "Because of a serious bad-credit record or a past false commitment, a commitment cannot "
            "replace proof for you. Upload %(names)s to apply."
        ) % {"names": names}
    return None


@transaction.atomic
def commitment_mark(*, actor: Any, case: Case, requirement: MaterialRequirement, replace: bool) -> None:
    """While drafting: replace a material by the commitment, or take that back."""
    from .services import _require, case_locked

    case = case_locked(case)
    _require(case, Case.Status.DRAFT, Case.Status.CORRECTION)
    if case.accepted_on is not None:
        raise ValidationError(_("A commitment can replace a material only before acceptance."))
    if requirement.version_id != case.item_version_id:
        raise ValidationError(_("This material is not asked for by this service."))
    rows = case.materials.filter(requirement=requirement, source=SuppliedMaterial.Source.COMMITMENT)
    if not replace:
        if rows.exists():
            rows.delete()
            audit_log(
                actor=actor, action="case_commitment_unmarked", obj=case, data={"requirement": requirement.pk}
            )
        return
    refusal = _refusal(case, [requirement])
    if refusal:
        raise ValidationError(refusal)
    if rows.exists():
        return
    case.gaps.filter(requirement=requirement).delete()  # replaced, so no longer to supply later
    SuppliedMaterial.objects.create(
        case=case, requirement=requirement, source=SuppliedMaterial.Source.COMMITMENT, reference=REFERENCE
    )
    audit_log(actor=actor, action="case_commitment_marked", obj=case, data={"requirement": requirement.pk})


def on_submit(*, actor: Any, case: Case, text: str | None, ip: str | None) -> Commitment | None:
    """Inside ``case_submit`` (case locked): check again and record the signed text; raises if not
    allowed or if the text differs from the one the case gives now."""
    requirements = replaced(case)
    if not requirements:
        return None
    refusal = _refusal(case, requirements)
    if refusal:
        raise ValidationError(refusal)
    record = signature(
        actor=actor, case=case, kind=Commitment.Kind.COMMITMENT, expected=commitment_text(case, requirements),
        text=text, ip=ip, requirements=requirements,
    )  # fmt: skip
    case.materials.filter(source=SuppliedMaterial.Source.COMMITMENT).update(
        reference=f"{REFERENCE} {record.sha256}"
    )
    return record


def text_to_sign(case: Case) -> str:
    """The 告知承诺书 the applicant signs by filing ("" when no material is replaced)."""
    requirements = replaced(case)
    return commitment_text(case, requirements) if requirements else ""


def signed(case: Case) -> Commitment | None:
    """The 告知承诺 the case was filed on (the latest, if filed again after a correction)."""
    return case.commitments.filter(kind=Commitment.Kind.COMMITMENT).order_by("-signed_at", "-pk").first()


def approved_on_commitment() -> QuerySet[Case]:
    """Approved cases filed on a 告知承诺: the population the post-check samples."""
    return Case.objects.filter(
        status=Case.Status.APPROVED, commitments__kind=Commitment.Kind.COMMITMENT
    ).distinct()
