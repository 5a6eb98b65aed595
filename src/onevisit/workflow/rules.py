"""DMN decision tables (秒批): parse safely and decide in the same sandbox as the BPMN expressions.

A table decides ``outcome`` (approve / reject / manual) and gives a ``reason``. Whatever cannot be
decided — no rule matches, an input is missing, an expression fails, the outcome is unknown —
comes back as ``manual`` with the reason why, so people take over (DESIGN.md principle 7).
"""

from __future__ import annotations

import ast
import datetime as dt
import io
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .engine import SandboxScriptEngine, is_plain
from .exceptions import DefinitionError, ScriptError

MAX_DMN_BYTES = 1024 * 1024
OUTCOMES = ("approve", "reject", "manual")

# A cell of a decision table is a small expression over the inputs. Only these shapes are allowed,
# so no cell can loop, import, reach an object's insides, or build a huge value from what an
# applicant typed: the time a decision takes is bounded by the size of the table and the inputs.
_SAFE_NODES = (
    ast.Expression, ast.Compare, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Name, ast.Load,
    ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Subscript, ast.Call, ast.IfExp,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)  # fmt: skip
_SAFE_CALLS = frozenset(
    {
        "len",
        "abs",
        "min",
        "max",
        "round",
        "int",
        "float",
        "str",
        "bool",
        "add_working_days",
        "working_days_between",
    }
)
MAX_CONSTANT = 10**12
MAX_FACTOR = 1000
MAX_CELL_CHARS = 500


@dataclass(frozen=True)
class RuleInput:
    """One column of the table: what the admin sees when testing and the applicant sees as a reason."""

    label: str
    expression: str
    type_ref: str


@dataclass
class RuleResult:
    outcome: str
    reason: str
    rule_id: str = ""
    rule_row: int = 0
    rule_description: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    problem: str = ""

    def trace(self, *, decision_id: str) -> dict[str, Any]:
        """What is stored with the decision: enough to replay it."""
        return {
            "decision_id": decision_id,
            "rule_id": self.rule_id,
            "rule_row": self.rule_row,
            "rule_description": self.rule_description,
            "outcome": self.outcome,
            "reason": self.reason,
            "outputs": self.outputs,
            "inputs": self.inputs,
            "problem": self.problem,
        }


class _RuleScriptEngine(SandboxScriptEngine):
    """SpiffWorkflow's DMN engine asks ``validate`` whether a cell parses and expects SyntaxError."""

    def validate(self, expression: str) -> None:
        try:
            super().validate(expression)
        except ScriptError as exc:
            raise SyntaxError(str(exc)) from exc


