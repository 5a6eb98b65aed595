"""授权用证: only the holder (or an agent of the holder organization) shares; a link works until it
expires or is stopped; every opening is logged with a shortened network address."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevisit.certificates.models import ShareLink, ShareUse
from onevisit.certificates.services import (
    ShareLinkError,
    certificate_revoke,
    share_create,
    share_open,
    share_revoke,
    shorten_ip,
    token_hash,
)
from onevisit.identity.services import authorization_grant, authorization_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(issue, alice):
    return issue(person=alice.person)


def test_the_holder_shares_and_only_a_hash_of_the_token_is_kept(alice, mine):
    link, token = share_create(actor_account=alice, certificate=mine, purpose="办理银行开户", days=7)
    assert len(token) >= 32 and link.token_hash == token_hash(token) and token not in link.token_hash
    assert not ShareLink.objects.filter(token_hash=token).exists()
    assert dt.timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= dt.timedelta(days=7)


def test_every_opening_is_logged_with_a_shortened_address(alice, mine):
    _link, token = share_create(actor_account=alice, certificate=mine, purpose="入职", days=1)
    assert share_open(token=token, ip="203.0.113.77", user_agent="Mozilla/5.0 Test") == mine
    share_open(token=token, ip="2001:db8:abcd:12::1", user_agent="x" * 1000, action="download")
    uses = list(ShareUse.objects.order_by("at", "pk"))
    assert [u.ip for u in uses] == ["203.0.113.0/24", "2001:db8:abcd::/48"]
    assert [u.action for u in uses] == ["view", "download"] and len(uses[1].user_agent) == 300


def test_an_expired_link_does_not_open(alice, mine):
    link, token = share_create(actor_account=alice, certificate=mine, purpose="入职", days=1)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ShareLinkError) as info:
        share_open(token=token, ip="203.0.113.1", user_agent="")
    assert info.value.code == "expired" and not ShareUse.objects.exists()


def test_a_stopped_link_does_not_open(alice, mine):
    link, token = share_create(actor_account=alice, certificate=mine, purpose="入职", days=30)
    share_revoke(actor_account=alice, link=link)
    with pytest.raises(ShareLinkError) as info:
        share_open(token=token, ip="", user_agent="")
    assert info.value.code == "revoked" and not ShareUse.objects.exists()


@pytest.mark.parametrize("token", ["", "nope", "a" * 500, "<script>", "../../etc/passwd"])
def test_an_unknown_token_does_not_open(token):
    with pytest.raises(ShareLinkError) as info:
        share_open(token=token, ip="", user_agent="")
    assert info.value.code == "unknown"


def test_another_applicant_cannot_share_or_stop_my_links(alice, bob, mine):
    with pytest.raises(ValidationError):
        share_create(actor_account=bob, certificate=mine, purpose="偷看", days=1)
    link, _token = share_create(actor_account=alice, certificate=mine, purpose="入职", days=1)
    with pytest.raises(ValidationError):
        share_revoke(actor_account=bob, link=link)
    link.refresh_from_db()
    assert link.revoked_at is None


def test_an_agent_shares_the_organizations_certificate_while_authorized(issue, alice, bob, acme, today):
    licence = issue(org=acme)
    with pytest.raises(ValidationError):
        share_create(actor_account=alice, certificate=licence, purpose="投标", days=3)
    grant = authorization_grant(actor="t", grantor=acme, agent=alice.person, valid_from=today)
    link, _token = share_create(actor_account=alice, certificate=licence, purpose="投标", days=3)
    assert link.created_by == alice
    authorization_revoke(actor="t", authorization=grant, reason="离职")
    with pytest.raises(ValidationError):
        share_create(actor_account=alice, certificate=licence, purpose="投标", days=3)


@pytest.mark.parametrize(
    ("purpose", "days", "field"),
    [
        ("", 7, "purpose"),
        ("   ", 7, "purpose"),
        ("长" * 201, 7, "purpose"),
        ("入职", 0, "days"),
        ("入职", 31, "days"),
        ("入职", -1, "days"),
        ("入职", "7", "days"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(alice, mine, purpose, days, field):
    with pytest.raises(ValidationError) as info:
        share_create(actor_account=alice, certificate=mine, purpose=purpose, days=days)
    assert field in info.value.message_dict
    assert not ShareLink.objects.exists()


def test_hostile_text_is_kept_as_plain_text(alice, mine):
    link, _token = share_create(
        actor_account=alice,
        certificate=mine,
        purpose="<script>alert(1)</script>",
        recipient="<b>x</b>",
        days=1,
    )
    assert link.purpose == "<script>alert(1)</script>" and link.recipient == "<b>x</b>"


def test_a_revoked_certificate_cannot_be_shared(alice, mine):
    certificate_revoke(actor="t", certificate=mine, reason="错误签发")
    mine.refresh_from_db()
    with pytest.raises(ValidationError):
        share_create(actor_account=alice, certificate=mine, purpose="入职", days=1)


@pytest.mark.parametrize(
    ("raw", "short"),
    [
        ("192.168.1.200", "192.168.1.0/24"),
        ("::1", "::/48"),
        ("", ""),
        ("not an ip", ""),
        ("1.2.3.4; DROP", ""),
    ],
)
def test_addresses_are_shortened(raw, short):
    assert shorten_ip(raw) == short
