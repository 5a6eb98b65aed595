"""Writes of the catalogue: versions, publication, lifecycle of items, search index.

Every write runs in one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onevisit.core.audit import audit_log
from onevisit.org.models import Department

from . import validation
from .models import (
    Bundle,
    FormSchema,
    ItemChange,
    ItemKind,
    ItemSearchIndex,
    ItemVersion,
    MaterialRequirement,
    ProcessDefinition,
    RuleDefinition,
    SearchMiss,
    ServiceItem,
)
from .search import tokens_for

COPIED_VERSION_FIELDS = [
    "name", "kind", "summary", "legal_basis", "conditions", "statutory_limit_days", "statutory_limit_note",
    "promised_limit_days", "visits", "fees", "fee_note", "channels", "location", "hours", "consult_phone",
    "complaint_phone", "faq", "source_note", "certificate_type", "commitment_text", "commitment_high_risk",
    "post_check_ratio",
]  # fmt: skip


class PublishError(ValidationError):
    """A version failed its checks; ``messages`` lists every problem."""


@dataclass
class VersionCheck:
    problems: list[str]
    process: validation.ProcessInfo | None = None
    decision_id: str = ""


def _check_version(version: ItemVersion) -> VersionCheck:
    problems = validation.check_limits(
        kind=version.kind, statutory=version.statutory_limit_days, promised=version.promised_limit_days
    )
    problems.extend(validation.check_post_check_ratio(version.post_check_ratio))
    if not version.legal_basis:
        problems.append(_("Enter at least one legal basis (law and article)."))
    if not version.channels:
        problems.append(_("Choose at least one channel."))
    form = FormSchema.objects.filter(version=version).first()
    if form is None:
        problems.append(_("The version has no application form."))
    else:
        problems.extend(validation.check_form_schema(form.schema))
    check = VersionCheck(problems)
    process = ProcessDefinition.objects.filter(version=version).first()
    if process is None:
        problems.append(_("The version has no process (BPMN)."))
    else:
        codes = set(Department.objects.values_list("code", flat=True))
        check.process, process_problems = validation.check_process(process.bpmn_xml, department_codes=codes)
        problems.extend(process_problems)
        if (
            check.process
            and version.kind == ItemKind.IMMEDIATE
            and any(s.limit_days for s in check.process.steps)
        ):
            problems.append(_("An immediate item's steps must all have a limit of 0 working days."))
    rules = RuleDefinition.objects.filter(version=version).first()
    if rules is not None:
        check.decision_id, rule_problems = validation.check_rules(rules.dmn_xml)
        problems.extend(rule_problems)
        if not rule_problems and form is not None:
            problems.extend(_rule_input_problems(rules.dmn_xml, form.schema))
    problems.extend(_source_problems(version))
    return check


def _rule_input_problems(dmn_xml: str, schema: dict[str, Any]) -> list[str]:
    """Every input column that names a variable must name a field of the form (else it never has a value)."""
    from onevisit.workflow.rules import rule_inputs

    fields = set((schema.get("properties") or {}).keys())
    return [
        _('Rule input "%(label)s" reads "%(name)s", which is not a field of the form.')
        % {"label": column.label, "name": column.expression}
        for column in rule_inputs(dmn_xml)
        if column.expression.isidentifier() and column.expression not in fields
    ]


def _source_problems(version: ItemVersion) -> list[str]:
    """Data resources and certificate types named by the version must exist (免提交, 电子证照)."""
    from onevisit.certificates.models import CertificateType
    from onevisit.exchange.models import DataResource

    resources = set(DataResource.objects.values_list("code", flat=True))
    types = set(CertificateType.objects.values_list("code", flat=True))
    problems = []
    if version.certificate_type and version.certificate_type not in types:
        problems.append(
            _('The certificate type "%(code)s" is not in the certificate catalogue.')
            % {"code": version.certificate_type}
        )
    for material in version.materials.all():
        if material.shared_data and material.shared_data not in resources:
            problems.append(
                _('Material "%(material)s": the data resource "%(code)s" is not in the data catalogue.')
                % {"material": material.name, "code": material.shared_data}
            )
        if material.certificate_type and material.certificate_type not in types:
            problems.append(
                _(
                    'Material "%(material)s": the certificate type "%(code)s" is not in the certificate catalogue.'
                )
                % {"material": material.name, "code": material.certificate_type}
            )
    return problems


def version_problems(version: ItemVersion) -> list[str]:
    """Everything that stops a version from being published, in the user's language."""
    return _check_version(version).problems


