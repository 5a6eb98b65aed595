import pytest

from onevisit.catalog.models import SearchMiss
from onevisit.catalog.search import query_terms, tokens_for
from onevisit.catalog.selectors import item_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(make_item):
    return {
        "licence": make_item(code="I-1", name="企业设立登记", keywords="营业执照 开公司 注册公司"),
        "food": make_item(code="I-2", name="食品经营许可", keywords="开饭店 开餐馆 餐饮"),
        "birth": make_item(code="I-3", name="出生医学证明首次签发", keywords="生孩子 新生儿"),
        "retire": make_item(code="I-4", name="职工退休申请与基本养老金核定", keywords="退休 养老金"),
    }


def codes(query: str) -> list[str]:
    return [i.code for i in item_search(query=query).items]


def test_tokens_are_bigrams_plus_last_char_and_pinyin():
    tokens = tokens_for(["营业执照"])
    assert {"营业", "业执", "执照", "照"} <= set(tokens)
    assert "yyzz" in tokens and "yingyezhizhao" in tokens


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("营业执照", "I-1"),
        ("开饭店", "I-2"),
        ("生孩子", "I-3"),
        ("退休", "I-4"),
        ("yyzz", "I-1"),
        ("食品", "I-2"),
        ("税", None),
        ("执照", "I-1"),
    ],
)
def test_everyday_words_find_official_names(items, query, expected):
    found = codes(query)
    if expected:
        assert found[0] == expected
    else:
        assert found == []


def test_single_character_query_matches_as_prefix(items):
    assert "I-4" in codes("退")


def test_hostile_queries_change_nothing_and_find_nothing(items):
    for query in [
        '" OR 1=1 --',
        "'; DROP TABLE catalog_serviceitem; --",
        "<script>alert(1)</script>",
        "*",
        "NEAR(a b)",
        "a:* | b",
    ]:
        assert isinstance(codes(query), list)
    assert "I-1" in codes("营业执照")


def test_long_query_is_truncated(items):
    result = item_search(query="营业执照" + "x" * 10_000)
    assert result.truncated
    assert len(result.query) <= 100
    assert len(query_terms("啊" * 10_000)) <= 24


def test_search_without_result_is_logged_for_admins(items):
    assert codes("潜水艇") == []
    assert codes("潜水艇") == []
    assert SearchMiss.objects.get(query="潜水艇").count == 2


def test_cancelled_items_are_not_found(items):
    from onevisit.catalog.services import item_cancel

    item_cancel(actor="t", item=items["food"], reason="取消")
    assert "I-2" not in codes("开饭店")


def test_region_scoped_search_keeps_the_region_and_those_under_it(items, departments):
    from onevisit.org.models import Department, Region

    district = Department.objects.create(
        code="330106-SCJG", name="市场监督管理局", region=Region.objects.get(code="330106")
    )
    local = items["licence"]
    local.department = district
    local.save()
    from onevisit.catalog.services import search_index_item

    search_index_item(item=local)
    assert [i.code for i in item_search(query="营业执照", region="330106").items] == ["I-1"]
    assert "I-1" in [i.code for i in item_search(query="营业执照", region="330100").items]
    assert "I-1" in [i.code for i in item_search(query="营业执照", region="330000").items]
    assert item_search(query="开饭店", region="330106").items == []
