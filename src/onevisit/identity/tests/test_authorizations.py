"""Authorizations (授权委托): who may act for which organization, for what, and until when."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from onevisit.core.models import AuditEvent
from onevisit.identity.models import Authorization
from onevisit.identity.selectors import authorizations_valid, organizations_for
from onevisit.identity.services import authorization_grant, authorization_revoke, organization_register

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)


def grant(alice, acme, **kwargs):
    fields = {"valid_from": TODAY - dt.timedelta(days=10)} | kwargs
    return authorization_grant(actor="t", grantor=acme, agent=alice.person, **fields)


def test_a_valid_authorization_lets_the_agent_act(alice, acme):
    grant(alice, acme, valid_until=TODAY)
    assert list(organizations_for(alice.person, on=TODAY)) == [acme]
    assert AuditEvent.objects.filter(action="authorization_granted").count() == 1


def test_before_it_starts_and_after_it_ends_it_does_not(alice, acme):
    grant(alice, acme, valid_from=TODAY + dt.timedelta(days=1))
    grant(alice, acme, valid_from=TODAY - dt.timedelta(days=30), valid_until=TODAY - dt.timedelta(days=1))
    assert list(organizations_for(alice.person, on=TODAY)) == []
    assert list(organizations_for(alice.person, on=TODAY - dt.timedelta(days=5))) == [acme]


def test_a_revoked_authorization_stops_at_once_and_revoking_twice_changes_nothing(alice, acme):
    authorization = grant(alice, acme, valid_from=timezone.localdate() - dt.timedelta(days=3))
    assert list(organizations_for(alice.person)) == [acme]
    authorization_revoke(actor="t", authorization=authorization, reason="离职")
    authorization_revoke(actor="t", authorization=authorization, reason="again")
    assert list(organizations_for(alice.person)) == []
    assert list(organizations_for(alice.person, on=timezone.localdate() - dt.timedelta(days=1))) == [acme]
    authorization.refresh_from_db()
    assert authorization.revoked_reason == "离职"
    assert AuditEvent.objects.filter(action="authorization_revoked").count() == 1


def test_scope_all_items_or_a_list(alice, acme):
    everything = grant(alice, acme)
    listed = grant(alice, acme, item_codes=[" 330100-SCJG-001 ", "330100-SCJG-001", "330100-SW-001"])
    assert everything.covers("anything")
    assert listed.item_codes == ["330100-SCJG-001", "330100-SW-001"]
    assert listed.covers("330100-SW-001") and not listed.covers("330100-GA-001")
    assert organizations_for(alice.person, on=TODAY).count() == 1  # one organization, two grants


def test_bad_grants_are_refused(alice, acme):
    with pytest.raises(ValidationError):
        grant(alice, acme, valid_from=TODAY, valid_until=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        grant(alice, acme, item_codes=["", " "])
    assert Authorization.objects.count() == 0


def test_the_agent_sees_only_their_own_authorizations(alice, bob, acme):
    other = organization_register(
        actor="t", name="杭州良渚食味餐饮管理有限公司", uscc_code="91330110MA2J4P8Q15"
    )
    grant(alice, acme)
    grant(bob, other)
    assert [a.grantor for a in authorizations_valid(agent=alice.person, on=TODAY)] == [acme]
    assert list(organizations_for(bob.person, on=TODAY)) == [other]


def test_staff_grant_and_revoke_in_the_admin(alice, acme, catalog_admin):
    client = Client()
    client.force_login(catalog_admin)
    response = client.post(
        "/admin/identity/authorization/add/",
        {
            "grantor": acme.pk,
            "agent": alice.person.pk,
            "scope": "all",
            "item_codes": "[]",
            "valid_from": "2026-11-01",
            "valid_until": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    authorization = Authorization.objects.get()
    assert authorization.granted_by == catalog_admin
    event = AuditEvent.objects.get(action="authorization_granted")
    assert event.actor == catalog_admin
    client.post(
        "/admin/identity/authorization/",
        {"action": "revoke", "_selected_action": [authorization.pk]},
    )
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None