def _root(dmn_xml: str) -> etree._Element:
    data = dmn_xml.encode("utf-8")
    if len(data) > MAX_DMN_BYTES:
        raise DefinitionError(_("The DMN file is larger than 1 MB."))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DefinitionError(_("The DMN file may not contain a DOCTYPE or entities."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(
            _("The DMN file is not well-formed XML: %(error)s") % {"error": exc.msg}
        ) from exc
    if root is None:
        raise DefinitionError(_("The DMN file is empty."))
    return root


def _cell_problem(source: str) -> str:
    """Why a cell's expression is not allowed, or "" when it is."""
    if len(source) > MAX_CELL_CHARS:
        return _("it is longer than %(n)d characters") % {"n": MAX_CELL_CHARS}
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return _("it is not a valid expression")
    for node in ast.walk(tree):
        if not isinstance(node, _SAFE_NODES):
            return _("%(kind)s is not allowed in a rule") % {"kind": type(node).__name__}
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return _("names starting with _ are not allowed")
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in _SAFE_CALLS or node.keywords
        ):
            return _("only these functions may be called: %(names)s") % {
                "names": ", ".join(sorted(_SAFE_CALLS))
            }
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
            return _('only a fixed key may be looked up, like data["age"]')
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_CONSTANT:
                return _("the number %(value)s is too large") % {"value": value}
            if isinstance(value, str | bytes) and len(value) > MAX_CELL_CHARS:
                return _("a text is too long")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            factors = [n for n in (node.left, node.right) if isinstance(n, ast.Constant)]
            if not any(
                isinstance(f.value, int | float)
                and not isinstance(f.value, bool)
                and abs(f.value) <= MAX_FACTOR
                for f in factors
            ):
                return _("a multiplication needs a number of at most %(n)d on one side") % {"n": MAX_FACTOR}
    return ""


def _entry_source(expression: str, entry: str) -> str:
    """The expression SpiffWorkflow's DMN engine evaluates for an input cell ("< 60", "? in (...)", "True")."""
    if "?" in entry:
        return entry.replace("?", "(dmninput)")
    try:
        ast.parse(entry, mode="eval")
    except SyntaxError:
        return f"(dmninput) {entry}"
    return f"(dmninput) == ({entry})"


def table_problems(engine: Any) -> list[str]:
    """Every cell of the table that is not a safe expression, named by rule row and column."""
    table = engine.decision_table
    problems = []
    for column in table.inputs:
        problem = _cell_problem((column.expression or "").strip() or "None")
        if problem:
            problems.append(
                _('Input "%(label)s": %(problem)s.')
                % {"label": column.label or column.id, "problem": problem}
            )
    for rule in table.rules:
        cells = [
            (entry.input.label or entry.input.id, _entry_source("x", lhs.strip()))
            for entry in rule.inputEntries
            for lhs in entry.lhs
            if lhs is not None and lhs.strip() not in ("", "-")
        ]
        cells += [
            (entry.output.name or entry.output.label or "", (entry.text or "").strip())
            for entry in rule.outputEntries
            if (entry.text or "").strip()
        ]
        for label, source in cells:
            problem = _cell_problem(source)
            if problem:
                problems.append(
                    _('Rule %(row)s, column "%(label)s": %(problem)s.')
                    % {"row": rule.row_number, "label": label, "problem": problem}
                )
    return problems


@lru_cache(maxsize=256)
def _table(dmn_xml: str) -> tuple[str, Any]:
    root = _root(dmn_xml)
    parser = BpmnDmnParser()
    try:
        parser.add_dmn_xml(root)
        if not parser.dmn_parsers:
            raise DefinitionError(_("The DMN file contains no decision."))
        decision_id = next(iter(parser.dmn_parsers))
        engine = parser.get_engine(decision_id, root)
    except DefinitionError:
        raise
    except Exception as exc:  # the DMN parser raises many kinds; all mean "does not parse"
        raise DefinitionError(
            _("The DMN decision table does not parse: %(error)s") % {"error": str(exc)}
        ) from exc
    problems = table_problems(engine)
    if problems:
        raise DefinitionError("; ".join(problems))
    return decision_id, engine


def decision_id_of(dmn_xml: str) -> str:
    return _table(dmn_xml)[0]


def rule_inputs(dmn_xml: str) -> list[RuleInput]:
    """The table's input columns (label, expression, type), in order."""
    engine = _table(dmn_xml)[1]
    return [
        RuleInput(
            label=column.label or column.expression or column.id,
            expression=(column.expression or "").strip(),
            type_ref=column.typeRef or "string",
        )
        for column in engine.decision_table.inputs
    ]


def _task(data: dict[str, Any], today: dt.date) -> SimpleNamespace:
    """The little of a SpiffWorkflow task that its DMN engine (and its error messages) read."""
    workflow = SimpleNamespace(
        script_engine=_RuleScriptEngine(today), spec=SimpleNamespace(file="rules.dmn"), parent_workflow=None
    )
    workflow.top_workflow = workflow
    spec = SimpleNamespace(name="rules", bpmn_name="rules", bpmn_id="rules", description="")
    return SimpleNamespace(data=data, workflow=workflow, task_spec=spec)


def decide(dmn_xml: str, inputs: dict[str, Any], *, today: dt.date) -> RuleResult:
    """Run the table over ``inputs`` (plain data) and say what it decided and why."""
    if not is_plain(inputs):
        raise ScriptError(_("Rule inputs must be plain data (text, numbers, lists, objects, dates)."))
    engine = _table(dmn_xml)[1]
    data = {k: v for k, v in inputs.items() if not k.startswith("_")}
    task = _task(data, today)
    missing = [
        column.expression
        for column in rule_inputs(dmn_xml)
        if column.expression.isidentifier() and data.get(column.expression) is None
    ]
    if missing:
        return RuleResult(
            outcome="manual",
            reason=_("The rules cannot decide without: %(names)s.") % {"names": ", ".join(missing)},
            inputs=data,
            problem="missing_input",
        )
    try:
        matched = engine.decide(task)
        outputs = dict(matched[0].output_as_dict(task)) if matched else {}
    except Exception as exc:  # whatever fails in a cell means the machine cannot decide
        problem = (
            str(exc.exception)
            if isinstance(exc, SpiffWorkflowException) and hasattr(exc, "exception")
            else str(exc)
        )
        return RuleResult(
            outcome="manual",
            reason=_("The rules could not be applied; an officer will decide."),
            inputs=data,
            problem=problem[:500],
        )
    if not matched:
        return RuleResult(
            outcome="manual",
            reason=_("No rule covers this application; an officer will decide."),
            inputs=data,
            problem="no_rule_matched",
        )
    rule = matched[0]
    outcome = str(outputs.get("outcome", "")).strip().lower()
    reason = str(outputs.get("reason") or rule.description or "")
    result = RuleResult(
        outcome=outcome,
        reason=reason,
        rule_id=rule.id,
        rule_row=rule.row_number,
        rule_description=rule.description or "",
        outputs={k: v for k, v in outputs.items() if is_plain(v)},
        inputs=data,
    )
    if outcome not in OUTCOMES:
        result.outcome = "manual"
        result.problem = f"unknown outcome {outcome!r}"
        result.reason = _("The rules gave no valid outcome; an officer will decide.")
    return result
