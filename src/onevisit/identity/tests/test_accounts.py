"""Applicant accounts: registration after the SMS check, the phone login backend, staff kept apart,
and no phone or ID number in clear anywhere in the database."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory

from onevisit.identity.auth import PhonePasswordBackend
from onevisit.identity.models import ApplicantAccount, OneTimeCode, Person
from onevisit.identity.services import applicant_register, otp_verify, person_register

from .conftest import ALICE, PASSWORD

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
ID = "330106199002153619"


@pytest.fixture
def verified(send_code) -> int:
    code = send_code(PHONE)
    return otp_verify(actor="t", phone=PHONE, purpose="register", code=code).pk


def register(verification: int, **overrides):
    fields = {"name": "林爱丽", "id_number": ID, "password": PASSWORD, "phone": PHONE} | overrides
    return applicant_register(actor="t", verification_id=verification, **fields)


def test_registration_opens_a_non_staff_account_linked_to_the_person(verified):
    account = register(verified)
    assert account.person.name == "林爱丽" and account.phone == PHONE
    assert not account.user.is_staff and not account.user.is_superuser
    assert PHONE not in account.user.username and account.user.username.startswith("applicant-")
    assert account.user.check_password(PASSWORD)


def test_registration_needs_a_recent_code_for_that_phone(verified, send_code):
    with pytest.raises(ValidationError) as info:
        register(verified, phone="13900000009")
    assert "新的验证码" in info.value.message_dict["phone"][0]
    OneTimeCode.objects.update(used_at=OneTimeCode.objects.get().used_at - dt.timedelta(minutes=31))
    with pytest.raises(ValidationError):
        register(verified)
    assert ApplicantAccount.objects.count() == 0


def test_every_problem_is_reported_at_once_and_nothing_is_created(verified):
    with pytest.raises(ValidationError) as info:
        register(verified, name="林" * 10_000, id_number="330106199002153610", password="12345678")
    errors = info.value.message_dict
    assert "60" in errors["name"][0]
    assert "18" in errors["id_number"][0]
    assert errors["password"]
    assert Person.objects.count() == 0 and ApplicantAccount.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_an_existing_person_must_give_the_same_name(verified):
    person_register(actor="t", name="林爱丽", id_number=ID)
    with pytest.raises(ValidationError) as info:
        register(verified, name="别人")
    assert "不一致" in info.value.message_dict["name"][0]
    account = register(verified)
    assert Person.objects.count() == 1 and account.person.name == "林爱丽"


def test_one_account_per_phone_and_per_person(verified, alice):
    with pytest.raises(ValidationError) as info:
        register(verified, id_number=ALICE["id_number"], name=ALICE["name"])
    assert "已有账号" in info.value.message_dict["id_number"][0]


def test_hostile_names_are_stored_as_text(verified):
    account = register(verified, name="<script>alert(1)</script>'; DROP TABLE auth_user; --")
    assert account.person.name.startswith("<script>")
    assert get_user_model().objects.count() == 1


def test_phone_and_password_authenticate_the_applicant(alice):
    request = RequestFactory().get("/")
    assert authenticate(request, phone=ALICE["phone"], password=PASSWORD) == alice.user
    assert authenticate(request, phone="139 0000 0001", password=PASSWORD) == alice.user
    assert authenticate(request, phone=ALICE["phone"], password="wrong") is None
    assert authenticate(request, phone="13999999999", password=PASSWORD) is None
    # Staff's username login does not accept the applicant's phone, and vice versa.
    assert authenticate(request, username=ALICE["phone"], password=PASSWORD) is None


def test_staff_never_authenticate_as_applicants(alice, django_user_model):
    request = RequestFactory().get("/")
    django_user_model.objects.create_user("13800009999", password=PASSWORD, is_staff=True)
    assert authenticate(request, phone="13800009999", password=PASSWORD) is None
    alice.user.is_staff = True  # an applicant made staff loses the applicant login, and its session
    alice.user.save()
    assert authenticate(request, phone=ALICE["phone"], password=PASSWORD) is None
    assert PhonePasswordBackend().get_user(alice.user.pk) is None


def test_the_database_holds_no_phone_or_id_number_in_clear(verified, client):
    account = register(verified)
    client.force_login(account.user, backend="onevisit.identity.auth.PhonePasswordBackend")
    client.get("/account/")
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump.extend(str(v) for row in cursor.fetchall() for v in row)
    text = " ".join(dump)
    assert PHONE not in text and ID not in text
