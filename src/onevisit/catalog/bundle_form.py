"""一件事一表: the one form and one list of materials of a bundle, merged from its items' versions.

Fields are merged by their data element (``x-data-element``, 数据元): a data element asked by
several items is asked once. When two items define the same element differently (another type,
format or list of choices), the definitions cannot be one field: each item keeps its own (asked once
per item) and the conflict is reported, so the catalogue admin sees it in the preview before
publishing. Different titles for the same element are only noted.

What an item needs from an item it waits for is not asked at all: a field whose element names a
field of the certificate the earlier item issues (``org.uscc`` ← the business licence's ``uscc``), and
a material that is that certificate. Both are filled in when the earlier item's result is there.

Materials are merged by what they are: the certificate type they accept, else the shared data that
replaces them, else their name. One upload serves every item that asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onevisit.certificates.models import CertificateType

from .models import Bundle, ItemVersion, MaterialRequirement

COMPARED = ("type", "format", "enum")


@dataclass
class Member:
    """One item of the bundle, as the bundle runs it."""

    code: str
    version: ItemVersion
    order: int
    waits_for: list[str]  # item codes it directly depends on
    needs: set[str] = field(default_factory=set)  # every item it depends on, directly or not


@dataclass
class MergedField:
    """One field of the merged form and, per item, the field name it fills."""

    key: str
    element: str
    schema: dict[str, Any]
    required: bool
    targets: dict[str, str]  # item code → field name in that item's form
    titles: set[str] = field(default_factory=set)


@dataclass
class MergedMaterial:
    key: str
    name: str
    requirements: dict[str, MaterialRequirement]  # item code → requirement
    required: bool
    provided_by: str = ""  # the item code (in the bundle) whose certificate it is

    @property
    def first(self) -> MaterialRequirement:
        return next(iter(self.requirements.values()))


@dataclass
class Plan:
    bundle: Bundle
    members: list[Member]
    fields: dict[str, MergedField]
    steps: list[tuple[str, list[str]]]
    materials: list[MergedMaterial]
    provided: dict[str, dict[str, str]]  # item code → {field name: "prerequisite code:certificate key"}
    conflicts: list[str]
    notes: list[str]

    def member(self, code: str) -> Member:
        return next(m for m in self.members if m.code == code)

    def merged_from(self, by_item: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The reverse of filling each item's form: values keyed by each item's field names (item code
        → {field name: value}) become values of the merged form; the first item that has one wins."""
        out: dict[str, Any] = {}
        for key, merged in self.fields.items():
            for code, name in merged.targets.items():
                if name in by_item.get(code, {}):
                    out[key] = by_item[code][name]
                    break
        return out

    def schema(self) -> dict[str, Any]:
        """The merged form as one JSON Schema (for validation by ``cases.forms``)."""
        return {
            "type": "object",
            "properties": {k: f.schema for k, f in self.fields.items()},
            "required": [k for k, f in self.fields.items() if f.required],
            "x-steps": [{"title": t, "fields": keys} for t, keys in self.steps],
        }


