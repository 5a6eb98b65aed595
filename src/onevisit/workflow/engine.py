"""The adapter around SpiffWorkflow: parse safely, run in a sandbox, (de)serialize.

Nothing here touches the database; ``services`` loads an instance, calls these functions and
saves the result. Expressions (gateway conditions, timer expressions) and script tasks are
compiled with RestrictedPython: no imports, no names or attributes starting with ``_``, no
``open``/``eval``/``getattr``; only plain data, a few safe builtins and the working-day helpers.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import io
import json
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType, ModuleType
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from lxml import etree
from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from onevisit.core.calendar import CalendarMissing, add_working_days, working_days_between

from .exceptions import DefinitionError, ScriptError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ONEVISIT_NS = "http://onevisit.org/schema/bpmn"
MAX_XML_BYTES = 2 * 1024 * 1024
MAX_SCRIPT_CHARS = 10_000
DEFAULT_ROLE = "officer"
USER_TASK_TAGS = {"userTask", "manualTask", "task"}
HELPER_NAMES = frozenset({"add_working_days", "working_days_between", "today"})


# --- parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What onevisit reads from a human step beyond plain BPMN."""

    id: str
    name: str
    lane: str | None
    limit_days: int | None
    role: str


@dataclass
class Definition:
    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    steps: dict[str, Step]


