import pytest

from conftest import bpmn
from onevisit.core.models import AuditEvent
from onevisit.workflow.exceptions import DataError, DefinitionError
from onevisit.workflow.models import ProcessInstance, Timer, WorkItem
from onevisit.workflow.services import process_start

from .conftest import D

pytestmark = pytest.mark.django_db


def test_start_runs_until_the_first_human_step(start_linear, departments):
    instance = start_linear(started_on=D("2024-03-04"))

    assert instance.status == ProcessInstance.Status.RUNNING
    assert instance.process_id == "p1"
    assert instance.data == {"applicant": "张三"}
    [item] = instance.work_items.all()
    assert (item.task_spec, item.name, item.department) == ("accept", "受理", departments["scjg"])
    assert (item.status, item.candidate_role, item.limit_days) == (WorkItem.Status.OPEN, "officer", 0)
    assert item.ready_on == item.due_date == D("2024-03-04")  # 即办: due the day it is ready
    assert AuditEvent.objects.filter(action="process_started", object_id=str(instance.pk)).exists()


def test_the_instance_keeps_a_snapshot_of_its_definition(start_linear, linear_xml):
    instance = start_linear()
    assert instance.bpmn_xml == linear_xml
    assert instance.state["spec"]["name"] == "p1"


def test_due_date_skips_the_2024_spring_festival_and_counts_the_makeup_sunday(alice, departments):
    # 2024: 春节 2月10日至17日放假，2月4日（周日）、2月18日（周日）上班
    xml = bpmn({"330100-SCJG": [("review", "审查", 3)]})
    instance = process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-02-08"))
    item = instance.work_items.get()
    # 2-09 (Fri), 2-18 (the make-up Sunday), 2-19 (Mon)
    assert item.due_date == D("2024-02-19")


def test_a_step_started_on_a_makeup_sunday(alice, departments):
    xml = bpmn({"330100-SCJG": [("review", "审查", 1)]})
    instance = process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-02-04"))
    assert instance.work_items.get().due_date == D("2024-02-05")


def test_a_step_without_a_limit_has_no_due_date(alice, departments):
    xml = bpmn({"330100-SCJG": [("review", "审查", 1)]}).replace(' onevisit:limitDays="1"', "")
    instance = process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04"))
    item = instance.work_items.get()
    assert (item.limit_days, item.due_date) == (None, None)


def _nothing_saved():
    return (
        not ProcessInstance.objects.exists() and not WorkItem.objects.exists() and not Timer.objects.exists()
    )


def test_unknown_lane_code_is_refused_and_nothing_is_saved(alice, departments):
    xml = bpmn({"330100-SCJG": [("accept", "受理", 0)], "330100-NOPE": [("check", "核查", 1)]})
    with pytest.raises(DefinitionError, match="330100-NOPE"):
        process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04"))
    assert _nothing_saved()
    assert not AuditEvent.objects.filter(action="process_started").exists()


def test_the_unknown_lane_message_is_in_chinese(alice, departments):
    xml = bpmn({"330100-NOPE": [("check", "核查", 1)]})
    with pytest.raises(DefinitionError, match="没有编码为该值的部门"):
        process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04"))


def test_a_step_outside_any_lane_is_refused(alice, departments):
    xml = bpmn({"330100-SCJG": [("accept", "受理", 0)]}).replace(
        "<bpmn:flowNodeRef>accept</bpmn:flowNodeRef>", ""
    )
    with pytest.raises(DefinitionError, match="受理"):
        process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04"))
    assert _nothing_saved()


@pytest.mark.parametrize(
    "xml",
    [
        "<bpmn:definitions",
        "not xml at all",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        '<?xml version="1.0"?><x xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
        "<x>" + "a" * (2 * 1024 * 1024) + "</x>",
    ],
    ids=["truncated", "text", "entities", "no-process", "too-large"],
)
def test_malformed_bpmn_is_refused_and_nothing_is_saved(alice, departments, xml):
    with pytest.raises(DefinitionError):
        process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04"))
    assert _nothing_saved()


def test_a_limit_that_is_not_a_number_is_refused(alice, departments):
    xml = bpmn({"330100-SCJG": [("review", "审查", 1)]}).replace('limitDays="1"', 'limitDays="three"')
    with pytest.raises(DefinitionError, match="three"):
        process_start(actor=alice, bpmn_xml=xml, data={}, started_on=D("2024-03-04"))


@pytest.mark.parametrize(
    "data", [{"_secret": 1}, {"today": "x"}, {"f": object()}, ["not", "a", "dict"]], ids=str
)
def test_data_that_is_not_plain_or_shadows_a_helper_is_refused(linear_xml, alice, departments, data):
    with pytest.raises(DataError):
        process_start(actor=alice, bpmn_xml=linear_xml, data=data, started_on=D("2024-03-04"))
    assert _nothing_saved()
