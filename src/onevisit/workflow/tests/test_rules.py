"""DMN decision tables (秒批): decided in the sandbox; whatever cannot be decided goes to people."""

from __future__ import annotations

import datetime as dt

import pytest

from onevisit.workflow import rules
from onevisit.workflow.exceptions import DefinitionError, ScriptError

TODAY = dt.date(2026, 11, 26)


def table(rows: list[tuple[str, str, str, str]], *, expression: str = "age", second: str = "local") -> str:
    """A two-input table; each row: (age cell, local cell, outcome, reason)."""
    body = "".join(
        f'<rule id="R{n}"><description>{reason}</description>'
        f"<inputEntry id='R{n}a'><text>{a}</text></inputEntry><inputEntry id='R{n}b'><text>{b}</text></inputEntry>"
        f'<outputEntry id="R{n}o"><text>"{outcome}"</text></outputEntry>'
        f'<outputEntry id="R{n}r"><text>"{reason}"</text></outputEntry></rule>'
        for n, (a, b, outcome, reason) in enumerate(rows, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="t" namespace="x">'
        '<decision id="D1" name="t"><decisionTable id="T1" hitPolicy="UNIQUE">'
        f'<input id="I1" label="年龄"><inputExpression id="E1" typeRef="number"><text>{expression}</text></inputExpression></input>'
        f'<input id="I2" label="本市户籍"><inputExpression id="E2" typeRef="boolean"><text>{second}</text></inputExpression></input>'
        '<output id="O1" name="outcome" typeRef="string"/><output id="O2" name="reason" typeRef="string"/>'
        f"{body}</decisionTable></decision></definitions>"
    )


SENIOR = table(
    [
        ("&lt; 60", "-", "reject", "未满60周岁"),
        ("&gt;= 60", "True", "approve", "年满60周岁的本市户籍老年人"),
        ("&gt;= 60", "False", "manual", "非本市户籍，转人工"),
    ]
)


def test_the_matching_rule_decides_and_says_why():
    result = rules.decide(SENIOR, {"age": 72, "local": True}, today=TODAY)
    assert (result.outcome, result.reason, result.rule_id, result.rule_row) == (
        "approve",
        "年满60周岁的本市户籍老年人",
        "R2",
        2,
    )
    trace = result.trace(decision_id="D1")
    assert trace["inputs"] == {"age": 72, "local": True} and trace["decision_id"] == "D1"
    assert rules.decide(SENIOR, {"age": 59, "local": True}, today=TODAY).outcome == "reject"
    assert rules.decide(SENIOR, {"age": 60, "local": False}, today=TODAY).outcome == "manual"


def test_a_missing_input_goes_to_people_and_names_it():
    result = rules.decide(SENIOR, {"age": 72}, today=TODAY)
    assert result.outcome == "manual" and "local" in result.reason and result.problem == "missing_input"


def test_a_value_of_the_wrong_type_goes_to_people():
    result = rules.decide(SENIOR, {"age": "seventy", "local": True}, today=TODAY)
    assert result.outcome == "manual" and result.problem and not result.rule_id


def test_no_matching_rule_goes_to_people():
    partial = table([("&gt;= 60", "True", "approve", "ok")])
    result = rules.decide(partial, {"age": 30, "local": True}, today=TODAY)
    assert result.outcome == "manual" and result.problem == "no_rule_matched"


def test_an_unknown_outcome_goes_to_people():
    odd = table([("&gt;= 0", "-", "maybe", "?")])
    result = rules.decide(odd, {"age": 30, "local": True}, today=TODAY)
    assert result.outcome == "manual" and "maybe" in result.problem


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('id')",
        "age.__class__.__mro__",
        "open('/etc/passwd').read()",
        "[x for x in range(10**9)]",
        "sum(range(10**12))",
        "local * age",
        "'a' * 999999999",
        "10**100",
        "(lambda: 1)()",
        "getattr(age, 'real')",
    ],
)
def test_hostile_or_endless_expressions_are_refused_before_anything_runs(expression):
    hostile = table([("&gt;= 0", "-", "approve", "ok")], expression=expression)
    with pytest.raises(DefinitionError) as error:
        rules.decide(hostile, {"age": 30, "local": True}, today=TODAY)
    assert "年龄" in str(error.value)


@pytest.mark.parametrize("cell", ["? in [x for x in range(10)]", "&gt; __import__('os')", "&lt; 10**99"])
def test_hostile_cells_are_refused_with_their_row(cell):
    hostile = table([(cell, "-", "approve", "ok")])
    with pytest.raises(DefinitionError) as error:
        rules.decide(hostile, {"age": 30, "local": True}, today=TODAY)
    assert "1" in str(error.value)


def test_a_cell_that_throws_sends_the_case_to_people():
    throws = table([("&gt; 1 / 0", "-", "approve", "ok")])
    result = rules.decide(throws, {"age": 30, "local": True}, today=TODAY)
    assert result.outcome == "manual" and "row 1" in result.problem


def test_arithmetic_and_lookups_that_rules_need_are_allowed():
    ok = table([("&gt;= 60 - 5", "? in (True, False)", "approve", "ok")], expression="age * 2 / 2")
    assert rules.decide(ok, {"age": 70, "local": True}, today=TODAY).outcome == "approve"


def test_inputs_must_be_plain_data():
    with pytest.raises(ScriptError):
        rules.decide(SENIOR, {"age": object(), "local": True}, today=TODAY)


@pytest.mark.parametrize(
    "xml",
    [
        "not xml at all",
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><definitions/>',
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="t" namespace="x"/>',
        "x" * (rules.MAX_DMN_BYTES + 1),
    ],
)
def test_bad_tables_are_refused_with_a_message(xml):
    with pytest.raises(DefinitionError) as error:
        rules.decide(xml, {}, today=TODAY)
    assert str(error.value)


def test_the_columns_are_listed_for_the_test_form():
    columns = rules.rule_inputs(SENIOR)
    assert [(c.label, c.expression, c.type_ref) for c in columns] == [
        ("年龄", "age", "number"),
        ("本市户籍", "local", "boolean"),
    ]
    assert rules.decision_id_of(SENIOR) == "D1"
