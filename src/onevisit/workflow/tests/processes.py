"""Small BPMN documents for the tests: a decision gateway, a script task, timers."""

from itertools import pairwise
from xml.sax.saxutils import escape

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:onevisit="http://onevisit.org/schema/bpmn" id="defs" targetNamespace="http://onevisit.org/test">'
)


def _process(process_id, lanes, body):
    lane_xml = "".join(
        f'<bpmn:lane id="lane_{n}" name="{code}">'
        + "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in nodes)
        + "</bpmn:lane>"
        for n, (code, nodes) in enumerate(lanes.items())
    )
    return (
        f'{HEAD}<bpmn:process id="{process_id}" isExecutable="true">'
        f'<bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>{body}</bpmn:process></bpmn:definitions>'
    )


def _flow(flow_id, source, target, condition=None):
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def decision_bpmn(approve_if='decision == "approve"', script=None):
    """审查 → gateway: when ``approve_if`` holds → 发证 (SCJG), else → 告知 (GA).

    With ``script``, a script task runs between 审查 and the gateway.
    """
    before_gateway = "review"
    body = ""
    if script is not None:
        body += f'<bpmn:scriptTask id="calc" name="计算"><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>'
        body += _flow("f_calc", "review", "calc")
        before_gateway = "calc"
    body += (
        '<bpmn:startEvent id="start"/>'
        '<bpmn:userTask id="review" name="审查" onevisit:limitDays="2"/>'
        '<bpmn:exclusiveGateway id="gw" default="f_no"/>'
        '<bpmn:userTask id="issue" name="发证" onevisit:limitDays="1" onevisit:role="approver"/>'
        '<bpmn:userTask id="notify" name="不予许可告知" onevisit:limitDays="1"/>'
        '<bpmn:endEvent id="end"/>'
        + _flow("f1", "start", "review")
        + _flow("f2", before_gateway, "gw")
        + _flow("f_yes", "gw", "issue", approve_if)
        + _flow("f_no", "gw", "notify")
        + _flow("f3", "issue", "end")
        + _flow("f4", "notify", "end")
    )
    nodes = ["start", "review", "gw", "issue", "end"] + (["calc"] if script is not None else [])
    return _process("decide", {"330100-SCJG": nodes, "330100-GA": ["notify"]}, body)


def timer_bpmn(expression):
    """审查 (SCJG) with an interrupting timer: when it fires, 督办 (GA) replaces 审查."""
    body = (
        '<bpmn:startEvent id="start"/>'
        '<bpmn:userTask id="review" name="审查" onevisit:limitDays="5"/>'
        '<bpmn:boundaryEvent id="late" attachedToRef="review" cancelActivity="true">'
        f"<bpmn:timerEventDefinition><bpmn:timeDate>{escape(expression)}</bpmn:timeDate>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:userTask id="escalate" name="督办" onevisit:limitDays="1"/>'
        '<bpmn:endEvent id="end"/><bpmn:endEvent id="end_late"/>'
        + _flow("f1", "start", "review")
        + _flow("f2", "review", "end")
        + _flow("f3", "late", "escalate")
        + _flow("f4", "escalate", "end_late")
    )
    return _process(
        "timed",
        {"330100-SCJG": ["start", "review", "late", "end"], "330100-GA": ["escalate", "end_late"]},
        body,
    )


def long_bpmn(steps=20):
    """A chain of ``steps`` user tasks in one lane (for measuring one engine step)."""
    tasks = "".join(f'<bpmn:userTask id="t{n}" name="步骤{n}" onevisit:limitDays="1"/>' for n in range(steps))
    ids = ["start", *[f"t{n}" for n in range(steps)], "end"]
    flows = "".join(_flow(f"f{n}", a, b) for n, (a, b) in enumerate(pairwise(ids)))
    body = f'<bpmn:startEvent id="start"/>{tasks}<bpmn:endEvent id="end"/>{flows}'
    return _process("long", {"330100-SCJG": ids}, body)
