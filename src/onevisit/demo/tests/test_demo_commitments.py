"""The demo holds approvals on commitment of 330100-XF-001, so the demo supervisor can draw a
post-check sample at once, at the item's own ratio, with the two 消防 officers as inspectors."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from onevisit.cases import commitment as approval
from onevisit.cases.models import Case
from onevisit.demo.loader import load_demo
from onevisit.supervision.models import PostCheckDraw

pytestmark = pytest.mark.django_db


def test_the_demo_supervisor_draws_post_checks_of_the_demo_approvals(db):
    load_demo(verbosity=0)
    cases = approval.approved_on_commitment().filter(item_version__item__code="330100-XF-001")
    assert cases.count() == 4
    assert all(
        c.decision.outcome == "approve" and c.commitments.filter(kind="commitment").exists() for c in cases
    )
    load_demo(verbosity=0)  # loading again adds none
    assert Case.objects.filter(item_version__item__code="330100-XF-001").count() == 4

    client = Client()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    page = client.get("/workbench/post-checks/").content.decode()
    assert "330100-XF-001" in page and "50%" in page
    today = timezone.localdate().isoformat()
    item_pk = cases.first().item_version.item_id
    response = client.post(
        "/workbench/post-checks/",
        {"item": item_pk, "since": today, "until": today, "ratio": "", "seed": "demo"},
    )
    assert response.status_code == 302
    draw = PostCheckDraw.objects.get()
    assert draw.ratio == 50 and len(draw.population) == 4 and len(draw.sampled) == 2
    inspectors = {u.username for check in draw.checks.all() for u in check.inspectors.all()}
    assert inspectors == {"officer_xf", "officer_xf2"}
