import pytest
from django.test import Client

from onevisit.org.models import StaffRole
from onevisit.org.services import staff_role_grant, staff_role_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-123456!")


def test_catalog_admin_role_opens_the_catalogue_admin(alice, departments, make_item):
    make_item()
    staff_role_grant(actor="t", user=alice, department=departments["scjg"], role="catalog_admin")
    client = Client()
    client.force_login(alice)
    assert client.get("/admin/catalog/serviceitem/").status_code == 200
    assert client.get("/admin/catalog/serviceitem/export/json/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_an_officer_reads_but_does_not_change_the_catalogue(alice, departments, make_item):
    item = make_item()
    staff_role_grant(actor="t", user=alice, department=departments["scjg"], role="officer")
    client = Client()
    client.force_login(alice)
    assert client.get(f"/admin/catalog/serviceitem/{item.pk}/change/").status_code == 200
    assert client.post(f"/admin/catalog/serviceitem/{item.pk}/new-version/").status_code == 403
    assert client.get("/admin/catalog/serviceitem/import/").status_code == 403


def test_revoking_the_last_grant_removes_the_permissions(alice, departments):
    grant = staff_role_grant(actor="t", user=alice, department=departments["scjg"], role="catalog_admin")
    staff_role_grant(actor="t", user=alice, department=departments["ga"], role="catalog_admin")
    staff_role_revoke(actor="t", grant=grant)
    alice = type(alice).objects.get(pk=alice.pk)
    assert alice.has_perm("catalog.change_serviceitem")
    staff_role_revoke(actor="t", grant=StaffRole.objects.get(user=alice))
    alice = type(alice).objects.get(pk=alice.pk)
    assert not alice.has_perm("catalog.change_serviceitem")


def test_unknown_role_is_refused(alice, departments):
    with pytest.raises(ValueError):
        staff_role_grant(actor="t", user=alice, department=departments["scjg"], role="king")
