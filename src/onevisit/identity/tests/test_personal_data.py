import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from onevisit.core.models import AuditEvent
from onevisit.identity.models import Person
from onevisit.identity.services import organization_register, person_register

pytestmark = pytest.mark.django_db
ID = "11010519491231002X"


def test_id_numbers_are_encrypted_at_rest_and_masked_on_screen():
    person = person_register(actor="t", name="张三", id_number=ID, phone="13800000000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_person")
        row = " ".join(str(v) for v in cursor.fetchone())
    assert ID not in row and "13800000000" not in row
    assert person.id_number_masked == "110105********002X"
    assert AuditEvent.objects.filter(action="person_registered").count() == 1


def test_the_same_person_is_found_by_keyed_hash_not_duplicated():
    first = person_register(actor="t", name="张三", id_number=ID)
    again = person_register(actor="t", name="张三", id_number=ID.lower())
    assert first.pk == again.pk and Person.objects.count() == 1


@pytest.mark.parametrize("number", ["110105194912310021", "12345", "", "<script>", "11010519491331002X"])
def test_wrong_id_numbers_are_refused_with_a_hint(number):
    with pytest.raises(ValidationError) as info:
        person_register(actor="t", name="张三", id_number=number)
    assert "18" in info.value.message_dict["id_number"][0]
    assert Person.objects.count() == 0


def test_wrong_uscc_is_refused():
    with pytest.raises(ValidationError):
        organization_register(actor="t", name="某公司", uscc_code="91330106MA2XXXXXX1")
