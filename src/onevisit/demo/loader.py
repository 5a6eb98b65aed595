"""Load the demo data (YAML/JSON + .bpmn/.dmn fixture files under demo/data) through the services.

Items are created as drafts and published through ``version_publish``, so the demo passes the same
checks as any catalogue admin's work.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onevisit.catalog import transfer
from onevisit.catalog.models import (
    Bundle,
    BundleItem,
    ItemChange,
    LifeEvent,
    ServiceItem,
)
from onevisit.catalog.services import bundle_publish, search_index_item
from onevisit.certificates import signing
from onevisit.certificates.models import Certificate, CertificateType, type_fields_problems
from onevisit.certificates.services import certificate_issue, certificate_revoke, certificates_expire
from onevisit.core import crypto
from onevisit.core.audit import audit_log
from onevisit.exchange.models import DataResource, SharingAgreement
from onevisit.exchange.services import record_put
from onevisit.identity.credit import credit_record_add
from onevisit.identity.models import ApplicantAccount, Authorization, Organization, Person
from onevisit.identity.services import (
    applicant_account_open,
    authorization_grant,
    normalize_id_number,
    normalize_uscc,
    organization_register,
    person_register,
)
from onevisit.org.models import Department, Region, ServiceCenter, Window, region_clean
from onevisit.org.services import staff_role_grant

from .commitments import FILE as COMMITMENT_APPROVALS
from .commitments import load_commitment_approvals


class DemoDataError(Exception):
    """A fixture file names something that does not exist or fails the catalogue's checks."""


DATA = Path(__file__).resolve().parent / "data"
SYSTEM = "demo-loader"


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


def _yaml(name: str) -> Any:
    path = DATA / name
    if not path.exists():
        return []
    return _load_yaml(path.read_text(encoding="utf-8")) or []


def load_regions() -> None:
    for row in _yaml("regions.yaml"):
        parent = Region.objects.get(code=row["parent"]) if row.get("parent") else None
        code = str(row["code"])
        region_clean(code=code, level=int(row["level"]), parent=parent)
        Region.objects.update_or_create(
            code=code, defaults={"name": row["name"], "level": row["level"], "parent": parent}
        )


def load_departments() -> None:
    for row in _yaml("departments.yaml"):
        fields = {k: row.get(k, "") for k in ("name", "address", "hours", "phone", "complaint_phone")}
        Department.objects.update_or_create(
            code=row["code"],
            defaults={
                **{k: str(v) for k, v in fields.items()},
                "region": Region.objects.get(code=str(row["region"])),
                "is_approval_bureau": bool(row.get("is_approval_bureau")),
                "order": int(row.get("order") or 100),
            },
        )
    for row in _yaml("centers.yaml"):
        center, _ = ServiceCenter.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "region": Region.objects.get(code=str(row["region"])),
                **{k: str(row.get(k, "")) for k in ("address", "hours", "phone", "transport")},
            },
        )
        for w in row.get("windows", []):
            window, _ = Window.objects.update_or_create(
                center=center,
                number=str(w["number"]),
                defaults={"name": w["name"], "kind": w.get("kind", "general")},
            )
            window.departments.set(Department.objects.filter(code__in=w.get("departments", [])))


def load_staff() -> None:
    User = get_user_model()
    # Every persona has the demo password; hash it once (PBKDF2 is slow on purpose).
    password = make_password("demo1234")
    for row in _yaml("staff.yaml"):
        user, created = User.objects.get_or_create(
            username=row["username"], defaults={"first_name": row.get("name", "")}
        )
        if created:
            user.password = (
                password
                if str(row.get("password", "demo1234")) == "demo1234"
                else make_password(str(row["password"]))
            )
            user.is_staff = True
            user.save()
        for role in row.get("roles", []):
            staff_role_grant(
                actor=SYSTEM,
                user=user,
                department=Department.objects.get(code=role["department"]),
                role=role["role"],
                center=ServiceCenter.objects.get(code=role["center"]) if role.get("center") else None,
            )
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.password = password
        admin.save()


