"""Checks a catalogue version must pass before it is published.

Each check returns human-readable problems (in the user's language) instead of raising, so the
admin and the importer can show all of them at once.
"""

from __future__ import annotations

import io
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ONEVISIT_NS = "http://onevisit.org/schema/bpmn"
MAX_XML_BYTES = 2 * 1024 * 1024
NON_FLOW_TAGS = {"dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation", "association"}
TASK_TAGS = {
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "businessRuleTask",
    "scriptTask",
    "sendTask",
    "receiveTask",
}


class DefinitionError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Step:
    id: str
    name: str
    lane: str
    limit_days: int | None
    kind: str


@dataclass
class ProcessInfo:
    process_id: str
    lanes: list[str]
    steps: list[Step] = field(default_factory=list)
    has_diagram: bool = False
    unlaned: list[str] = field(default_factory=list)


def _safe_xml(text: str, what: str) -> etree._Element:
    """Parse XML without DTDs or entities (no XXE, no billion laughs)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_XML_BYTES:
        raise DefinitionError([_("The %(what)s file is larger than 2 MB.") % {"what": what}])
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DefinitionError(
            [_("The %(what)s file may not contain a DOCTYPE or entities.") % {"what": what}]
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(
            [_("The %(what)s file is not well-formed XML: %(error)s") % {"what": what, "error": exc.msg}]
        ) from exc


def check_form_schema(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return [_("The form must be a JSON object (a JSON Schema).")]
    problems: list[str] = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        problems.append(
            _("The form is not a valid JSON Schema at %(where)s: %(error)s")
            % {"where": where, "error": exc.message}
        )
        return problems
    if schema.get("type") != "object":
        problems.append(_('The form schema must have "type": "object".'))
    properties = schema.get("properties") or {}
    if not properties:
        problems.append(_("The form has no fields."))
    for name, prop in properties.items():
        if not isinstance(prop, dict) or not prop.get("x-data-element"):
            problems.append(
                _('Field "%(field)s" has no data-element key (x-data-element).') % {"field": name}
            )
        if isinstance(prop, dict) and not prop.get("title"):
            problems.append(_('Field "%(field)s" has no title.') % {"field": name})
    for step in schema.get("x-steps") or []:
        for name in step.get("fields", []):
            if name not in properties:
                problems.append(
                    _('Form step "%(step)s" lists an unknown field "%(field)s".')
                    % {"step": step.get("title", "?"), "field": name}
                )
    for name in schema.get("required") or []:
        if name not in properties:
            problems.append(_('Required field "%(field)s" is not defined.') % {"field": name})
    return problems


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_process(bpmn_xml: str) -> ProcessInfo:
    """Parse with SpiffWorkflow (the engine that will run it) and read lanes and steps in flow order."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    root = _safe_xml(bpmn_xml, "BPMN")
    parser = BpmnParser()
    try:
        parser.add_bpmn_xml(etree.ElementTree(root))
        ids = parser.get_process_ids()
        if len(ids) != 1:
            raise DefinitionError(
                [
                    _("The BPMN file must contain exactly one executable process (found %(n)d).")
                    % {"n": len(ids)}
                ]
            )
        parser.get_spec(ids[0])
    except ValidationException as exc:
        raise DefinitionError(
            [_("The BPMN process does not parse: %(error)s") % {"error": str(exc)}]
        ) from exc
    except DefinitionError:
        raise
    except Exception as exc:
        raise DefinitionError(
            [_("The BPMN process does not parse: %(error)s") % {"error": str(exc)}]
        ) from exc

    ns = {"bpmn": BPMN_NS}
    process = root.find(f".//{{{BPMN_NS}}}process[@id='{ids[0]}']")
    assert process is not None
    lane_of: dict[str, str] = {}
    lanes: list[str] = []
    for lane in process.iterfind(".//bpmn:lane", ns):
        lane_name = (lane.get("name") or "").strip()
        lanes.append(lane_name)
        for ref in lane.iterfind("bpmn:flowNodeRef", ns):
            lane_of[(ref.text or "").strip()] = lane_name
    nodes = {
        el.get("id"): el
        for el in process
        if _local(el.tag) not in {"laneSet", "sequenceFlow", "documentation", "extensionElements"}
    }
    flows: dict[str, list[str]] = {}
    for flow in process.iterfind("bpmn:sequenceFlow", ns):
        flows.setdefault(flow.get("sourceRef", ""), []).append(flow.get("targetRef", ""))
    starts = [i for i, el in nodes.items() if _local(el.tag) == "startEvent"]
    info = ProcessInfo(
        process_id=ids[0],
        lanes=lanes,
        has_diagram=root.find(".//{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape") is not None,
    )
    seen: set[str] = set()
    queue = deque(starts)
    while queue:
        node_id = queue.popleft()
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        el = nodes[node_id]
        tag = _local(el.tag)
        if tag in TASK_TAGS:
            raw_limit = el.get(f"{{{ONEVISIT_NS}}}limitDays")
            limit = int(raw_limit) if raw_limit and raw_limit.isdigit() else None
            info.steps.append(Step(node_id, el.get("name") or node_id, lane_of.get(node_id, ""), limit, tag))
        queue.extend(flows.get(node_id, []))
    info.unlaned = [i for i, el in nodes.items() if i not in lane_of and _local(el.tag) not in NON_FLOW_TAGS]
    return info


