import pytest
from django.core.exceptions import ValidationError

from conftest import bpmn
from onevisit.catalog.models import ItemChange, ItemVersion, ServiceItem
from onevisit.catalog.services import PublishError, version_new_draft, version_publish
from onevisit.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _publish_fails(make_item, **kwargs) -> list[str]:
    item = make_item(publish=False, **kwargs)
    version = item.versions.get()
    with pytest.raises(PublishError) as info:
        version_publish(actor="test", version=version)
    version.refresh_from_db()
    assert version.state == ItemVersion.State.DRAFT  # nothing changed
    assert not AuditEvent.objects.filter(action="item_version_published").exists()
    return info.value.messages


def test_a_valid_version_publishes_and_becomes_current(make_item):
    item = make_item()
    assert item.current_version.state == ItemVersion.State.PUBLISHED
    assert item.current_version.process.process_id == "p1"
    assert list(item.changes.values_list("kind", flat=True)) == ["created"]
    assert AuditEvent.objects.filter(
        action="item_version_published", object_id=str(item.current_version.pk)
    ).exists()


def test_promised_limit_above_statutory_is_refused(make_item):
    messages = _publish_fails(make_item, statutory=3, promised=5)
    assert any("may not exceed the statutory limit" in m or "不得超过法定时限" in m for m in messages)


def test_immediate_item_needs_limit_zero(make_item):
    messages = _publish_fails(make_item, kind="immediate", statutory=3, promised=1)
    assert any("即办件" in m for m in messages)


def test_invalid_json_schema_is_refused(make_item):
    messages = _publish_fails(make_item, form={"type": "object", "properties": {"a": {"type": "strin"}}})
    assert any("JSON Schema" in m for m in messages)


def test_field_without_data_element_is_refused(make_item):
    messages = _publish_fails(
        make_item, form={"type": "object", "properties": {"a": {"type": "string", "title": "A"}}}
    )
    assert any("x-data-element" in m for m in messages)


def test_malformed_bpmn_is_refused(make_item):
    messages = _publish_fails(make_item, process="<bpmn:definitions")
    assert any("XML" in m for m in messages)


def test_bpmn_with_entities_is_refused(make_item):
    xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    messages = _publish_fails(make_item, process=xxe)
    assert any("DOCTYPE" in m for m in messages)


def test_lane_must_name_a_known_department(make_item):
    messages = _publish_fails(make_item, process=bpmn({"NO-SUCH-DEPT": [("a", "受理", 0)]}))
    assert any("NO-SUCH-DEPT" in m for m in messages)


def test_bpmn_that_spiffworkflow_rejects_is_refused(make_item):
    broken = bpmn({"330100-SCJG": [("a", "受理", 0)]}).replace('targetRef="end"', 'targetRef="nowhere"')
    messages = _publish_fails(make_item, process=broken)
    assert messages


def test_published_version_is_not_published_twice(make_item):
    item = make_item()
    with pytest.raises(PublishError):
        version_publish(actor="test", version=item.current_version)


def test_new_version_copies_everything_into_a_draft(make_item):
    item = make_item()
    draft = version_new_draft(actor="test", item=item)
    assert draft.number == 2 and draft.state == ItemVersion.State.DRAFT
    assert list(draft.materials.values_list("code", flat=True)) == ["applicant-id", "lease"]
    assert draft.form.schema == item.current_version.form.schema
    assert draft.process.bpmn_xml == item.current_version.process.bpmn_xml
    draft.promised_limit_days = 2
    draft.change_note = "承诺时限调整"
    draft.save()
    version_publish(actor="test", version=draft)
    item.refresh_from_db()
    assert item.current_version == draft
    assert ItemVersion.objects.get(item=item, number=1).state == ItemVersion.State.SUPERSEDED
    assert ItemChange.objects.filter(item=item, kind="adjusted", reason="承诺时限调整").exists()


def test_only_one_draft_at_a_time(make_item):
    item = make_item()
    version_new_draft(actor="test", item=item)
    with pytest.raises(ValidationError, match=r"draft|草稿"):
        version_new_draft(actor="test", item=item)


def test_cancelled_item_gets_no_new_version(make_item):
    from onevisit.catalog.services import item_cancel

    item = make_item()
    draft = version_new_draft(actor="test", item=item)
    item_cancel(actor="test", item=item, reason="国务院决定取消")
    with pytest.raises(PublishError):
        version_publish(actor="test", version=draft)
    assert ServiceItem.objects.get(pk=item.pk).status == "cancelled"