def load_catalog_basics() -> None:
    for row in _yaml("life_events.yaml"):
        LifeEvent.objects.update_or_create(
            code=row["code"],
            defaults={k: row.get(k, "") for k in ("name", "name_en", "audience", "icon")}
            | {"order": row.get("order", 0)},
        )


def _read(folder: str, name: str) -> str:
    return (DATA / folder / name).read_text(encoding="utf-8")


def item_record(path: Path) -> dict[str, Any]:
    """An item fixture as a catalogue-import record (the files next to it read in)."""
    row = _load_yaml(path.read_text(encoding="utf-8"))
    version = row["version"]
    keywords = row.get("keywords") or ""
    return {
        "_row": path.name,
        "code": row["code"],
        "name": row["name"],
        "department": row["department"],
        "power": row.get("power") or "",
        "audience": row["audience"],
        "life_events": row.get("life_events") or [],
        "keywords": " ".join(keywords) if isinstance(keywords, list) else str(keywords),
        "popular": bool(row.get("popular")),
        **{key: version.get(key) for key in transfer.VERSION_FIELDS},
        "commitment_text": version.get("commitment_text") or "",
        "commitment_high_risk": bool(version.get("commitment_high_risk")),
        "form": json.loads(_read("forms", version["form"])),
        "process": _read("processes", version["process"]),
        "rules": _read("rules", version["rules"]) if version.get("rules") else "",
        "materials": version.get("materials") or [],
    }


def load_history(paths: list[Path]) -> None:
    """Change history and ended items, after every item exists (successors refer to others)."""
    for path in paths:
        row = _load_yaml(path.read_text(encoding="utf-8"))
        item = ServiceItem.objects.get(code=row["code"])
        item.changes.all().delete()
        for change in row.get("history", []):
            successor = ServiceItem.objects.filter(
                code=change.get("successor") or row.get("successor") or ""
            ).first()
            ItemChange.objects.create(
                item=item,
                kind=change["kind"],
                date=change["date"]
                if isinstance(change["date"], dt.date)
                else dt.date.fromisoformat(str(change["date"])),
                reason=change["reason"],
                successor=successor if change["kind"] in ("delegated", "merged") else None,
            )
        status = row.get("status")
        if status and status != item.status:
            item.status = status
            item.successor = ServiceItem.objects.filter(code=row.get("successor") or "").first()
            item.save(update_fields=["status", "successor"])
            search_index_item(item=item)


def load_bundles() -> None:
    for row in _yaml("bundles.yaml"):
        bundle, _ = Bundle.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "audience": row["audience"],
                "life_event": LifeEvent.objects.filter(code=row.get("life_event") or "").first(),
                "summary": row.get("summary", ""),
                "promised_limit_days": row.get("promised_limit_days"),
                "statutory_limit_days": row.get("statutory_limit_days", 45),
                "statutory_extension_days": row.get("statutory_extension_days", 15),
                "source_note": row.get("source_note", ""),
            },
        )
        bundle.members.all().delete()
        members = {
            m["item"]: BundleItem.objects.create(
                bundle=bundle, item=ServiceItem.objects.get(code=m["item"]), order=m.get("order", n)
            )
            for n, m in enumerate(row.get("items", []))
        }
        for m in row.get("items", []):
            members[m["item"]].depends_on.set([members[d] for d in m.get("depends_on", []) or []])
        bundle_publish(actor=SYSTEM, bundle=bundle)


def load_people(actor: Any) -> None:
    for row in _yaml("people.yaml"):
        person_register(
            actor=actor,
            name=row["name"],
            id_number=str(row["id_number"]),
            phone=str(row.get("phone", "")),
            region=Region.objects.filter(code=str(row.get("region", ""))).first(),
        )
    for row in _yaml("organizations.yaml"):
        organization_register(
            actor=actor,
            name=row["name"],
            uscc_code=str(row["uscc"]),
            legal_representative=row.get("legal_representative", ""),
            region=Region.objects.filter(code=str(row.get("region", ""))).first(),
        )