def _safe_xml(bpmn_xml: str) -> etree._Element:
    """Parse without DTDs or entities (no XXE, no billion laughs), at most 2 MB."""
    data = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bpmn_xml
    if len(data) > MAX_XML_BYTES:
        raise DefinitionError(_("The BPMN file is larger than 2 MB."))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DefinitionError(_("The BPMN file may not contain a DOCTYPE or entities."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(
            _("The BPMN file is not well-formed XML: %(error)s") % {"error": exc.msg}
        ) from exc
    if root is None:
        raise DefinitionError(_("The BPMN file is empty."))
    return root


def _read_steps(root: etree._Element) -> dict[str, Step]:
    lanes: dict[str, str] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iterfind(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    steps: dict[str, Step] = {}
    for tag in USER_TASK_TAGS:
        for el in root.iter(f"{{{BPMN_NS}}}{tag}"):
            node_id = el.get("id") or ""
            raw_limit = (el.get(f"{{{ONEVISIT_NS}}}limitDays") or "").strip()
            if raw_limit and not raw_limit.isdigit():
                raise DefinitionError(
                    _(
                        'Step "%(step)s" has an invalid time limit "%(limit)s" (a whole number of working days).'
                    )
                    % {"step": el.get("name") or node_id, "limit": raw_limit}
                )
            steps[node_id] = Step(
                id=node_id,
                name=el.get("name") or node_id,
                lane=lanes.get(node_id) or None,
                limit_days=int(raw_limit) if raw_limit else None,
                role=(el.get(f"{{{ONEVISIT_NS}}}role") or "").strip() or DEFAULT_ROLE,
            )
    return steps


def parse_definition(bpmn_xml: str) -> Definition:
    """Build the SpiffWorkflow spec of the one executable process in ``bpmn_xml``."""
    root = _safe_xml(bpmn_xml)
    parser = BpmnParser()
    try:
        parser.add_bpmn_xml(etree.ElementTree(root))
        ids = parser.get_process_ids()
        if len(ids) != 1:
            raise DefinitionError(
                _("The BPMN file must contain exactly one executable process (found %(n)d).")
                % {"n": len(ids)}
            )
        spec = parser.get_spec(ids[0])
        subprocess_specs = parser.get_subprocess_specs(ids[0])
        _sweep_timers(spec, *subprocess_specs.values())
    except DefinitionError:
        raise
    except (ValidationException, SpiffWorkflowException, ValueError, KeyError, AttributeError) as exc:
        raise DefinitionError(_("The BPMN process does not parse: %(error)s") % {"error": exc}) from exc
    return Definition(
        process_id=ids[0], spec=spec, subprocess_specs=subprocess_specs, steps=_read_steps(root)
    )


class _SweptTimer:
    """A timer that fires only when our sweep says so.

    Spiff fires a timer as soon as its time is past by the machine clock, which would fire a
    back-dated timer at once and leave the sweep nothing to decide. The due time is still computed
    by Spiff (``event_value``); ``event_fired`` is set by :func:`fire_timer` alone.
    """

    def has_fired(self, my_task: Task) -> bool:
        fired = bool(my_task._get_internal_data("event_fired", False))
        if my_task._get_internal_data("event_value") is None:
            # Spiff's own check computes and stores event_value (the due time) as a side effect.
            super().has_fired(my_task)  # type: ignore[misc]
            my_task._set_internal_data(event_fired=fired)
        return fired


class SweptTimeDateEventDefinition(_SweptTimer, TimeDateEventDefinition):
    pass


class SweptDurationEventDefinition(_SweptTimer, DurationTimerEventDefinition):
    pass


_SWEPT = {
    TimeDateEventDefinition: SweptTimeDateEventDefinition,
    DurationTimerEventDefinition: SweptDurationEventDefinition,
}


def _swept(definition: Any) -> Any:
    if isinstance(definition, CycleTimerEventDefinition):
        raise DefinitionError(_("Cycle timers (timeCycle) are not supported; use a date or a duration."))
    if isinstance(definition, MultipleEventDefinition):
        definition.event_definitions = [_swept(d) for d in definition.event_definitions]
        return definition
    replacement = _SWEPT.get(type(definition))
    if replacement is None:
        return definition
    return replacement(definition.name, definition.expression, description=definition.description)


def _sweep_timers(*specs: Any) -> None:
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "event_definition", None) is not None:
                task_spec.event_definition = _swept(task_spec.event_definition)


_STEP_CACHE: OrderedDict[str, dict[str, Step]] = OrderedDict()
_STEP_CACHE_SIZE = 128


def steps_of(bpmn_xml: str) -> dict[str, Step]:
    """The onevisit attributes of each human step, cached by the document's digest.

    Instances keep their own snapshot of the definition, so many share the same text; parsing it
    again on every completion would cost more than the engine step itself.
    """
    key = hashlib.sha256(bpmn_xml.encode("utf-8")).hexdigest()
    steps = _STEP_CACHE.get(key)
    if steps is None:
        steps = _read_steps(_safe_xml(bpmn_xml))
        _STEP_CACHE[key] = steps
        if len(_STEP_CACHE) > _STEP_CACHE_SIZE:
            _STEP_CACHE.popitem(last=False)
    else:
        _STEP_CACHE.move_to_end(key)
    return steps


def human_task_specs(definition: Definition) -> list[Any]:
    specs = [definition.spec, *definition.subprocess_specs.values()]
    return [ts for spec in specs for ts in spec.task_specs.values() if getattr(ts, "manual", False)]


# --- sandbox ---------------------------------------------------------------------------------


def _refuse_imports(source: str, mode: str) -> None:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return  # RestrictedPython reports it with its own message
    if any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree)):
        raise ScriptError(_("Scripts may not import modules."))


@lru_cache(maxsize=2048)
def _compile(source: str, mode: str) -> CodeType:
    if len(source) > MAX_SCRIPT_CHARS:
        raise ScriptError(_("The expression or script is too long."))
    _refuse_imports(source, mode)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename="<bpmn>")
    if result.errors or result.code is None:
        raise ScriptError(
            _("The expression was refused by the sandbox: %(error)s") % {"error": "; ".join(result.errors)}
        )
    return result.code


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops = {
        "+=": lambda: x + y,
        "-=": lambda: x - y,
        "*=": lambda: x * y,
        "/=": lambda: x / y,
        "//=": lambda: x // y,
        "%=": lambda: x % y,
    }
    if op not in ops:
        raise ScriptError(_("The operator %(op)s is not allowed.") % {"op": op})
    return ops[op]()


