import pytest
from django.test import Client

from onevisit.catalog.models import ItemSearchIndex
from onevisit.catalog.selectors import item_search
from onevisit.catalog.tasks import catalog_reindex

pytestmark = pytest.mark.django_db


def test_renaming_a_life_event_reindexes_its_items_after_commit(
    make_item, life_event, catalog_admin, django_capture_on_commit_callbacks
):
    item = make_item(life_event=life_event)
    client = Client()
    client.force_login(catalog_admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"/admin/catalog/lifeevent/{life_event.pk}/change/",
            {
                "code": "start",
                "name": "创业开张",
                "name_en": "",
                "audience": "organization",
                "icon": "",
                "order": 0,
            },
        )
    assert response.status_code == 302
    assert callbacks, "the reindex must wait for the commit"
    assert [i.code for i in item_search(query="创业开张").items] == [item.code]


def test_reindex_is_idempotent(make_item):
    make_item()
    before = list(ItemSearchIndex.objects.values_list("item_id", "name_tokens", "tokens", "visible"))
    catalog_reindex.call()
    catalog_reindex.call(item_ids=[before[0][0]])
    assert list(ItemSearchIndex.objects.values_list("item_id", "name_tokens", "tokens", "visible")) == before