def load_applicants(actor: Any) -> None:
    """Every demo person gets an applicant account (phone from people.yaml, password demo1234), and
    the first person acts for the first organization (经办人, every item, no end date)."""
    password = make_password("demo1234")  # hashed once: PBKDF2 is slow on purpose
    people = _yaml("people.yaml")
    for row in people:
        person = Person.objects.get(
            id_number_hash=crypto.lookup_hash(normalize_id_number(str(row["id_number"])))
        )
        phone = str(row.get("phone") or "")
        if phone and not ApplicantAccount.objects.filter(person=person).exists():
            applicant_account_open(actor=actor, person=person, phone=phone, password_hash=password)
    organizations = _yaml("organizations.yaml")
    if not people or not organizations:
        return
    agent = Person.objects.get(
        id_number_hash=crypto.lookup_hash(normalize_id_number(str(people[0]["id_number"])))
    )
    grantor = Organization.objects.get(
        uscc_hash=crypto.lookup_hash(normalize_uscc(str(organizations[0]["uscc"])))
    )
    if not Authorization.objects.filter(agent=agent, grantor=grantor).exists():
        authorization_grant(
            actor=actor, grantor=grantor, agent=agent, valid_from=timezone.localdate() - dt.timedelta(days=30)
        )


def _json(name: str) -> Any:
    path = DATA / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def load_certificate_types() -> None:
    for row in _json("certificate_types.json"):
        problems = type_fields_problems(row["fields"], row.get("distinct_by") or [])
        if problems:
            raise DemoDataError(f"certificate type {row['code']}: " + " ".join(problems))
        CertificateType.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "title": row.get("title") or row["name"],
                "abbreviation": row["abbreviation"],
                "fields": row["fields"],
                "distinct_by": row.get("distinct_by") or [],
                "validity_years": row.get("validity_years"),
                "active": row.get("active", True),
            },
        )


def load_certificates(actor: Any) -> None:
    """Demo certificates in the wallets of the demo people and organizations, signed with demo keys
    (a demo CA and department keys are made in ONEVISIT_SIGNING_DIR when missing)."""
    rows = _json("certificates.json")
    if not rows:
        return
    signing.demo_keys_create(departments=Department.objects.select_related("region"))
    for row in rows:
        person = org = None
        if row.get("holder_person"):
            person = Person.objects.get(
                id_number_hash=crypto.lookup_hash(normalize_id_number(str(row["holder_person"])))
            )
        else:
            org = Organization.objects.get(
                uscc_hash=crypto.lookup_hash(normalize_uscc(str(row["holder_org"])))
            )
        certificate = certificate_issue(
            actor=actor,
            type_code=row["type"],
            data=row["data"],
            issuer=Department.objects.get(code=row["issuer"]),
            case_number=row["case_number"],
            holder_person=person,
            holder_org=org,
            valid_from=dt.date.fromisoformat(row["valid_from"]),
            provisional=bool(row.get("provisional")),
        )
        if row.get("revoke") and certificate.status != "revoked":
            certificate_revoke(actor=actor, certificate=certificate, reason=row["revoke"])
    certificates_expire()


def load_data_resources() -> None:
    """数据资源目录 and 共享协议: what each department holds and who may use it (items name the codes)."""
    for row in _yaml("data_resources.yaml"):
        resource = DataResource.objects.filter(code=row["code"]).first() or DataResource(code=row["code"])
        for key in ("name", "subject_kind", "sharing_class", "fields"):
            setattr(resource, key, row[key])
        resource.open_class = row.get("open_class", "none")
        resource.description = row.get("description", "")
        resource.provider = Department.objects.get(code=row["provider"])
        try:
            resource.full_clean()
        except ValidationError as exc:
            raise DemoDataError(f"data resource {row['code']}: {exc.messages}") from exc
        resource.save()
    for row in _yaml("sharing_agreements.yaml"):
        SharingAgreement.objects.update_or_create(
            resource=DataResource.objects.get(code=row["resource"]),
            consumer=Department.objects.get(code=row["consumer"]),
            defaults={
                "purpose": row["purpose"],
                "fields": row.get("fields") or [],
                "valid_from": dt.date.fromisoformat(str(row["valid_from"])),
                "valid_until": dt.date.fromisoformat(str(row["valid_until"]))
                if row.get("valid_until")
                else None,
                "revoked_at": None,
            },
        )


