"""Import and export of the catalogue as JSON and XLSX (catalogues of hundreds of items live in spreadsheets).

An import is checked whole before anything is written: wrong columns, duplicate codes, unknown
departments, powers or life events, and every version check of publication. Then, in one
transaction, new items are created and changed items get a new published version (published
versions are never edited). Identical items are left alone.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from onevisit.core.audit import audit_log
from onevisit.org.models import Department

from . import validation
from .models import (
    FormSchema,
    ItemVersion,
    LifeEvent,
    MaterialRequirement,
    Power,
    ProcessDefinition,
    Responsibility,
    RuleDefinition,
    ServiceItem,
)
from .services import COPIED_VERSION_FIELDS, version_new_draft, version_publish

FORMAT = "onevisit-catalog"
MAX_ITEMS = 5000

# (spreadsheet header, key, kind) — kind: str, int, bool, list (comma), lines (a|b per line), json
ITEM_COLUMNS: list[tuple[str, str, str]] = [
    ("事项编码", "code", "str"), ("事项名称", "name", "str"), ("实施部门编码", "department", "str"),
    ("权力编码", "power", "str"), ("服务对象", "audience", "str"), ("主题", "life_events", "list"),
    ("关键词", "keywords", "str"), ("热门", "popular", "bool"), ("办件类型", "kind", "str"),
    ("简介", "summary", "str"), ("设定依据", "legal_basis", "basis"), ("受理条件", "conditions", "str"),
    ("法定时限", "statutory_limit_days", "int"), ("法定时限说明", "statutory_limit_note", "str"),
    ("承诺时限", "promised_limit_days", "int"), ("到现场次数", "visits", "int"), ("收费", "fees", "fees"),
    ("收费说明", "fee_note", "str"), ("办理渠道", "channels", "list"), ("办理地点", "location", "str"),
    ("办理时间", "hours", "str"), ("咨询电话", "consult_phone", "str"), ("投诉电话", "complaint_phone", "str"),
    ("常见问题", "faq", "json"), ("来源说明", "source_note", "str"), ("申请表", "form", "json"),
    ("办理流程", "process", "str"), ("审批规则", "rules", "str"), ("发放证照", "certificate_type", "str"),
]  # fmt: skip
MATERIAL_COLUMNS: list[tuple[str, str, str]] = [
    ("事项编码", "item", "str"), ("材料编码", "code", "str"), ("材料名称", "name", "str"), ("说明", "description", "str"),
    ("形式", "form", "str"), ("份数", "copies", "int"), ("出具单位", "issuer", "str"), ("必需", "required", "bool"),
    ("可容缺", "tolerable", "bool"), ("可告知承诺", "commitment_replaceable", "bool"),
    ("共享数据", "shared_data", "str"), ("证照类型", "certificate_type", "str"),
]  # fmt: skip
POWER_COLUMNS: list[tuple[str, str, str]] = [
    ("权力编码", "code", "str"), ("权力名称", "name", "str"), ("权力类型", "kind", "str"),
    ("责任部门编码", "department", "str"), ("设定依据", "legal_basis", "str"), ("有效", "is_active", "bool"),
]  # fmt: skip
RESPONSIBILITY_COLUMNS: list[tuple[str, str, str]] = [
    ("权力编码", "power", "str"), ("序号", "order", "int"), ("责任事项", "duty", "str"), ("追责依据", "accountability", "str"),
]  # fmt: skip
VERSION_FIELDS = [name for name in COPIED_VERSION_FIELDS if name != "name"]
MATERIAL_FIELDS = [k for _, k, _ in MATERIAL_COLUMNS if k != "item"]


class ImportRejected(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems[:5]))


@dataclass
class CatalogFile:
    """What a catalogue file holds: service items (with materials) and powers (with responsibilities)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    powers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    powers_written: list[str] = field(default_factory=list)


# ---- export -------------------------------------------------------------------------------------


