import pytest
from django.test import Client

from onevisit.catalog.models import Bundle, BundleItem, Power, Responsibility
from onevisit.catalog.services import item_merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def catalog(make_item, life_event, departments):
    a = make_item(code="A-1", name="企业设立登记", keywords="营业执照", life_event=life_event)
    power = Power.objects.create(
        code="P-1",
        name="企业登记",
        kind="licensing",
        department=departments["scjg"],
        legal_basis="《市场主体登记管理条例》第三条",
    )
    Responsibility.objects.create(
        power=power, duty="受理责任：依法受理申请", accountability="《行政许可法》第七十二条"
    )
    bundle = Bundle.objects.create(code="start", name="企业开办", audience="organization", state="published")
    BundleItem.objects.create(bundle=bundle, item=a)
    return a


def test_home_shows_search_life_events_and_bundles(client, catalog):
    page = client.get("/").content.decode()
    assert 'role="search"' in page and "开办" in page and "企业开办" in page
    assert 'lang="zh-CN"' in page


def test_search_page_and_htmx_fragment(client, catalog):
    page = client.get("/search/", {"q": "营业执照"}).content.decode()
    assert "企业设立登记" in page
    fragment = client.get("/search/", {"q": "营业执照"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "企业设立登记" in fragment


def test_search_escapes_hostile_input_and_truncates(client, catalog):
    page = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    long_page = client.get("/search/", {"q": "营业执照" + "啊" * 10_000})
    assert long_page.status_code == 200
    assert "100" in long_page.content.decode()


def test_guide_page_shows_every_section(client, catalog):
    page = client.get("/items/A-1/").content.decode()
    for text in [
        "《市场主体登记管理条例》",
        "申请人身份证明",
        "户籍人口信息",
        "受理",
        "市场监督管理局",
        "history",
        "flowchart",
    ]:
        assert text in page, text


def test_guide_of_merged_item_points_to_successor(client, catalog, make_item):
    b = make_item(code="A-2", name="企业登记")
    item_merge(actor="t", item=catalog, successor=b, reason="合并")
    page = client.get("/items/A-1/").content.decode()
    assert "/items/A-2/" in page and "合并" in page


def test_unknown_item_is_404(client, db):
    assert client.get("/items/NOPE/").status_code == 404
    assert client.get("/departments/NOPE/").status_code == 404


def test_process_xml_is_served_for_the_flowchart(client, catalog):
    response = client.get("/items/A-1/process.bpmn")
    assert response.status_code == 200 and b"laneSet" in response.content


def test_department_lists_powers_and_responsibilities(client, catalog):
    assert "企业设立登记" in client.get("/departments/330100-SCJG/").content.decode()
    assert (
        "《市场主体登记管理条例》第三条"
        in client.get("/departments/330100-SCJG/?tab=powers").content.decode()
    )
    assert "受理责任" in client.get("/departments/330100-SCJG/?tab=responsibilities").content.decode()
    assert client.get("/departments/330100-SCJG/?tab=<x>").status_code == 200


def test_life_event_and_bundle_pages(client, catalog):
    assert "企业设立登记" in client.get("/topics/start/").content.decode()
    assert "企业设立登记" in client.get("/bundles/start/").content.decode()
    assert "企业开办" in client.get("/bundles/").content.decode()


def test_elder_mode_is_remembered(client, catalog):
    response = client.post("/elder-mode/", {"on": "1", "next": "/items/A-1/"})
    assert response.status_code == 302 and response["Location"] == "/items/A-1/"
    assert 'class="elder"' in client.get("/").content.decode()
    client.post("/elder-mode/", {"on": "0", "next": "/"})
    assert 'class="elder"' not in client.get("/").content.decode()


def test_elder_mode_refuses_open_redirects(client, db):
    response = client.post("/elder-mode/", {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_switch_to_english(client, catalog):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "For individuals" in page


def test_live_results_while_typing_are_not_logged_as_misses(client, catalog):
    from onevisit.catalog.models import SearchMiss

    client.get("/search/", {"q": "潜水"}, HTTP_HX_REQUEST="true")
    assert not SearchMiss.objects.exists()
    client.get("/search/", {"q": "潜水艇"})
    assert SearchMiss.objects.get().query == "潜水艇"
