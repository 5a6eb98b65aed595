"""The cost of one workflow step at a 20-step process: load the state, complete the task, run the
engine, save (``work_item_complete``), against inserting one row in the same interleaved run.

Run: ``ONEVISIT_VAR_DIR=/tmp/x .venv/bin/python -m benchmarks.workflow_step`` (or ``benchmarks/run.sh``).
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from benchmarks.timing import backend, interleaved, print_table, setup

STEPS = 20
PROCESSES = 12
START = dt.date(2026, 3, 2)


def linear_bpmn(lane: str, steps: int) -> str:
    tasks = [f"t{n}" for n in range(steps)]
    ids = ["start", *tasks, "end"]
    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'
        for n, (a, b) in enumerate(pairwise(ids))
    )
    body = "".join(
        f'<bpmn:userTask id="{t}" name="环节{n + 1}" onevisit:limitDays="1"/>' for n, t in enumerate(tasks)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:onevisit="http://onevisit.org/schema/bpmn" id="d" targetNamespace="http://onevisit.org/bench">'
        '<bpmn:collaboration id="c"><bpmn:participant id="p" processRef="bench"/></bpmn:collaboration>'
        f'<bpmn:process id="bench" isExecutable="true"><bpmn:laneSet id="ls"><bpmn:lane id="l" name="{lane}">{refs}</bpmn:lane></bpmn:laneSet>'
        f'<bpmn:startEvent id="start"/>{body}<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>'
    )


def main() -> None:
    setup()
    from django.core.management import call_command
    from django.db import transaction

    from onevisit.catalog.models import SearchMiss
    from onevisit.org.models import Department, Region
    from onevisit.workflow.models import WorkItem
    from onevisit.workflow.services import process_start, work_item_complete

    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="330100", defaults={"name": "杭州市", "level": 3})
    department, _ = Department.objects.get_or_create(
        code="BENCH-WF", defaults={"name": "基准部门", "region": region}
    )
    xml = linear_bpmn(department.code, STEPS)
    instances = [
        process_start(actor="bench", bpmn_xml=xml, data={}, started_on=START) for _ in range(PROCESSES)
    ]
    print(f"\n### workflow step — {backend()}: {PROCESSES} processes of {STEPS} steps")

    def complete(n: int) -> object:
        item = WorkItem.objects.filter(instance=instances[n % PROCESSES], status="open").first()
        assert item is not None, "a process ran out of steps"
        return work_item_complete(actor="bench", work_item=item, result={"decision": "approve"}, on=START)

    def insert(n: int) -> object:
        with transaction.atomic():
            return SearchMiss.objects.create(query=f"bench-{n}-{SearchMiss.objects.count()}")

    repetitions = PROCESSES * (STEPS - 1)
    stats = interleaved({"work_item_complete (20-step process)": complete, "baseline insert one row": insert},
                        repetitions=repetitions - PROCESSES, warmup=PROCESSES)  # fmt: skip
    print_table(
        f"latency over {repetitions - PROCESSES} steps (interleaved)",
        stats,
        baseline="baseline insert one row",
    )
    state_kb = len(str(instances[0].__class__.objects.get(pk=instances[0].pk).state)) / 1024
    print(f"  serialized state of one instance: {state_kb:.1f} KB")


if __name__ == "__main__":
    main()
