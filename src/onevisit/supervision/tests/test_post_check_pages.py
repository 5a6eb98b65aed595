"""The workbench post-check pages: supervisors draw, inspectors record; others see nothing."""

import io

import pytest
from django.utils import timezone, translation

from onevisit.cases.models import Case
from onevisit.cases.tests.conftest import PDF
from onevisit.supervision.models import PostCheck, PostCheckDraw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def _post_draw(client, service, **kw):
    today = timezone.localdate().isoformat()
    data = {"item": service.pk, "since": today, "until": today, "ratio": 10, "seed": "s1"} | kw
    return client.post("/workbench/post-checks/", data, HTTP_ACCEPT_LANGUAGE="en")


def test_a_supervisor_draws_and_sees_seed_population_and_inspectors(
    client, item, approved, alice, officers, supervisor
):
    case = approved(alice)
    response = _post_draw(_login(client, supervisor), item)
    draw = PostCheckDraw.objects.get()
    assert response.status_code == 302 and response.url == f"/workbench/post-checks/draws/{draw.pk}/"
    page = client.get(response.url).content.decode()
    assert "s1" in page and case.number in page and str(case.pk) in page
    for inspector in draw.checks.get().inspectors.all():
        assert inspector.username in page
    assert "s1" in client.get("/workbench/post-checks/").content.decode()


@pytest.mark.parametrize(
    "kw", [{"ratio": "0"}, {"ratio": "abc"}, {"since": ""}, {"seed": "x" * 200}, {"item": "999999"},
           {"until": "2999-01-01"}, {"since": "<script>"}],
)  # fmt: skip
def test_bad_draw_form_input_shows_errors_and_draws_nothing(
    client, item, approved, alice, officers, supervisor, kw
):
    approved(alice)
    response = _post_draw(_login(client, supervisor), item, **kw)
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert not PostCheckDraw.objects.exists()


def test_officers_cannot_draw_and_other_departments_see_nothing(
    client, item, approved, alice, officers, officer_ga, supervisor
):
    approved(alice)
    _post_draw(_login(client, supervisor), item)
    check = PostCheck.objects.get()
    draw = check.draw
    assert _post_draw(_login(client, officer_ga), item).status_code == 403
    assert client.get(f"/workbench/post-checks/draws/{draw.pk}/").status_code == 404
    assert client.get(f"/workbench/post-checks/{check.pk}/").status_code == 404
    response = client.post(
        f"/workbench/post-checks/{check.pk}/",
        {"outcome": "false_commitment", "note": "x", "evidence": io.BytesIO(PDF)},
    )
    assert response.status_code == 404
    assert PostCheckDraw.objects.count() == 1 and PostCheck.objects.get().status == "pending"
    assert f"/draws/{draw.pk}/" not in client.get("/workbench/post-checks/").content.decode()


def _evidence(content=PDF, name="核查.pdf"):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_an_inspector_records_a_false_commitment_on_the_page(
    client, item, approved, alice, officers, supervisor
):
    case = approved(alice)
    _post_draw(_login(client, supervisor), item)
    check = PostCheck.objects.get()
    inspector = check.inspectors.first()
    assert check.case.number in _login(client, inspector).get("/workbench/post-checks/").content.decode()
    response = client.post(
        f"/workbench/post-checks/{check.pk}/",
        {"outcome": "false_commitment", "note": "住所不存在", "evidence": _evidence()},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.REJECTED
    assert "住所不存在" in client.get(response.url).content.decode()


def test_a_non_assigned_officer_of_the_department_cannot_record(
    client, item, approved, alice, officers, supervisor
):
    approved(alice)
    _post_draw(_login(client, supervisor), item)
    check = PostCheck.objects.get()
    other = next(o for o in officers if not check.inspectors.filter(pk=o.pk).exists())
    response = _login(client, other).post(
        f"/workbench/post-checks/{check.pk}/", {"outcome": "passed", "note": "ok", "evidence": _evidence()}
    )
    assert response.status_code == 404 and PostCheck.objects.get().status == "pending"


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "maybe", "note": "x"},
        {"outcome": "passed", "note": ""},
        {"outcome": "passed", "note": "x" * 2001},
        {"outcome": "passed", "note": "ok", "file": (b"<html><script>alert(1)</script>", "x.pdf")},
        {"outcome": "passed", "note": "ok", "file": (b"%PDF-1.4 " + b"0" * (11 * 1024 * 1024), "big.pdf")},
        {"outcome": "passed", "note": "ok", "file": None},
    ],
)
def test_bad_result_form_input_shows_errors_and_changes_nothing(
    client, item, approved, alice, officers, supervisor, data
):
    approved(alice)
    _post_draw(_login(client, supervisor), item)
    check = PostCheck.objects.get()
    _login(client, check.inspectors.first())
    payload = {k: v for k, v in data.items() if k != "file"}
    file = data.get("file", (PDF, "a.pdf"))
    if file is not None:
        payload["evidence"] = _evidence(*file)
    response = client.post(f"/workbench/post-checks/{check.pk}/", payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert PostCheck.objects.get().status == "pending"