@transaction.atomic
def version_publish(*, actor: Any, version: ItemVersion) -> ItemVersion:
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    item = version.item
    if version.state != ItemVersion.State.DRAFT:
        raise PublishError(
            _("Only a draft can be published; this version is already %(state)s.")
            % {"state": version.get_state_display()}
        )
    if item.status in (ServiceItem.Status.CANCELLED, ServiceItem.Status.MERGED, ServiceItem.Status.DELEGATED):
        raise PublishError(
            _("The item is %(status)s; it cannot get a new version.") % {"status": item.get_status_display()}
        )
    check = _check_version(version)
    if check.problems:
        raise PublishError(check.problems)
    assert check.process is not None
    ProcessDefinition.objects.filter(version=version).update(process_id=check.process.process_id)
    RuleDefinition.objects.filter(version=version).update(decision_id=check.decision_id)
    ItemVersion.objects.filter(item=item, state=ItemVersion.State.PUBLISHED).update(
        state=ItemVersion.State.SUPERSEDED
    )
    version.state = ItemVersion.State.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "is_authenticated", False) else None
    version.save(update_fields=["state", "published_at", "published_by"])
    first = item.current_version_id is None
    item.current_version = version
    item.name = version.name
    item.save(update_fields=["current_version", "name"])
    ItemChange.objects.create(
        item=item,
        kind=ItemChange.Kind.CREATED if first else ItemChange.Kind.ADJUSTED,
        date=timezone.localdate(),
        reason=version.change_note or _("Version %(n)d published.") % {"n": version.number},
        version=version,
    )
    search_index_item(item=item)
    audit_log(
        actor=actor,
        action="item_version_published",
        obj=version,
        data={"item": item.code, "number": version.number},
    )
    return version


