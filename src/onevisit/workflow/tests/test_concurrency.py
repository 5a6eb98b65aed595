"""Two officers act on the same item at the same moment: exactly one wins (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections

from onevisit.workflow.exceptions import WorkItemConflict
from onevisit.workflow.models import ProcessInstance, WorkItem
from onevisit.workflow.services import work_item_claim, work_item_complete

from .conftest import D

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serializes writers; needs PostgreSQL"
    ),
]


def _race(action, actors):
    barrier = threading.Barrier(len(actors))
    outcomes = []

    def run(actor):
        try:
            barrier.wait()
            action(actor)
            outcomes.append("won")
        except WorkItemConflict as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_concurrent_completions_of_the_same_item_one_wins(start_linear, alice, bob):
    instance = start_linear()
    item_id = instance.work_items.get().pk

    outcomes = _race(
        lambda actor: work_item_complete(
            actor=actor,
            work_item=WorkItem.objects.get(pk=item_id),
            result={"by": actor.username},
            on=D("2024-03-04"),
        ),
        [alice, bob],
    )

    assert outcomes == ["won", "此待办已办结。"]
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.lock_version == 1
    assert list(instance.work_items.values_list("task_spec", "status").order_by("pk")) == [
        ("accept", "completed"),
        ("review", "open"),
    ]


def test_two_concurrent_claims_one_wins(start_linear, alice, bob):
    item_id = start_linear().work_items.get().pk

    outcomes = _race(
        lambda actor: work_item_claim(actor=actor, work_item=WorkItem.objects.get(pk=item_id)), [alice, bob]
    )

    assert outcomes == ["won", "此待办已由其他人员签收。"]
    assert WorkItem.objects.get(pk=item_id).lock_version == 1
