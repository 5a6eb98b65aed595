import pytest
from django.test import Client, override_settings

from onevisit.org.services import staff_role_grant

pytestmark = pytest.mark.django_db


@override_settings(ONEVISIT_DEMO=True)
def test_demo_start_page_lists_each_persona(departments, django_user_model):
    user = django_user_model.objects.create_user("officer_scjg", password="x-123456!", first_name="王审批")
    staff_role_grant(actor="t", user=user, department=departments["scjg"], role="officer")
    page = Client().get("/demo/").content.decode()
    assert "officer_scjg" in page and "王审批" in page and "demo1234" in page


def test_no_persona_page_outside_the_demo(db):
    assert Client().get("/demo/").status_code == 404