def _item_record(item: ServiceItem) -> dict[str, Any]:
    version = item.current_version
    assert version is not None
    record: dict[str, Any] = {
        "code": item.code,
        "name": version.name,
        "department": item.department.code,
        "power": item.power.code if item.power else "",
        "audience": item.audience,
        "life_events": sorted(e.code for e in item.life_events.all()),
        "keywords": item.keywords,
        "popular": item.is_popular,
        **{name: getattr(version, name) for name in VERSION_FIELDS},
        "form": version.form.schema if hasattr(version, "form") else None,
        "process": version.process.bpmn_xml if hasattr(version, "process") else "",
        "rules": version.rules.dmn_xml if hasattr(version, "rules") else "",
        "materials": [{k: getattr(m, k) for k in MATERIAL_FIELDS} for m in version.materials.all()],
    }
    return record


def export_records() -> list[dict[str, Any]]:
    items = (
        ServiceItem.objects.filter(current_version__isnull=False)
        .select_related("department", "power", "current_version__form", "current_version__process")
        .prefetch_related("life_events", "current_version__materials")
        .order_by("code")
    )
    return [_item_record(item) for item in items]


def export_powers() -> list[dict[str, Any]]:
    powers = Power.objects.select_related("department").prefetch_related("responsibilities").order_by("code")
    return [
        {
            "code": p.code, "name": p.name, "kind": p.kind, "department": p.department.code,
            "legal_basis": p.legal_basis, "is_active": p.is_active,
            "responsibilities": [{"duty": r.duty, "accountability": r.accountability} for r in p.responsibilities.all()],
        }
        for p in powers
    ]  # fmt: skip


def export_json() -> bytes:
    payload = {"format": FORMAT, "version": 1, "powers": export_powers(), "items": export_records()}
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def _cell(kind: str, value: Any) -> Any:
    if kind == "list":
        return ",".join(value or [])
    if kind == "bool":
        return "是" if value else "否"
    if kind == "basis":
        return "\n".join(f"{b.get('law', '')}|{b.get('article', '')}" for b in value or [])
    if kind == "fees":
        return "\n".join(
            f"{f.get('name', '')}|{f.get('amount', '')}|{f.get('basis', '')}" for f in value or []
        )
    if kind == "json":
        return json.dumps(value, ensure_ascii=False) if value not in (None, "", []) else ""
    return value if value is not None else ""


