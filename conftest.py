"""Shared fixtures: a tiny catalogue built through the services, and named personas."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model

from onevisit.catalog.models import (
    FormSchema,
    ItemVersion,
    LifeEvent,
    MaterialRequirement,
    ProcessDefinition,
    ServiceItem,
)
from onevisit.catalog.services import version_publish
from onevisit.exchange.models import DataRecord, DataResource
from onevisit.org.models import Department, Region

FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "申请表",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "title": "姓名", "x-data-element": "applicant.name"},
        "id_number": {
            "type": "string",
            "title": "身份证号",
            "pattern": "^[0-9]{17}[0-9Xx]$",
            "x-data-element": "applicant.id_number",
        },
    },
}


def bpmn(lanes: dict[str, list[tuple[str, str, int]]], process_id: str = "p1") -> str:
    """A linear process: lanes maps a department code to its (task id, name, limit) steps, in order."""
    tasks = [(lane, *step) for lane, steps in lanes.items() for step in steps]
    lane_xml = "".join(
        f'<bpmn:lane id="lane_{n}" name="{lane}">'
        + ("<bpmn:flowNodeRef>start</bpmn:flowNodeRef>" if n == 0 else "")
        + "".join(f"<bpmn:flowNodeRef>{tid}</bpmn:flowNodeRef>" for (ln, tid, _, _) in tasks if ln == lane)
        + ("<bpmn:flowNodeRef>end</bpmn:flowNodeRef>" if n == len(lanes) - 1 else "")
        + "</bpmn:lane>"
        for n, lane in enumerate(lanes)
    )
    ids = ["start", *[t[1] for t in tasks], "end"]
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'
        for n, (a, b) in enumerate(pairwise(ids))
    )
    task_xml = "".join(
        f'<bpmn:userTask id="{tid}" name="{name}" onevisit:limitDays="{limit}"/>'
        for (_, tid, name, limit) in tasks
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:onevisit="http://onevisit.org/schema/bpmn" id="defs" targetNamespace="http://onevisit.org/demo">'
        f'<bpmn:collaboration id="c1"><bpmn:participant id="pp" processRef="{process_id}"/></bpmn:collaboration>'
        f'<bpmn:process id="{process_id}" isExecutable="true"><bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>'
        f'<bpmn:startEvent id="start"/>{task_xml}<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>'
    )


@pytest.fixture
def region(db):
    province = Region.objects.create(code="330000", name="浙江省", level=2)
    city = Region.objects.create(code="330100", name="杭州市", level=3, parent=province)
    Region.objects.create(code="330106", name="西湖区", level=4, parent=city)
    return city


@pytest.fixture
def departments(region):
    scjg = Department.objects.create(code="330100-SCJG", name="市场监督管理局", region=region)
    ga = Department.objects.create(code="330100-GA", name="公安局", region=region)
    DataResource.objects.create(
        code="household-register", name="户籍人口信息", provider=ga, subject_kind="person",
        sharing_class="unconditional", fields=HOUSEHOLD_FIELDS,
    )  # fmt: skip
    from onevisit.identity.models import Person

    for person in Person.objects.all():  # people registered before the registry existed
        _register(person)
    return {"scjg": scjg, "ga": ga}


HOUSEHOLD_FIELDS = [
    {"key": "name", "label": "姓名"},
    {"key": "hukou_address", "label": "户籍地址", "data_element": "applicant.hukou_address"},
    {"key": "local_hukou", "label": "本市户籍", "data_element": "applicant.local_hukou"},
]


def _register(person) -> None:
    resource = DataResource.objects.filter(code="household-register").first()
    if resource is not None:
        data = {"name": person.name, "hukou_address": "浙江省杭州市西湖区", "local_hukou": True}
        DataRecord.objects.get_or_create(
            resource=resource, subject_hash=person.id_number_hash, defaults={"data": data}
        )


@pytest.fixture(autouse=True)
def _population_registry(request):
    """Every person a test registers is in the population registry (户籍人口信息), as residents are."""
    from django.db.models.signals import post_save

    from onevisit.identity.models import Person

    def register(sender, instance, created, **kwargs):
        if created:
            _register(instance)

    post_save.connect(register, sender=Person, dispatch_uid="test-population-registry")
    yield
    post_save.disconnect(sender=Person, dispatch_uid="test-population-registry")


@pytest.fixture
def make_item(departments):
    """Create an item with a draft version; publish=True runs it through version_publish."""

    def make(
        code="330100-SCJG-001",
        name="企业设立登记",
        keywords="营业执照 开公司",
        publish=True,
        kind="promised",
        statutory=3,
        promised=1,
        form=None,
        process=None,
        life_event=None,
    ):
        item = ServiceItem.objects.create(
            code=code, name=name, department=departments["scjg"], audience="organization", keywords=keywords
        )
        if life_event:
            item.life_events.add(life_event)
        version = ItemVersion.objects.create(
            item=item,
            number=1,
            name=name,
            kind=kind,
            statutory_limit_days=statutory,
            promised_limit_days=promised,
            legal_basis=[{"law": "《市场主体登记管理条例》", "article": "第十九条"}],
            channels=["online", "counter"],
            conditions="具有完全民事行为能力。",
        )
        MaterialRequirement.objects.create(
            version=version, code="applicant-id", name="申请人身份证明", shared_data="household-register"
        )
        MaterialRequirement.objects.create(
            version=version, code="lease", name="住所使用证明", tolerable=True, order=1
        )
        FormSchema.objects.create(
            version=version, schema=form if form is not None else json.loads(json.dumps(FORM))
        )
        ProcessDefinition.objects.create(
            version=version,
            bpmn_xml=process
            if process is not None
            else bpmn({"330100-SCJG": [("accept", "受理", 0), ("review", "审查", 1)]}),
        )
        if publish:
            version_publish(actor="test", version=version)
            item.refresh_from_db()
        return item

    return make


@pytest.fixture
def life_event(db):
    return LifeEvent.objects.create(code="start", name="开办", audience="organization", icon="🏢")


@pytest.fixture
def catalog_admin(db):
    user = get_user_model().objects.create_user(
        "catalog_admin", password="pw-123456!", is_staff=True, is_superuser=True
    )
    return user


@pytest.fixture(scope="session", autouse=True)
def signing_keys(tmp_path_factory):
    """Certificate signing keys and files live in temporary folders, never in var/: a demo CA and the
    department keys are made there on first use (``ONEVISIT_SIGNING_DEMO_KEYS`` in the test settings).
    The folder of the keys is returned."""
    from django.test import override_settings

    keys = tmp_path_factory.mktemp("signing-keys")
    override = override_settings(ONEVISIT_SIGNING_DIR=keys, MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    override.enable()
    yield keys
    override.disable()


@pytest.fixture(autouse=True)
def _default_language():
    """Messages are checked in the default language (Chinese); a request may leave another active."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
