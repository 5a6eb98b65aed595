"""Bad definitions get clear messages; good ones pass (the parsers are SpiffWorkflow's)."""

from pathlib import Path

import pytest

from conftest import bpmn
from onevisit.catalog import validation
from onevisit.demo import loader

DMN = (loader.DATA / "rules" / "330100-MZ-001.dmn").read_text(encoding="utf-8")


def test_demo_dmn_parses_and_names_its_decision():
    decision_id, problems = validation.check_rules(DMN)
    assert problems == [] and decision_id == "Decision_330100_MZ_001"


@pytest.mark.parametrize(
    "dmn",
    [
        "",
        "<definitions",
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"/>',
        DMN.replace("<decisionTable", "<decisionTabel").replace("</decisionTable>", "</decisionTabel>"),
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
    ],
)
def test_bad_dmn_is_refused_with_a_message(dmn):
    decision_id, problems = validation.check_rules(dmn)
    assert decision_id == "" and problems and all(isinstance(p, str) and p for p in problems)


def test_oversized_bpmn_is_refused():
    info, problems = validation.check_process("<a>" + "x" * 3_000_000 + "</a>", department_codes=set())
    assert info is None and "2 MB" in problems[0]


def test_steps_are_listed_in_flow_order_with_lane_and_limit():
    xml = bpmn({"D1": [("a", "受理", 0)], "D2": [("b", "审查", 2), ("c", "决定", 1)]})
    info, problems = validation.check_process(xml, department_codes={"D1", "D2"})
    assert problems == []
    assert [(s.name, s.lane, s.limit_days) for s in info.steps] == [
        ("受理", "D1", 0),
        ("审查", "D2", 2),
        ("决定", "D2", 1),
    ]


def test_every_demo_process_passes():
    codes = {
        line.split(":", 1)[1].strip()
        for line in (loader.DATA / "departments.yaml").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("- code:")
    }
    for path in sorted(Path(loader.DATA / "processes").glob("*.bpmn")):
        _info, problems = validation.check_process(path.read_text(encoding="utf-8"), department_codes=codes)
        assert problems == [], path.name


@pytest.mark.parametrize(
    ("schema", "needle"),
    [
        ([], "JSON"),
        ({"type": "array", "items": {}}, "object"),
        ({"type": "object", "properties": {}}, "没有字段"),
        ({"type": "object", "properties": {"a": {"type": "string", "x-data-element": "k"}}}, "标题"),
        (
            {
                "type": "object",
                "required": ["b"],
                "properties": {"a": {"type": "string", "title": "A", "x-data-element": "k"}},
            },
            "“b”",
        ),
    ],
)
def test_bad_forms_are_explained(schema, needle):
    problems = validation.check_form_schema(schema)
    assert any(needle in p for p in problems), problems
