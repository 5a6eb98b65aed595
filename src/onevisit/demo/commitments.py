"""Demo approvals on commitment (告知承诺) for the post-check demo (事后核查), made through the services
exactly as an applicant and an officer would: draft, materials replaced by the commitment, the
commitment signed at submit, acceptance and every step approved. See data/commitment_approvals.yaml.

Loading again adds nothing: an organisation that already has a case of the item with the same
premises is skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from html import escape
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from reportlab.platypus import Paragraph

from onevisit.cases import commitment as approval
from onevisit.cases import services
from onevisit.cases.documents import build_pdf, styles
from onevisit.cases.models import Case, Channel
from onevisit.cases.selectors import authorization_for
from onevisit.catalog.models import ServiceItem
from onevisit.core import crypto
from onevisit.identity.models import Organization, Person
from onevisit.identity.services import authorization_grant, normalize_id_number, normalize_uscc
from onevisit.workflow.models import WorkItem

FILE = "commitment_approvals.yaml"


def _pdf(title: str, lines: list[str]) -> bytes:
    style = styles()
    story = [Paragraph(escape(title), style["title"])] + [
        Paragraph(escape(line), style["base"]) for line in lines
    ]
    return build_pdf(story, title=title, author="onevisit demo")


def _person(id_number: str) -> Person:
    return Person.objects.get(id_number_hash=crypto.lookup_hash(normalize_id_number(id_number)))


def _org(uscc: str) -> Organization:
    return Organization.objects.get(uscc_hash=crypto.lookup_hash(normalize_uscc(uscc)))


def _approve(*, case: Case, officer: Any) -> Case:
    """Accept and approve every step, as the department's officer."""
    case = services.case_accept(actor=officer, case=case)
    for _ in range(20):  # the demo processes have a handful of steps
        step = WorkItem.objects.filter(instance=case.process_instance, status__in=WorkItem.ACTIVE).first()
        if step is None:
            break
        case = services.case_step_complete(
            actor=officer,
            case=case,
            work_item=step,
            decision="approve",
            opinion="承诺内容完整，准予许可（演示）",
        )
    return Case.objects.get(pk=case.pk)


def load_commitment_approvals(actor: Any, rows: dict[str, Any]) -> int:
    """The approvals of ``rows`` (the YAML file's content); returns how many were made now."""
    if not rows:
        return 0
    item = ServiceItem.objects.select_related("current_version").get(code=rows["item"])
    version = item.current_version
    assert version is not None
    officer = get_user_model().objects.get(username=rows["officer"])
    requirements = {m.code: m for m in version.materials.all()}
    made = 0
    for row in rows.get("cases") or []:
        org, agent = _org(str(row["org"])), _person(str(row["agent"]))
        existing = Case.objects.filter(item_version__item=item, applicant_org=org)
        if any(c.form_data.get("business_address") == row["address"] for c in existing):
            continue  # loaded before (the form is encrypted, so compared here)
        if authorization_for(organization=org, agent=agent, item_code=item.code) is None:
            authorization_grant(
                actor=actor, grantor=org, agent=agent, valid_from=timezone.localdate() - dt.timedelta(days=30),
                item_codes=[item.code],
            )  # fmt: skip
        form = {
            "org_name": org.name, "org_uscc": crypto.decrypt(org.uscc_encrypted),
            "business_address": row["address"], "business_area": row["area"], "business_use_commitment": True,
            "applicant_name": agent.name, "applicant_phone": str(row["phone"]),
        }  # fmt: skip
        case = services.case_draft_save(
            actor=actor,
            version=version,
            form_data=form,
            channel=Channel.ONLINE,
            organization=org,
            agent=agent,
        )
        for code in rows.get("uploaded") or []:
            requirement = requirements[code]
            content = _pdf(requirement.name, [org.name, row["address"], "演示材料，非真实文件。"])
            services.material_upload(
                actor=actor,
                case=case,
                requirement=requirement,
                stream=io.BytesIO(content),
                name=f"{code}.pdf",
            )
        replaced = [requirements[code] for code in rows.get("replaced") or []]
        for requirement in replaced:
            approval.commitment_mark(actor=actor, case=case, requirement=requirement, replace=True)
        case = Case.objects.get(pk=case.pk)
        case = services.case_submit(
            actor=actor, case=case, idempotency_key=uuid.uuid4(),
            approval_commitment=approval.commitment_text(case, approval.replaced(case)),
        )  # fmt: skip
        _approve(case=case, officer=officer)
        made += 1
    return made