# RestrictedPython's safe set, plus pure helpers for lists; minus what lets a script reach objects
# (setattr/delattr) or define classes.
_BUILTINS: dict[str, Any] = {
    **safe_builtins,
    **{"min": min, "max": max, "sum": sum, "any": any, "all": all, "sorted": sorted},
    **{"list": list, "dict": dict, "tuple": tuple, "enumerate": enumerate, "zip": zip},
}
for _unsafe in ("setattr", "delattr", "__build_class__", "id", "hash"):
    _BUILTINS.pop(_unsafe, None)
_GUARDS: dict[str, Any] = {
    "_getattr_": safer_getattr,
    "_getitem_": _getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
}
_PLAIN = (str, int, float, bool, type(None), dt.date)


def is_plain(value: Any, depth: int = 0) -> bool:
    """Task data must stay plain JSON (plus dates) so it serializes and never carries code."""
    if depth > 20:
        return False
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, list | tuple):
        return all(is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v, depth + 1) for k, v in value.items())
    return False


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Runs BPMN expressions and scripts under RestrictedPython with working-day helpers."""

    def __init__(self, today: dt.date) -> None:
        super().__init__({})
        self.today = today

    def _namespace(self, context: dict[str, Any], external_context: dict[str, Any] | None) -> dict[str, Any]:
        namespace: dict[str, Any] = {"__builtins__": _BUILTINS, **_GUARDS}
        namespace.update(external_context or {})
        namespace.update({k: v for k, v in context.items() if not k.startswith("_")})
        # Helpers last: task data can never shadow them.
        namespace.update(
            add_working_days=add_working_days, working_days_between=working_days_between, today=self.today
        )
        return namespace

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> Any:
        code = _compile(expression.strip(), "eval")
        return eval(code, self._namespace(context, external_context))  # noqa: S307 - restricted code

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        code = _compile(script, "exec")
        namespace = self._namespace(context, external_context)
        before = set(namespace)
        exec(code, namespace)  # noqa: S102 - restricted code
        changed = {
            k: v
            for k, v in namespace.items()
            if not k.startswith("_")
            and k not in HELPER_NAMES
            and not callable(v)
            and not isinstance(v, ModuleType)
            and (k in context or k not in before)
        }
        if not is_plain(changed):
            raise ScriptError(_("A script may only store plain data (text, numbers, lists, objects, dates)."))
        for key in [k for k in context if not k.startswith("_") and k not in namespace]:
            del context[key]
        context.update(changed)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptError(_("Service tasks are not supported; model the step as a user task."))


class SandboxScriptEngine(PythonScriptEngine):
    def __init__(self, today: dt.date) -> None:
        super().__init__(environment=SandboxEnvironment(today))

    def validate(self, expression: str) -> None:
        _compile(expression, "exec")


# --- running ---------------------------------------------------------------------------------


def _serializer() -> BpmnWorkflowSerializer:
    config = {
        **DEFAULT_CONFIG,
        SweptTimeDateEventDefinition: TimerConditionalEventDefinitionConverter,
        SweptDurationEventDefinition: TimerConditionalEventDefinitionConverter,
    }
    registry = BpmnWorkflowSerializer.configure(config)
    # Scripts may store dates (add_working_days returns one); datetime has its own converter.
    registry.register(
        dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"])
    )
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _serializer()


def _unwrap(exc: BaseException) -> BaseException:
    """The exception that started it all: ours, or the script's own error beneath Spiff's wrappers."""
    seen: BaseException | None = exc
    innermost = exc
    while seen is not None:
        if isinstance(seen, ScriptError | CalendarMissing):
            return seen
        innermost = seen
        seen = seen.__cause__ or seen.__context__
    return innermost


def _guarded(action: Any, *args: Any) -> Any:
    """Run a Spiff call; report any failure inside the process as a ScriptError naming the step."""
    try:
        return action(*args)
    except (SpiffWorkflowException, ScriptError, NameError, TypeError, ValueError, KeyError) as exc:
        cause = _unwrap(exc)
        if isinstance(cause, CalendarMissing):
            raise cause from exc
        task_spec = getattr(exc, "task_spec", None)
        step = getattr(task_spec, "bpmn_name", None) or getattr(task_spec, "bpmn_id", None) or "?"
        error = (
            cause
            if isinstance(cause, ScriptError | SpiffWorkflowException)
            else f"{type(cause).__name__}: {cause}"
        )
        raise ScriptError(
            _("The process stopped at step “%(step)s”: %(error)s") % {"step": step, "error": error}
        ) from exc


def start(definition: Definition, data: dict[str, Any], today: dt.date) -> BpmnWorkflow:
    workflow = BpmnWorkflow(
        definition.spec, definition.subprocess_specs, script_engine=SandboxScriptEngine(today)
    )
    # The root task's data is inherited by every task that follows.
    workflow.task_tree.data.update(data)
    _guarded(workflow.do_engine_steps)
    return workflow


def dump(workflow: BpmnWorkflow) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(SERIALIZER.serialize_json(workflow))
    return state


def _tree_ordered(tasks: dict[str, Any], root: str) -> dict[str, Any]:
    """The tasks with every parent before its children.

    Spiff stores a task's data as a delta from its parent's and rebuilds it in the order of the
    ``tasks`` mapping; PostgreSQL's jsonb does not keep key order, so restore the tree order.
    """
    ordered: dict[str, Any] = {}
    stack = [root]
    while stack:
        task_id = stack.pop()
        if task_id in ordered or task_id not in tasks:
            continue
        ordered[task_id] = tasks[task_id]
        stack.extend(reversed(tasks[task_id].get("children", [])))
    for task_id, task in tasks.items():
        ordered.setdefault(task_id, task)
    return ordered


def load(state: dict[str, Any], today: dt.date) -> BpmnWorkflow:
    state = dict(state)
    state["tasks"] = _tree_ordered(state["tasks"], state["root"])
    state["subprocesses"] = {
        key: {**sub, "tasks": _tree_ordered(sub["tasks"], sub["root"])}
        for key, sub in (state.get("subprocesses") or {}).items()
    }
    workflow = SERIALIZER.deserialize_json(json.dumps(state))
    # The script engine is not part of the state: without this the restored workflow would
    # evaluate expressions with Spiff's unrestricted default engine.
    workflow.script_engine = SandboxScriptEngine(today)
    return workflow


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def complete_task(workflow: BpmnWorkflow, task_id: str, result: dict[str, Any]) -> None:
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise ScriptError(_("The step is not waiting for a person."))
    task.data.update(result)
    _guarded(task.run)
    _guarded(workflow.do_engine_steps)


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, dt.datetime]:
    """Task id → due time of every timer event the workflow waits for."""
    timers: dict[str, dt.datetime] = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        value = task._get_internal_data("event_value")
        if isinstance(value, str):
            timers[str(task.id)] = TimerEventDefinition.get_datetime(value)
    return timers


def fire_timer(workflow: BpmnWorkflow, task_id: str) -> bool:
    """Mark a waiting timer as fired (our sweep decides when) and advance; False if it no longer waits."""
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.WAITING:
        return False
    task._set_internal_data(event_fired=True)
    _guarded(task.task_spec._update, task)
    _guarded(workflow.do_engine_steps)
    return True


def cancel(workflow: BpmnWorkflow) -> None:
    workflow.cancel()


def plain_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The workflow's data as plain JSON: its end data when done, else the data of the waiting steps."""
    if workflow.is_completed():
        source = dict(workflow.data)
    else:
        source = {}
        for task in ready_human_tasks(workflow) or workflow.get_tasks(state=TaskState.COMPLETED)[-1:]:
            source.update(task.data)
    source.pop("data_objects", None)
    data: dict[str, Any] = json.loads(json.dumps(source, cls=DjangoJSONEncoder))
    return data