def export_xlsx() -> bytes:
    book = Workbook()
    items_sheet = book.active
    assert items_sheet is not None
    items_sheet.title = "事项"
    items_sheet.append([h for h, _, _ in ITEM_COLUMNS])
    materials_sheet = book.create_sheet("材料")
    materials_sheet.append([h for h, _, _ in MATERIAL_COLUMNS])
    for record in export_records():
        items_sheet.append([_cell(kind, record.get(key)) for _, key, kind in ITEM_COLUMNS])
        for material in record["materials"]:
            row = {"item": record["code"], **material}
            materials_sheet.append([_cell(kind, row.get(key)) for _, key, kind in MATERIAL_COLUMNS])
    powers_sheet = book.create_sheet("权力")
    powers_sheet.append([h for h, _, _ in POWER_COLUMNS])
    duties_sheet = book.create_sheet("责任")
    duties_sheet.append([h for h, _, _ in RESPONSIBILITY_COLUMNS])
    for power in export_powers():
        powers_sheet.append([_cell(kind, power.get(key)) for _, key, kind in POWER_COLUMNS])
        for n, duty in enumerate(power["responsibilities"], start=1):
            row = {"power": power["code"], "order": n, **duty}
            duties_sheet.append([_cell(kind, row.get(key)) for _, key, kind in RESPONSIBILITY_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- parse --------------------------------------------------------------------------------------


def _parse_cell(kind: str, value: Any, where: str, problems: list[str]) -> Any:
    text = "" if value is None else str(value).strip()
    if kind == "int":
        if text == "":
            return None
        try:
            return int(float(text))
        except ValueError:
            problems.append(
                _("%(where)s: “%(value)s” is not a whole number.") % {"where": where, "value": text[:40]}
            )
            return None
    if kind == "bool":
        return text.lower() in {"是", "true", "1", "yes", "y", "✓"}
    if kind == "list":
        return [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    if kind == "basis":
        return [
            dict(zip(["law", "article"], ([*line.split("|", 1), ""])[:2], strict=True))
            for line in text.splitlines()
            if line.strip()
        ]
    if kind == "fees":
        return [
            dict(zip(["name", "amount", "basis"], ([*line.split("|", 2), "", ""])[:3], strict=True))
            for line in text.splitlines()
            if line.strip()
        ]
    if kind == "json":
        if text == "":
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            problems.append(_("%(where)s: not valid JSON.") % {"where": where})
            return None
    return text


def _rows(
    sheet: Any, columns: list[tuple[str, str, str]], sheet_name: str, problems: list[str]
) -> list[dict[str, Any]]:
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    expected = [h for h, _, _ in columns]
    missing = [h for h in expected if h not in header]
    unknown = [h for h in header if h and h not in expected]
    if missing or unknown:
        problems.append(
            _("Sheet “%(sheet)s” has wrong columns. Missing: %(missing)s. Unknown: %(unknown)s.")
            % {
                "sheet": sheet_name,
                "missing": "、".join(missing) or "-",
                "unknown": "、".join(unknown) or "-",
            }
        )
        return []
    index = {h: header.index(h) for h in expected}
    out = []
    for number, row in enumerate(rows, start=2):
        if row is None or all(v in (None, "") for v in row):
            continue
        record = {}
        for h, key, kind in columns:
            value = row[index[h]] if index[h] < len(row) else None
            record[key] = _parse_cell(kind, value, f"{sheet_name} {number} {h}", problems)
        record["_row"] = f"{sheet_name} {number}"
        out.append(record)
    return out


def _attach(
    parents: list[dict[str, Any]],
    children: list[dict[str, Any]],
    link: str,
    into: str,
    sheet: str,
    problems: list[str],
) -> None:
    """Put each child row (a material, a responsibility) under the parent row its ``link`` names."""
    by_code: dict[str, dict[str, Any]] = {}
    for record in parents:
        record[into] = []
        by_code.setdefault(record["code"], record)
    for child in children:
        owner = by_code.get(child.pop(link))
        if owner is None:
            problems.append(
                _("%(row)s: the row belongs to a code that is not in the “%(sheet)s” sheet.")
                % {"row": child["_row"], "sheet": sheet}
            )
            continue
        owner[into].append(child)


def parse_xlsx(data: bytes) -> CatalogFile:
    problems: list[str] = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportRejected([_("The file is not a readable XLSX workbook.")]) from exc
    for name in ("事项", "材料"):
        if name not in book.sheetnames:
            raise ImportRejected(
                [
                    _("The workbook needs the sheets “事项” and “材料”; “%(name)s” is missing.")
                    % {"name": name}
                ]
            )
    items = _rows(book["事项"], ITEM_COLUMNS, "事项", problems)
    materials = _rows(book["材料"], MATERIAL_COLUMNS, "材料", problems)
    has_powers = "权力" in book.sheetnames and "责任" in book.sheetnames
    powers = _rows(book["权力"], POWER_COLUMNS, "权力", problems) if has_powers else []
    duties = _rows(book["责任"], RESPONSIBILITY_COLUMNS, "责任", problems) if has_powers else []
    if problems:
        raise ImportRejected(problems)
    _attach(items, materials, "item", "materials", "事项", problems)
    _attach(
        powers,
        sorted(duties, key=lambda d: d.get("order") or 0),
        "power",
        "responsibilities",
        "权力",
        problems,
    )
    if problems:
        raise ImportRejected(problems)
    return CatalogFile(items=items, powers=powers)


def parse_json(data: bytes) -> CatalogFile:
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected([_("The file is not valid UTF-8 JSON.")]) from exc
    if (
        not isinstance(payload, dict)
        or payload.get("format") != FORMAT
        or not isinstance(payload.get("items"), list)
    ):
        raise ImportRejected(
            [
                _("The JSON file is not an onevisit catalogue export (format “%(format)s”).")
                % {"format": FORMAT}
            ]
        )
    items, powers = payload["items"], payload.get("powers") or []
    if not isinstance(powers, list) or not all(isinstance(i, dict) for i in [*items, *powers]):
        raise ImportRejected([_("Every entry of “items” and “powers” must be an object.")])
    for name, rows in (("items", items), ("powers", powers)):
        for n, row in enumerate(rows, start=1):
            row.setdefault("_row", f"{name}[{n}]")
    return CatalogFile(items=items, powers=powers)


# ---- check and write ----------------------------------------------------------------------------


def check_powers(powers: list[dict[str, Any]], departments: set[str]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for record in powers:
        code = str(record.get("code") or "").strip()
        where = f"{record.get('_row', '?')} {code}:"
        if not code:
            problems.append(f"{where} {_('the power code is empty.')}")
            continue
        if code in seen:
            problems.append(f"{where} {_('the power code appears twice.')}")
        seen.add(code)
        if not str(record.get("name") or "").strip():
            problems.append(f"{where} {_('the name is empty.')}")
        if record.get("kind") not in Power.Kind.values:
            problems.append(
                f"{where} " + _("unknown kind of power “%(kind)s”.") % {"kind": record.get("kind")}
            )
        if record.get("department") not in departments:
            problems.append(
                f"{where} " + _("unknown department code “%(code)s”.") % {"code": record.get("department")}
            )
        if any(not str(r.get("duty") or "").strip() for r in record.get("responsibilities") or []):
            problems.append(f"{where} {_('a responsibility has no duty.')}")
    return problems


def check_records(records: list[dict[str, Any]], file_powers: set[str] | None = None) -> list[str]:
    problems: list[str] = []
    if len(records) > MAX_ITEMS:
        return [_("At most %(n)d items can be imported at once.") % {"n": MAX_ITEMS}]
    departments = set(Department.objects.values_list("code", flat=True))
    powers = set(Power.objects.values_list("code", flat=True)) | (file_powers or set())
    events = set(LifeEvent.objects.values_list("code", flat=True))
    seen: set[str] = set()
    for record in records:
        row = record.get("_row", "?")
        code = str(record.get("code") or "").strip()
        say = lambda message, row=row, code=code: problems.append(f"{row} {code}: {message}")  # noqa: E731
        if not code:
            say(_("the item code is empty."))
            continue
        if code in seen:
            say(_("the item code appears twice."))
        seen.add(code)
        if not str(record.get("name") or "").strip():
            say(_("the name is empty."))
        if record.get("department") not in departments:
            say(_("unknown department code “%(code)s”.") % {"code": record.get("department")})
        if record.get("power") and record["power"] not in powers:
            say(_("unknown power code “%(code)s”.") % {"code": record["power"]})
        for event in record.get("life_events") or []:
            if event not in events:
                say(_("unknown life event “%(code)s”.") % {"code": event})
        if record.get("audience") not in ("person", "organization"):
            say(_("the audience must be person or organization."))
        if record.get("kind") not in ("immediate", "promised"):
            say(_("the kind must be immediate or promised."))
        problems.extend(
            f"{row} {code}: {p}"
            for p in validation.check_limits(
                kind=record.get("kind") or "",
                statutory=record.get("statutory_limit_days"),
                promised=record.get("promised_limit_days"),
            )
        )
        problems.extend(
            f"{row} {code}: {p}" for p in validation.check_post_check_ratio(record.get("post_check_ratio"))
        )
        problems.extend(f"{row} {code}: {p}" for p in validation.check_form_schema(record.get("form")))
        _info, process_problems = validation.check_process(
            record.get("process") or "", department_codes=departments
        )
        problems.extend(f"{row} {code}: {p}" for p in process_problems)
        if record.get("rules"):
            problems.extend(f"{row} {code}: {p}" for p in validation.check_rules(record["rules"])[1])
        material_codes = [m.get("code") for m in record.get("materials") or []]
        if len(material_codes) != len(set(material_codes)):
            say(_("two materials share one material code."))
        if any(not c for c in material_codes):
            say(_("a material has no code."))
    return problems


def _comparable(value: Any) -> Any:
    """Empty values compare equal whatever their container (a spreadsheet has no [] or null)."""
    if value in (None, "", [], {}):
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _material(material: dict[str, Any]) -> dict[str, Any]:
    return {k: material.get(k) if material.get(k) is not None else _default(k) for k in MATERIAL_FIELDS}


def _same(item: ServiceItem, record: dict[str, Any]) -> bool:
    """Whether an import record says nothing new about an item (so no new version is needed)."""
    current = _item_record(item)
    keys = [k for k in record if not k.startswith("_") and k in current]
    record = {
        **record,
        "materials": [_material(m) for m in record.get("materials") or []],
        "life_events": sorted(record.get("life_events") or []),
    }
    return all(_comparable(current[k]) == _comparable(record.get(k)) for k in keys)


def _fill_version(version: ItemVersion, record: dict[str, Any]) -> None:
    version.name = record["name"]
    for name in VERSION_FIELDS:
        if name in ("commitment_text", "commitment_high_risk", "post_check_ratio") and name not in record:
            continue  # not in the spreadsheet columns: an import keeps what the version says
        value = record.get(name)
        if value is None and name not in ("statutory_limit_days", "promised_limit_days", "post_check_ratio"):
            value = (
                [] if name in ("legal_basis", "fees", "channels", "faq") else ("" if name != "visits" else 0)
            )
            if name == "commitment_high_risk":
                value = False
        setattr(version, name, value)
    version.save()
    version.materials.all().delete()
    MaterialRequirement.objects.bulk_create(
        [
            MaterialRequirement(version=version, order=n, **_material(m))
            for n, m in enumerate(record.get("materials") or [])
        ]
    )
    FormSchema.objects.update_or_create(version=version, defaults={"schema": record["form"]})
    ProcessDefinition.objects.update_or_create(version=version, defaults={"bpmn_xml": record["process"]})
    RuleDefinition.objects.filter(version=version).delete()
    if record.get("rules"):
        RuleDefinition.objects.create(version=version, dmn_xml=record["rules"])


def _default(key: str) -> Any:
    return {
        "copies": 1,
        "required": True,
        "tolerable": False,
        "commitment_replaceable": False,
        "form": "electronic",
    }.get(key, "")


def _write_power(record: dict[str, Any]) -> bool:
    """Create or update one power and its responsibilities; True when anything changed."""
    fields = {
        "name": record["name"].strip(),
        "kind": record["kind"],
        "department": Department.objects.get(code=record["department"]),
        "legal_basis": str(record.get("legal_basis") or "").strip(),
        "is_active": record.get("is_active", True) is not False,
    }
    duties = [
        (str(r["duty"]).strip(), str(r.get("accountability") or "").strip())
        for r in record.get("responsibilities") or []
    ]
    power = Power.objects.filter(code=record["code"].strip()).first()
    if power is not None:
        same = all(getattr(power, k) == v for k, v in fields.items())
        if same and list(power.responsibilities.values_list("duty", "accountability")) == duties:
            return False
    power, _created = Power.objects.update_or_create(code=record["code"].strip(), defaults=fields)
    power.responsibilities.all().delete()
    Responsibility.objects.bulk_create(
        [Responsibility(power=power, duty=d, accountability=a, order=n) for n, (d, a) in enumerate(duties)]
    )
    return True


@transaction.atomic
def catalog_import(*, actor: Any, catalog: CatalogFile) -> ImportReport:
    departments = set(Department.objects.values_list("code", flat=True))
    problems = check_powers(catalog.powers, departments)
    problems += check_records(catalog.items, {str(p.get("code") or "").strip() for p in catalog.powers})
    if problems:
        raise ImportRejected(problems)
    report = ImportReport()
    report.powers_written = [p["code"].strip() for p in catalog.powers if _write_power(p)]
    for record in catalog.items:
        item = ServiceItem.objects.filter(code=record["code"]).first()
        if item is not None and item.current_version is not None and _same(item, record):
            report.unchanged.append(item.code)
            continue
        defaults = {
            "department": Department.objects.get(code=record["department"]),
            "power": Power.objects.filter(code=record.get("power") or "").first(),
            "audience": record["audience"],
            "keywords": record.get("keywords") or "",
            "is_popular": bool(record.get("popular")),
        }
        if item is None:
            item = ServiceItem.objects.create(code=record["code"], name=record["name"], **defaults)
            version = ItemVersion(item=item, number=1)
            report.created.append(item.code)
        else:
            for key, value in defaults.items():
                setattr(item, key, value)
            item.save()
            version = item.versions.filter(state=ItemVersion.State.DRAFT).first() or version_new_draft(
                actor=actor, item=item
            )
            version.change_note = _("Changed by catalogue import.")
            report.updated.append(item.code)
        item.life_events.set(LifeEvent.objects.filter(code__in=record.get("life_events") or []))
        _fill_version(version, record)
        version_publish(actor=actor, version=version)
    audit_log(
        actor=actor,
        action="catalog_imported",
        object_type="catalog",
        object_id="import",
        data={
            "created": report.created,
            "updated": report.updated,
            "unchanged": len(report.unchanged),
            "powers": report.powers_written,
        },
    )
    return report
