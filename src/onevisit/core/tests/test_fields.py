import pytest
from django.db import connection

from onevisit.cases.models import Case
from onevisit.cases.tests.conftest import FORM, alice, two_step_item  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_form_data_is_ciphertext_in_the_database_and_a_dict_in_python(two_step_item, alice):  # noqa: F811
    from onevisit.cases import services

    case = services.case_draft_save(
        actor="a", version=two_step_item.current_version, form_data=FORM, channel="online", person=alice
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT form_data FROM cases_case WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert FORM["id_number"] not in stored and "张三" not in stored
    assert Case.objects.get(pk=case.pk).form_data == FORM
