"""Service tokens in the admin: the key is shown once, only its hash is kept, revoking is an action."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from onevisit.org.models import ServiceToken
from onevisit.org.services import service_token_create, service_token_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_user(
        "root", password="pw-123456!", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(user)
    return client


def test_creating_a_token_in_the_admin_shows_the_key_once(admin_client, departments):
    response = admin_client.post(
        "/admin/org/servicetoken/add/",
        {
            "department": departments["scjg"].pk,
            "name": "省审批系统",
            "scopes": ["work_items:read", "cases:read"],
        },
        follow=True,
    )
    page = response.content.decode()
    key = re.search(r"ovt_[A-Za-z0-9_-]{40,}", page).group(0)
    token = ServiceToken.objects.get()
    assert token.key_hash == service_token_hash(key) and token.scopes == ["work_items:read", "cases:read"]
    assert token.user.staff_roles.get().role == "officer"
    assert key not in admin_client.get(f"/admin/org/servicetoken/{token.pk}/change/").content.decode()
    assert key not in admin_client.get("/admin/org/servicetoken/").content.decode()


def test_revoking_in_the_admin(admin_client, departments):
    token, _key = service_token_create(
        actor="t", department=departments["scjg"], name="x", scopes=["cases:read"]
    )
    admin_client.post(
        "/admin/org/servicetoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert ServiceToken.objects.get().revoked_at is not None


@pytest.mark.parametrize("scopes", [[], ["cases:write"], ["*"]])
def test_unknown_or_no_scopes_are_refused(departments, scopes):
    with pytest.raises(ValidationError):
        service_token_create(actor="t", department=departments["scjg"], name="x", scopes=scopes)
    assert not ServiceToken.objects.exists()


def test_a_clerk_works_at_a_centre(departments, region, django_user_model):
    from onevisit.org.models import ServiceCenter
    from onevisit.org.selectors import clerk_centers
    from onevisit.org.services import staff_role_grant

    center = ServiceCenter.objects.create(code="A", name="市民之家", region=region, address="x", hours="9-17")
    clerk = django_user_model.objects.create_user("c")
    grant = staff_role_grant(
        actor="t", user=clerk, department=departments["scjg"], role="clerk", center=center
    )
    assert grant.center == center and list(clerk_centers(clerk)) == [center]
    staff_role_grant(actor="t", user=clerk, department=departments["scjg"], role="clerk")
    grant.refresh_from_db()
    assert grant.center == center
