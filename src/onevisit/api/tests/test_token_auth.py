"""Service tokens: missing, forged, expired or revoked → 401 in the one error shape, in Chinese."""

import pytest
from django.utils import timezone

from onevisit.core.models import AuditEvent
from onevisit.org.models import ServiceToken
from onevisit.org.services import service_token_revoke

from .conftest import LATER, client_for, first_item

pytestmark = pytest.mark.django_db
URL = "/api/v1/work-items/"


def _401(response):
    body = response.json()
    assert response.status_code == 401, body
    assert set(body) == {"code", "message", "errors"} and body["errors"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")
    return body["message"]


def test_only_a_hash_of_the_key_is_stored(make_token):
    token, key = make_token()
    assert key.startswith("ovt_") and len(key) > 40 and key not in token.key_hash
    assert not ServiceToken.objects.filter(key_hash=key).exists()
    assert not token.user.has_usable_password() and token.user.is_staff
    assert AuditEvent.objects.filter(action="service_token_created").exists()


def test_a_valid_token_is_recorded_as_used(scjg_key):
    assert client_for(scjg_key).get(URL).status_code == 200
    assert ServiceToken.objects.get().last_used_at is not None


def test_a_missing_token(db):
    assert "令牌" in _401(client_for(None).get(URL))


@pytest.mark.parametrize("key", ["ovt_forged-key-that-was-never-issued", "x" * 500, "ключ"])
def test_a_forged_token(db, key):
    assert _401(client_for(key).get(URL)) == "令牌无效。"


def test_a_malformed_header(db):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert "Bearer" in _401(client.get(URL))


def test_an_expired_token(make_token):
    _token, key = make_token(expires_at=timezone.now() - LATER)
    assert _401(client_for(key).get(URL)) == "令牌已过期。"


def test_a_token_that_expires_later_works(make_token):
    _token, key = make_token(expires_at=timezone.now() + LATER)
    assert client_for(key).get(URL).status_code == 200


def test_a_revoked_token(make_token):
    token, key = make_token()
    service_token_revoke(actor="t", token=token)
    assert _401(client_for(key).get(URL)) == "令牌已被吊销。"
    assert _401(client_for(key).get("/api/v1/cases/330100202603020001/")) == "令牌已被吊销。"


def test_a_token_without_the_scope_is_refused(make_token, accepted):
    _token, key = make_token(scopes=["cases:read"])
    response = client_for(key).get(URL)
    assert response.status_code == 403 and "work_items:read" in response.json()["message"]
    _token, reader = make_token(scopes=["work_items:read"])

    item = first_item(accepted)
    assert client_for(reader).post(f"{URL}{item.pk}/claim/").status_code == 403
    assert client_for(reader).get(f"/api/v1/cases/{accepted.number}/").status_code == 403


def test_the_public_catalogue_needs_no_token(db):
    assert client_for(None).get("/api/v1/items/").status_code == 200