def _years_since(day: str, today: dt.date) -> int:
    start = dt.date.fromisoformat(day)
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def load_registry_records(actor: Any) -> None:
    """The demo's stand-in for the departments' databases: records of the demo people and organizations."""
    rows = _yaml("registry_records.yaml") or {}
    today = timezone.localdate()
    resources = {r.code: r for r in DataResource.objects.all()}
    for kind, rows_of_kind in (("person", rows.get("people", [])), ("org", rows.get("organizations", []))):
        for row in rows_of_kind:
            subject: dict[str, Any] = (
                {"person": Person.objects.get(
                    id_number_hash=crypto.lookup_hash(normalize_id_number(str(row["id_number"]))))}
                if kind == "person"
                else {"org": Organization.objects.get(uscc_hash=crypto.lookup_hash(normalize_uscc(str(row["uscc"]))))}
            )  # fmt: skip
            for code, data in row["records"].items():
                data = dict(data)
                if "graduated_on" in data:  # the registry answers with the years since graduation
                    data["years_since_graduation"] = _years_since(str(data["graduated_on"]), today)
                record_put(actor=actor, resource=resources[code], data=data, **subject)


def load_credit_records(actor: Any) -> None:
    """信用记录 of the demo people (赵敏: serious bad credit, matching her 公共信用信息 registry record)."""
    for row in _yaml("credit_records.yaml") or []:
        person = Person.objects.get(
            id_number_hash=crypto.lookup_hash(normalize_id_number(str(row["id_number"])))
        )
        if person.credit_records.filter(kind=row["kind"], legal_basis=row["legal_basis"]).exists():
            continue  # loaded before
        credit_record_add(
            actor=actor,
            person=person,
            kind=row["kind"],
            reason=row["reason"],
            legal_basis=row["legal_basis"],
            department=Department.objects.get(code=row["department"]),
        )


def load_calendar_ahead() -> None:
    """Deadlines run into next year, which chinese-calendar may not know yet: the demo adds it as
    plain weekdays and weekends (its holidays and 调休 not marked: 未核实, for an admin to mark in
    the admin's 工作日历), so cases filed late in the year still get their due dates."""
    from django.utils import timezone

    from onevisit.core.calendar import calendar_add_year, known_years

    year = timezone.localdate().year + 1
    if year not in known_years():
        calendar_add_year(year=year)


@transaction.atomic
def load_demo(*, verbosity: int = 1) -> dict[str, int]:
    actor = SYSTEM
    load_calendar_ahead()
    load_regions()
    load_departments()
    load_staff()
    load_catalog_basics()
    load_certificate_types()  # materials and items name certificate types
    load_data_resources()  # and data resources
    paths = sorted((DATA / "items").glob("*.yaml"))
    try:
        transfer.catalog_import(
            actor=actor,
            catalog=transfer.CatalogFile(
                items=[item_record(path) for path in paths], powers=_yaml("powers.yaml")
            ),
        )
    except transfer.ImportRejected as exc:
        raise DemoDataError("\n".join(exc.problems)) from exc
    load_history(paths)
    load_bundles()
    load_people(actor)
    load_applicants(actor)
    load_registry_records(actor)
    load_credit_records(actor)
    load_certificates(actor)
    load_commitment_approvals(actor, _yaml(COMMITMENT_APPROVALS))  # 告知承诺 approvals to post-check
    audit_log(
        actor=actor, action="demo_loaded", object_type="demo", object_id="demo", data={"items": len(paths)}
    )
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "items": ServiceItem.objects.count(),
        "bundles": Bundle.objects.count(),
        "certificates": Certificate.objects.count(),
    }