def _key(element: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", element.lower())


def _material_key(requirement: MaterialRequirement) -> str:
    if requirement.certificate_type:
        return f"certificate:{requirement.certificate_type}"
    if requirement.shared_data:
        return f"data:{requirement.shared_data}"
    return "name:" + re.sub(r"[\s（）()《》、，,]", "", requirement.name)


def _provides(version: ItemVersion, types: dict[str, CertificateType]) -> set[str]:
    """The data elements the certificate of ``version`` fills in for a later item."""
    kind = types.get(version.certificate_type or "")
    if kind is None:
        return set()
    keys = {str(f["key"]) for f in kind.fields}
    return keys | {f"org.{k}" for k in keys} | {f"{kind.code}.{k}" for k in keys}


def members_of(bundle: Bundle) -> list[Member]:
    """The bundle's items in order, each with its current published version and what it waits for."""
    rows = list(bundle.members.select_related("item__current_version").prefetch_related("depends_on__item"))
    members = []
    for row in rows:
        version = row.item.current_version
        if version is None:
            continue
        members.append(Member(row.item.code, version, row.order, [d.item.code for d in row.depends_on.all()]))
    return _with_needs(members)


def snapshot(members: list[Member]) -> list[dict[str, Any]]:
    """The members as a running bundle keeps them (``cases.BundleCase.plan``)."""
    return [
        {"item": m.code, "version": m.version.pk, "order": m.order, "waits_for": m.waits_for} for m in members
    ]


def members_from(rows: list[dict[str, Any]]) -> list[Member]:
    """The members a running bundle kept (see ``snapshot``), with their versions and what they need."""
    versions = ItemVersion.objects.select_related("item", "form").in_bulk([r["version"] for r in rows])
    members = [Member(r["item"], versions[r["version"]], r["order"], list(r["waits_for"])) for r in rows]
    return _with_needs(members)


def _with_needs(members: list[Member]) -> list[Member]:
    direct = {m.code: set(m.waits_for) for m in members}
    for member in members:
        seen: set[str] = set()
        todo = list(direct[member.code])
        while todo:
            code = todo.pop()
            if code in seen or code == member.code:
                continue
            seen.add(code)
            todo.extend(direct.get(code, ()))
        member.needs = seen
    return sorted(members, key=lambda m: (m.order, m.code))


def plan(bundle: Bundle, members: list[Member] | None = None) -> Plan:
    """Merge the forms and materials of the bundle's items (see the module's docstring): those of
    ``members`` (a running bundle's), else the current published versions."""
    members = members if members is not None else members_of(bundle)
    codes = {m.code: m for m in members}
    types = {t.code: t for t in CertificateType.objects.all()}
    names = {m.code: m.version.name for m in members}
    fields: dict[str, MergedField] = {}
    steps: list[tuple[str, list[str]]] = []
    provided: dict[str, dict[str, str]] = {}
    conflicts: list[str] = []
    notes: list[str] = []
    fills = {
        m.code: {need: _provides(codes[need].version, types) for need in m.needs if need in codes}
        for m in members
    }

    def source_of(member: Member, element: str) -> str | None:
        return next((need for need, elements in fills[member.code].items() if element in elements), None)

    # An element some item asks of the applicant is asked once for all; only what no item asks is
    # left to the certificates.
    asked = {
        str(prop.get("x-data-element") or name)
        for m in members
        for name, prop in (m.version.form.schema.get("properties") or {}).items()
        if source_of(m, str(prop.get("x-data-element") or name)) is None
    }
    for member in members:
        schema = member.version.form.schema
        required = set(schema.get("required") or [])
        new: list[str] = []
        for name, prop in (schema.get("properties") or {}).items():
            element = str(prop.get("x-data-element") or name)
            source = source_of(member, element)
            if source is not None and element not in asked:
                provided.setdefault(member.code, {})[name] = source
                continue
            key = _key(element)
            merged = fields.get(key)
            if merged is not None and any(merged.schema.get(k) != prop.get(k) for k in COMPARED):
                first = next(iter(merged.targets))
                conflicts.append(
                    _(
                        "“%(element)s” means different things in “%(a)s” and “%(b)s” (type, format or "
                        "choices differ): it is asked once for each."
                    )
                    % {"element": element, "a": names[first], "b": member.version.name}
                )
                key = f"{key}__{_key(member.code)}"
                merged = None
            if merged is None:
                fields[key] = merged = MergedField(key, element, dict(prop), False, {})
                new.append(key)
            merged.targets[member.code] = name
            merged.required = merged.required or name in required
            merged.titles.add(str(prop.get("title") or name))
        if new:
            steps.append((member.version.name, new))
    for merged in fields.values():
        if len(merged.titles) > 1:
            notes.append(
                _("“%(element)s” is titled %(titles)s: the form shows the first.")
                % {"element": merged.element, "titles": "、".join(f"“{t}”" for t in sorted(merged.titles))}
            )
    materials: dict[str, MergedMaterial] = {}
    for member in members:
        issued_by = {
            codes[need].version.certificate_type: need
            for need in member.needs
            if need in codes and codes[need].version.certificate_type
        }
        for requirement in member.version.materials.all():
            key = _material_key(requirement)
            merged_material = materials.get(key)
            if merged_material is None:
                materials[key] = merged_material = MergedMaterial(key, requirement.name, {}, False)
            merged_material.requirements[member.code] = requirement
            source = issued_by.get(requirement.certificate_type) if requirement.certificate_type else None
            if source is not None:
                merged_material.provided_by = merged_material.provided_by or source
            else:
                merged_material.required = merged_material.required or requirement.required
    return Plan(bundle, members, fields, steps, list(materials.values()), provided, conflicts, notes)