@transaction.atomic
def version_new_draft(*, actor: Any, item: ServiceItem) -> ItemVersion:
    """Copy the latest version into a new draft, with its materials, form, process and rules."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if ItemVersion.objects.filter(item=item, state=ItemVersion.State.DRAFT).exists():
        raise ValidationError(_("This item already has a draft; edit or publish it first."))
    source = item.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("The item has no version to copy."))
    draft = ItemVersion(item=item, number=source.number + 1, state=ItemVersion.State.DRAFT)
    for name in COPIED_VERSION_FIELDS:
        setattr(draft, name, getattr(source, name))
    draft.save()
    MaterialRequirement.objects.bulk_create(
        [
            MaterialRequirement(
                version=draft,
                **{
                    f.name: getattr(m, f.name)
                    for f in MaterialRequirement._meta.fields
                    if f.name not in ("id", "version")
                },
            )
            for m in source.materials.all()
        ]
    )
    for model, field_names in (
        (FormSchema, ["schema"]),
        (ProcessDefinition, ["bpmn_xml", "process_id"]),
        (RuleDefinition, ["dmn_xml", "decision_id"]),
    ):
        original = model.objects.filter(version=source).first()
        if original is not None:
            model.objects.create(version=draft, **{n: getattr(original, n) for n in field_names})
    audit_log(
        actor=actor, action="item_version_drafted", obj=draft, data={"item": item.code, "from": source.number}
    )
    return draft


def _end_item(
    *,
    actor: Any,
    item: ServiceItem,
    status: str,
    kind: str,
    reason: str,
    successor: ServiceItem | None,
    date: dt.date | None,
) -> ServiceItem:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the change; it is published.")})
    if successor is not None and successor.pk == item.pk:
        raise ValidationError({"successor": _("An item cannot be its own successor.")})
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ServiceItem.Status.ACTIVE and item.status != ServiceItem.Status.SUSPENDED:
        raise ValidationError(_("The item is already %(status)s.") % {"status": item.get_status_display()})
    item.status = status
    item.successor = successor
    item.save(update_fields=["status", "successor"])
    ItemChange.objects.create(
        item=item, kind=kind, date=date or timezone.localdate(), reason=reason, successor=successor
    )
    search_index_item(item=item)
    audit_log(
        actor=actor,
        action=f"item_{status}",
        obj=item,
        data={"reason": reason, "successor": successor.code if successor else None},
    )
    return item


@transaction.atomic
def item_cancel(*, actor: Any, item: ServiceItem, reason: str, date: dt.date | None = None) -> ServiceItem:
    return _end_item(
        actor=actor,
        item=item,
        status=ServiceItem.Status.CANCELLED,
        kind=ItemChange.Kind.CANCELLED,
        reason=reason,
        successor=None,
        date=date,
    )


@transaction.atomic
def item_delegate(
    *, actor: Any, item: ServiceItem, successor: ServiceItem, reason: str, date: dt.date | None = None
) -> ServiceItem:
    if successor.department.region.level <= item.department.region.level:
        raise ValidationError({"successor": _("Delegation (下放) goes to an item of a lower-level region.")})
    return _end_item(
        actor=actor,
        item=item,
        status=ServiceItem.Status.DELEGATED,
        kind=ItemChange.Kind.DELEGATED,
        reason=reason,
        successor=successor,
        date=date,
    )


@transaction.atomic
def item_merge(
    *, actor: Any, item: ServiceItem, successor: ServiceItem, reason: str, date: dt.date | None = None
) -> ServiceItem:
    return _end_item(
        actor=actor,
        item=item,
        status=ServiceItem.Status.MERGED,
        kind=ItemChange.Kind.MERGED,
        reason=reason,
        successor=successor,
        date=date,
    )


def bundle_problems(bundle: Bundle) -> list[str]:
    """What stops a bundle (一件事) from being published."""
    members = list(bundle.members.select_related("item").prefetch_related("depends_on"))
    problems: list[str] = []
    if len(members) < 2:
        problems.append(_("A bundle combines at least two service items."))
    for member in members:
        item = member.item
        if item.status != ServiceItem.Status.ACTIVE or item.current_version_id is None:
            problems.append(
                _("“%(item)s” is not a service in force with a published version.") % {"item": item.name}
            )
        for dependency in member.depends_on.all():
            if dependency.bundle_id != bundle.pk:
                problems.append(_("“%(item)s” depends on an item of another bundle.") % {"item": item.name})
    if _has_cycle({m.pk: [d.pk for d in m.depends_on.all()] for m in members}):
        problems.append(_("The order of the items goes round in a circle; one must come first."))
    if bundle.promised_limit_days is not None and bundle.promised_limit_days > bundle.statutory_limit_days:
        problems.append(
            _(
                "The promised limit (%(promised)d working days) may not exceed the statutory limit (%(statutory)d)."
            )
            % {"promised": bundle.promised_limit_days, "statutory": bundle.statutory_limit_days}
        )
    return problems


def _has_cycle(graph: dict[int, list[int]]) -> bool:
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: int) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        if any(visit(nxt) for nxt in graph.get(node, [])):
            return True
        state[node] = 2
        return False

    return any(visit(node) for node in graph)


@transaction.atomic
def bundle_publish(*, actor: Any, bundle: Bundle) -> Bundle:
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    problems = bundle_problems(bundle)
    if problems:
        raise PublishError(problems)
    bundle.state = Bundle.State.PUBLISHED
    bundle.save(update_fields=["state"])
    audit_log(
        actor=actor,
        action="bundle_published",
        obj=bundle,
        data={"items": list(bundle.members.values_list("item__code", flat=True))},
    )
    return bundle


@transaction.atomic
def bundle_withdraw(*, actor: Any, bundle: Bundle) -> Bundle:
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    bundle.state = Bundle.State.WITHDRAWN
    bundle.save(update_fields=["state"])
    audit_log(actor=actor, action="bundle_withdrawn", obj=bundle)
    return bundle


def catalog_object_saved(*, actor: Any, obj: Any, created: bool) -> None:
    """Record an admin's edit of a draft or of item metadata (called inside the admin's transaction)."""
    audit_log(
        actor=actor,
        action="catalog_created" if created else "catalog_changed",
        obj=obj,
        data={"repr": str(obj)[:200]},
    )


def search_texts(
    *,
    name: str,
    version_name: str,
    keywords: str,
    department: str,
    region: str,
    life_events: list[str],
    summary: str,
    power: str,
) -> tuple[list[str], list[str]]:
    """The texts an item is found by: (name texts, body texts).

    Keywords are curated by admins to map everyday words to the official name, so they weigh as names.
    """  # fmt: skip
    return [name, version_name, keywords], [department, region, *life_events, summary, power]


def search_index_item(*, item: ServiceItem) -> None:
    """(Re)compute an item's search tokens. Called inside the transaction that changed the item."""
    version = item.current_version
    names, body = search_texts(
        name=item.name,
        version_name=version.name if version else "",
        keywords=item.keywords,
        department=item.department.name,
        region=item.department.region.name,
        life_events=[event.name for event in item.life_events.all()],
        summary=version.summary if version else "",
        power=item.power.name if item.power else "",
    )
    ItemSearchIndex.objects.update_or_create(
        item=item,
        defaults={
            "name_tokens": " ".join(tokens_for(names)),
            "tokens": " ".join(tokens_for(body)),
            "region_code": item.department.region.code,
            "visible": item.status == ServiceItem.Status.ACTIVE and version is not None,
        },
    )


def search_reindex(*, item_ids: list[int] | None = None) -> int:
    """Recompute the tokens of some items (all when None). Idempotent: the same data gives the same rows."""
    items = ServiceItem.objects.select_related(
        "department__region", "power", "current_version"
    ).prefetch_related("life_events")
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    count = 0
    for item in items.iterator(chunk_size=200):
        with transaction.atomic():
            search_index_item(item=item)
        count += 1
    return count


def search_miss_record(*, query: str) -> None:
    query = query.strip()[:100]
    if not query:
        return
    from django.db.models import F

    with transaction.atomic():
        updated = SearchMiss.objects.filter(query=query).update(count=F("count") + 1, resolved=False)
        if not updated:
            SearchMiss.objects.get_or_create(query=query)
