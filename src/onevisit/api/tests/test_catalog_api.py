import pytest
from rest_framework.test import APIClient

from conftest import bpmn
from onevisit.catalog.models import Bundle, BundleItem, Power, Responsibility
from onevisit.catalog.services import version_new_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def catalog(make_item, life_event, departments):
    a = make_item(code="A-1", name="企业设立登记", life_event=life_event)
    b = make_item(
        code="A-2",
        name="食品经营许可",
        keywords="开饭店",
        kind="immediate",
        statutory=3,
        promised=0,
        process=bpmn({"330100-SCJG": [("done", "受理并办结", 0)]}),
    )
    power = Power.objects.create(
        code="P-1", name="企业登记", kind="licensing", department=departments["scjg"], legal_basis="条例"
    )
    Responsibility.objects.create(power=power, duty="受理责任", accountability="许可法第七十二条")
    bundle = Bundle.objects.create(
        code="restaurant", name="开餐馆", audience="organization", state="published"
    )
    first = BundleItem.objects.create(bundle=bundle, item=a, order=0)
    second = BundleItem.objects.create(bundle=bundle, item=b, order=1)
    second.depends_on.add(first)
    return a, b


def test_items_are_paginated_and_filterable(api, catalog):
    body = api.get("/api/v1/items/").json()
    assert body["count"] == 2 and {r["code"] for r in body["results"]} == {"A-1", "A-2"}
    assert api.get("/api/v1/items/?kind=immediate").json()["count"] == 1
    assert api.get("/api/v1/items/?life_event=start").json()["results"][0]["code"] == "A-1"
    assert api.get("/api/v1/items/?department=330100-SCJG&region=330100").json()["count"] == 2
    unknown = api.get("/api/v1/items/?region=999999")
    assert unknown.status_code == 400 and "999999" in unknown.json()["message"]
    assert api.get("/api/v1/items/?region=330106").json()["count"] == 0
    assert api.get("/api/v1/items/?page_size=1").json()["next"]


def test_item_detail_has_version_materials_and_form(api, catalog):
    body = api.get("/api/v1/items/A-1/").json()
    version = body["current_version"]
    assert version["number"] == 1 and version["legal_basis"][0]["law"] == "《市场主体登记管理条例》"
    assert [m["code"] for m in version["materials"]] == ["applicant-id", "lease"]
    assert version["materials"][0]["skippable"] is True
    assert version["form_schema"]["properties"]["name"]["x-data-element"] == "applicant.name"


def test_search_through_the_api(api, catalog):
    assert [r["code"] for r in api.get("/api/v1/items/", {"q": "开饭店"}).json()["results"]] == ["A-2"]


def test_bad_filters_get_one_error_shape(api, catalog):
    response = api.get("/api/v1/items/?kind=weird")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "kind" in body["errors"]
    assert api.get("/api/v1/items/", {"q": "x" * 101}).status_code == 400
    assert api.get("/api/v1/regions/?level=abc").status_code == 400
    assert api.get("/api/v1/items/NOPE/").status_code == 404
    assert api.get("/api/v1/items/?page=999").status_code == 404


def test_drafts_are_not_public(api, catalog):
    version_new_draft(actor="t", item=catalog[0])
    states = {v["state"] for v in api.get("/api/v1/versions/?item=A-1").json()["results"]}
    assert states == {"published"}


def test_api_is_read_only(api, catalog):
    assert api.post("/api/v1/items/", {"code": "X"}, format="json").status_code == 405
    assert api.delete("/api/v1/items/A-1/").status_code == 405


def test_other_resources(api, catalog):
    assert api.get("/api/v1/regions/?level=3").json()["results"][0]["code"] == "330100"
    assert api.get("/api/v1/departments/?region=330100").json()["count"] == 2
    power = api.get("/api/v1/powers/P-1/").json()
    assert power["responsibilities"][0]["duty"] == "受理责任"
    assert api.get("/api/v1/responsibilities/?power=P-1").json()["count"] == 1
    bundle = api.get("/api/v1/bundles/restaurant/").json()
    assert bundle["members"][1]["depends_on"] == ["A-1"]
    assert api.get("/api/v1/materials/?item=A-1").json()["count"] == 2
    assert api.get("/api/v1/life-events/").json()["count"] == 1


def test_schema_and_docs_are_served(api, db):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    assert api.get("/api/docs/").status_code == 200