def check_process(bpmn_xml: str, *, department_codes: set[str]) -> tuple[ProcessInfo | None, list[str]]:
    try:
        info = parse_process(bpmn_xml)
    except DefinitionError as exc:
        return None, exc.problems
    problems: list[str] = []
    if not info.lanes:
        problems.append(
            _("The process has no lanes: every step must sit in a lane named after a department code.")
        )
    for lane in info.lanes:
        if not lane:
            problems.append(_("A lane of the process has no name; name it after a department code."))
        elif lane not in department_codes:
            problems.append(_('Lane "%(lane)s" does not name a known department code.') % {"lane": lane})
    for node_id in info.unlaned:
        problems.append(_('Step "%(step)s" is not in any lane.') % {"step": node_id})
    if not info.steps:
        problems.append(_("The process has no steps."))
    return info, problems


def check_rules(dmn_xml: str) -> tuple[str, list[str]]:
    """The decision id of a DMN table, or the problems that stop it from running (parsed and every
    cell checked by ``workflow.rules``, the same code that decides cases)."""
    from onevisit.workflow.exceptions import DefinitionError as EngineDefinitionError
    from onevisit.workflow.rules import decision_id_of

    try:
        return decision_id_of(dmn_xml), []
    except EngineDefinitionError as exc:
        return "", [str(exc)]


def check_post_check_ratio(ratio: object) -> list[str]:
    """事后核查: the share of approvals on commitment drawn for a check — empty (the platform's
    default) or a whole number of percent from 1 to 100."""
    if ratio is None:
        return []
    if isinstance(ratio, bool) or not isinstance(ratio, int) or not 1 <= ratio <= 100:
        return [
            _("The post-check ratio must be a whole number of percent from 1 to 100 (now %(ratio)s).")
            % {"ratio": str(ratio)[:20]}
        ]
    return []


def check_limits(*, kind: str, statutory: int | None, promised: int | None) -> list[str]:
    problems: list[str] = []
    if statutory is None:
        problems.append(_("Enter the statutory time limit in working days (法定时限)."))
    if promised is None:
        problems.append(_("Enter the promised time limit in working days (承诺时限)."))
    if statutory is not None and promised is not None and promised > statutory:
        problems.append(
            _(
                "The promised limit (%(promised)d working days) may not exceed the statutory limit (%(statutory)d)."
            )
            % {"promised": promised, "statutory": statutory}
        )
    if kind == "immediate" and promised not in (None, 0):
        problems.append(_("An immediate item (即办件) is decided on the spot: its promised limit must be 0."))
    if kind == "promised" and promised == 0:
        problems.append(_("A promised item (承诺件) needs a promised limit of at least 1 working day."))
    return problems
