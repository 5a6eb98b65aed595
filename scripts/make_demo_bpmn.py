"""Write the demo BPMN processes (with pool, lanes and diagram) from ``process_steps.yaml``.

A dev tool, run once after editing the steps::

    .venv/bin/python scripts/make_demo_bpmn.py

Each item's steps are ``{name, lane, limit, parallel_group?}``; ``lane`` is a department code,
``limit`` the step limit in working days. Consecutive steps sharing a ``parallel_group`` run in
parallel between a split and a join ``parallelGateway`` (one branch per lane).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent.parent / "src" / "onevisit" / "demo" / "data"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "onevisit": "http://onevisit.org/schema/bpmn",
}
SIZES = {"startEvent": (36, 36), "endEvent": (36, 36), "userTask": (110, 80), "parallelGateway": (50, 50)}
POOL_X, POOL_Y, POOL_LABEL, LANE_H, COL_W, FIRST_COL = 100, 60, 30, 140, 170, 90

for prefix, uri in NS.items():
    ET.register_namespace(prefix, uri)


def q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


@dataclass
class Node:
    id: str
    kind: str
    lane: str
    col: int
    name: str = ""
    limit: int | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


def build_graph(steps: list[dict[str, Any]]) -> tuple[list[Node], list[tuple[str, str, str]]]:
    """Turn the step list into nodes (with a column each) and sequence flows."""
    stages: list[list[dict[str, Any]]] = []
    for step in steps:
        group = step.get("parallel_group")
        if group is not None and stages and stages[-1][0].get("parallel_group") == group:
            stages[-1].append(step)
        else:
            stages.append([step])
    nodes = [Node("StartEvent_1", "startEvent", steps[0]["lane"], 0, "申请提交")]
    flows: list[tuple[str, str, str]] = []
    tails = [nodes[0]]
    col, count = 1, 0

    def link(source: Node, target: Node) -> None:
        flow_id = f"Flow_{len(flows) + 1}"
        flows.append((flow_id, source.id, target.id))
        source.outgoing.append(flow_id)
        target.incoming.append(flow_id)

    for stage in stages:
        if len(stage) > 1:
            lanes = [s["lane"] for s in stage]
            if len(set(lanes)) != len(lanes):
                raise ValueError(f"parallel branches must be in different lanes: {lanes}")
            split = Node(f"Gateway_split_{col}", "parallelGateway", tails[0].lane, col)
            nodes.append(split)
            for tail in tails:
                link(tail, split)
            tails, col = [split], col + 1
        branch_tails = []
        for step in stage:
            count += 1
            task = Node(f"Task_{count}", "userTask", step["lane"], col, step["name"], int(step["limit"]))
            nodes.append(task)
            for tail in tails:
                link(tail, task)
            branch_tails.append(task)
        col += 1
        if len(stage) > 1:
            join = Node(f"Gateway_join_{col}", "parallelGateway", stage[0]["lane"], col)
            nodes.append(join)
            for tail in branch_tails:
                link(tail, join)
            branch_tails, col = [join], col + 1
        tails = branch_tails
    end = Node("EndEvent_1", "endEvent", tails[0].lane, col, "办结")
    nodes.append(end)
    link(tails[0], end)
    return nodes, flows


def render(code: str, name: str, steps: list[dict[str, Any]]) -> bytes:
    key = code.replace("-", "_")
    process_id, participant_id = f"Process_{key}", f"Participant_{key}"
    nodes, flows = build_graph(steps)
    lanes = list(dict.fromkeys(node.lane for node in nodes))
    by_id = {node.id: node for node in nodes}

    root = ET.Element(
        q("bpmn", "definitions"),
        {
            "id": f"Definitions_{key}",
            "targetNamespace": "http://onevisit.org/demo",
            "exporter": "onevisit make_demo_bpmn.py",
            "exporterVersion": "1",
        },
    )
    collab = ET.SubElement(root, q("bpmn", "collaboration"), {"id": f"Collaboration_{key}"})
    ET.SubElement(
        collab, q("bpmn", "participant"), {"id": participant_id, "name": name, "processRef": process_id}
    )
    process = ET.SubElement(
        root, q("bpmn", "process"), {"id": process_id, "name": name, "isExecutable": "true"}
    )
    lane_set = ET.SubElement(process, q("bpmn", "laneSet"), {"id": f"LaneSet_{key}"})
    for index, lane in enumerate(lanes, start=1):
        lane_el = ET.SubElement(lane_set, q("bpmn", "lane"), {"id": f"Lane_{index}", "name": lane})
        for node in nodes:
            if node.lane == lane:
                ET.SubElement(lane_el, q("bpmn", "flowNodeRef")).text = node.id
    for node in nodes:
        attrs = {"id": node.id}
        if node.name:
            attrs["name"] = node.name
        if node.limit is not None:
            attrs[q("onevisit", "limitDays")] = str(node.limit)
        element = ET.SubElement(process, q("bpmn", node.kind), attrs)
        for flow_id in node.incoming:
            ET.SubElement(element, q("bpmn", "incoming")).text = flow_id
        for flow_id in node.outgoing:
            ET.SubElement(element, q("bpmn", "outgoing")).text = flow_id
    for flow_id, source, target in flows:
        ET.SubElement(
            process, q("bpmn", "sequenceFlow"), {"id": flow_id, "sourceRef": source, "targetRef": target}
        )

    width = POOL_LABEL + FIRST_COL + max(node.col for node in nodes) * COL_W + 90
    diagram = ET.SubElement(root, q("bpmndi", "BPMNDiagram"), {"id": f"Diagram_{key}"})
    plane = ET.SubElement(
        diagram, q("bpmndi", "BPMNPlane"), {"id": f"Plane_{key}", "bpmnElement": f"Collaboration_{key}"}
    )

    def shape(element_id: str, x: float, y: float, w: float, h: float, **extra: str) -> None:
        el = ET.SubElement(
            plane, q("bpmndi", "BPMNShape"), {"id": f"{element_id}_di", "bpmnElement": element_id, **extra}
        )
        ET.SubElement(el, q("dc", "Bounds"), {"x": str(x), "y": str(y), "width": str(w), "height": str(h)})

    shape(participant_id, POOL_X, POOL_Y, width, LANE_H * len(lanes), isHorizontal="true")
    for index in range(len(lanes)):
        lane_x = POOL_X + POOL_LABEL
        shape(
            f"Lane_{index + 1}",
            lane_x,
            POOL_Y + index * LANE_H,
            width - POOL_LABEL,
            LANE_H,
            isHorizontal="true",
        )

    def centre(node: Node) -> tuple[float, float]:
        x = POOL_X + POOL_LABEL + FIRST_COL + node.col * COL_W
        y = POOL_Y + lanes.index(node.lane) * LANE_H + LANE_H / 2
        return x, y

    for node in nodes:
        w, h = SIZES[node.kind]
        cx, cy = centre(node)
        shape(node.id, cx - w / 2, cy - h / 2, w, h)
    for flow_id, source, target in flows:
        (sx, sy), (tx, ty) = centre(by_id[source]), centre(by_id[target])
        sx += SIZES[by_id[source].kind][0] / 2
        tx -= SIZES[by_id[target].kind][0] / 2
        points = (
            [(sx, sy), (tx, ty)]
            if sy == ty
            else [(sx, sy), ((sx + tx) / 2, sy), ((sx + tx) / 2, ty), (tx, ty)]
        )
        edge = ET.SubElement(plane, q("bpmndi", "BPMNEdge"), {"id": f"{flow_id}_di", "bpmnElement": flow_id})
        for x, y in points:
            ET.SubElement(edge, q("di", "waypoint"), {"x": str(x), "y": str(y)})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def main() -> None:
    steps_by_item: dict[str, list[dict[str, Any]]] = yaml.safe_load(
        (DATA / "process_steps.yaml").read_text("utf-8")
    )
    for code, steps in steps_by_item.items():
        item = yaml.safe_load((DATA / "items" / f"{code}.yaml").read_text("utf-8"))
        target = DATA / "processes" / item["version"]["process"]
        target.write_bytes(render(code, item["name"], steps))
        print(f"wrote {target.relative_to(DATA.parent.parent.parent.parent)}")


if __name__ == "__main__":
    main()
