"""The admin shows ratings, rectifications, appeals and complaints read-only: nothing is added,
changed or deleted there (a rating is voided through an appeal, never deleted)."""

import pytest
from django.test import Client

from onevisit.feedback.models import Rating

pytestmark = pytest.mark.django_db


def test_admin_lists_and_refuses_changes(django_user_model, departments):
    rating = Rating.objects.create(
        kind="counter",
        level=5,
        department=departments["scjg"],
        region=departments["scjg"].region,
        channel="counter",
    )
    admin = django_user_model.objects.create_superuser("root", password="pw-123456!")
    client = Client()
    client.force_login(admin)
    for model in ("rating", "rectification", "appeal", "complaint"):
        assert client.get(f"/admin/feedback/{model}/").status_code == 200
        assert client.get(f"/admin/feedback/{model}/add/").status_code == 403
    assert client.get(f"/admin/feedback/rating/{rating.pk}/change/").status_code == 200  # view only
    client.post(f"/admin/feedback/rating/{rating.pk}/delete/", {"post": "yes"})
    assert Rating.objects.filter(pk=rating.pk).exists()
