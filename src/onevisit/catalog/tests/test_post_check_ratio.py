"""事后核查 ratio per item version: empty (the platform's default) or 1–100 %, edited on drafts in the
admin, checked at publish and at import, copied into a new draft."""

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.utils import translation

from onevisit.catalog import transfer
from onevisit.catalog.models import ItemVersion
from onevisit.catalog.services import PublishError, version_new_draft, version_publish
from onevisit.catalog.validation import check_post_check_ratio

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("ratio", [None, 1, 30, 100])
def test_empty_or_one_to_a_hundred_passes(ratio):
    assert check_post_check_ratio(ratio) == []


@pytest.mark.parametrize("ratio", [0, -5, 101, 1000, "abc", "50", 12.5, True])
def test_a_ratio_outside_one_to_a_hundred_is_a_problem(ratio):
    (problem,) = check_post_check_ratio(ratio)
    assert "from 1 to 100" in problem


@pytest.mark.parametrize("ratio", [0, 101])
def test_publishing_a_version_with_a_wrong_ratio_is_refused_and_changes_nothing(make_item, ratio):
    item = make_item(publish=False)
    version = item.versions.get()
    ItemVersion.objects.filter(pk=version.pk).update(post_check_ratio=ratio)
    version.refresh_from_db()
    with pytest.raises(PublishError) as error:
        version_publish(actor="t", version=version)
    assert any("post-check ratio" in m for m in error.value.messages)
    version.refresh_from_db()
    item.refresh_from_db()
    assert version.state == "draft" and item.current_version is None


def test_a_version_with_its_own_ratio_publishes_and_a_new_draft_keeps_it(make_item):
    item = make_item(publish=False)
    version = item.versions.get()
    ItemVersion.objects.filter(pk=version.pk).update(post_check_ratio=40)
    version_publish(actor="t", version=ItemVersion.objects.get(pk=version.pk))
    draft = version_new_draft(actor="t", item=item)
    assert draft.post_check_ratio == 40


def _admin_form(user, version, data):
    request = RequestFactory().get("/")
    request.user = user
    model_admin = site._registry[ItemVersion]
    form_class = model_admin.get_form(request, version)
    initial = {k: v for k, v in form_class(instance=version).initial.items() if v is not None}
    return form_class(data={**initial, **data}, instance=version)


def test_the_admin_shows_the_ratio_of_a_draft_and_checks_it(make_item, catalog_admin):
    item = make_item(publish=False)
    version = item.versions.get()
    client = Client()
    client.force_login(catalog_admin)
    page = client.get(f"/admin/catalog/itemversion/{version.pk}/change/").content.decode()
    assert 'name="post_check_ratio"' in page
    with translation.override("en"):  # the admin page left its own language active
        for bad in ("0", "101", "-1", "99999999"):
            form = _admin_form(catalog_admin, version, {"post_check_ratio": bad})
            assert not form.is_valid()
            assert "from 1 to 100" in " ".join(form.errors["post_check_ratio"]), bad
        for bad in ("abc", "1e9", "<script>"):
            form = _admin_form(catalog_admin, version, {"post_check_ratio": bad})
            assert "whole number" in " ".join(form.errors["post_check_ratio"]), bad
        form = _admin_form(catalog_admin, version, {"post_check_ratio": "25"})
        assert "post_check_ratio" not in form.errors
    version.refresh_from_db()
    assert version.post_check_ratio is None  # nothing saved by the refused forms


def test_a_published_version_shows_the_ratio_read_only(make_item, catalog_admin):
    item = make_item()
    client = Client()
    client.force_login(catalog_admin)
    page = client.get(f"/admin/catalog/itemversion/{item.current_version.pk}/change/").content.decode()
    assert 'name="post_check_ratio"' not in page and "field-post_check_ratio" in page


def test_an_import_with_a_wrong_ratio_is_rejected(make_item):
    item = make_item()
    (record,) = [r for r in transfer.export_records() if r["code"] == item.code]
    assert record["post_check_ratio"] is None
    record["post_check_ratio"] = 150
    with pytest.raises(transfer.ImportRejected) as error:
        transfer.catalog_import(actor="t", catalog=transfer.CatalogFile(items=[record]))
    assert any("from 1 to 100" in p for p in error.value.problems)
    assert item.versions.count() == 1
