"""The item's own post-check ratio is the default of a draw (service and form); a ratio outside 1–100 %
is refused with nothing drawn. A check's evidence file is served to its inspectors and the supervisors
of its region only, as a sandboxed, non-sniffable file."""

import io

import pytest
from django.test import Client
from django.utils import timezone, translation

from onevisit.cases.tests.conftest import PDF
from onevisit.catalog.models import ItemVersion
from onevisit.core.models import AuditEvent
from onevisit.org.models import Department, Region
from onevisit.org.services import staff_role_grant
from onevisit.supervision import services
from onevisit.supervision.models import PostCheck, PostCheckDraw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _client(user):
    client = Client()
    client.force_login(user)
    client.cookies["onevisit_language"] = "en"
    return client


def _today():
    return timezone.localdate()


def _set_ratio(item, ratio):
    ItemVersion.objects.filter(pk=item.current_version_id).update(post_check_ratio=ratio)
    item.refresh_from_db()


def test_a_draw_without_a_ratio_uses_the_items_own(item, approved, alice, officers, supervisor):
    cases = [approved(alice) for _ in range(4)]
    _set_ratio(item, 50)
    draw = services.post_check_draw(actor=supervisor, item=item, since=_today(), until=_today(), seed="s")
    assert draw.ratio == 50 and len(draw.sampled) == 2 and len(draw.population) == len(cases)


def test_without_its_own_ratio_the_platform_default_is_used(
    item, approved, alice, officers, supervisor, settings
):
    settings.ONEVISIT_POST_CHECK_RATIO = 25
    approved(alice)
    assert services.default_ratio(item) == 25
    draw = services.post_check_draw(actor=supervisor, item=item, since=_today(), until=_today())
    assert draw.ratio == 25


@pytest.mark.parametrize("ratio", [0, -1, 101, "abc", "50", True, 7.5])
def test_a_ratio_outside_one_to_a_hundred_is_refused_by_the_service(
    item, approved, alice, officers, supervisor, ratio
):
    approved(alice)
    with pytest.raises(services.ValidationError) as error:
        services.post_check_draw(actor=supervisor, item=item, since=_today(), until=_today(), ratio=ratio)
    assert "from 1 to 100" in " ".join(error.value.message_dict["ratio"])
    assert not PostCheckDraw.objects.exists() and not PostCheck.objects.exists()


def _post_draw(client, item, **kw):
    data = {"item": item.pk, "since": _today().isoformat(), "until": _today().isoformat(), "seed": "s1"}
    return client.post("/workbench/post-checks/", data | kw)


def test_the_form_names_each_service_with_its_ratio_and_an_empty_ratio_uses_it(
    item, approved, alice, officers, supervisor
):
    for _ in range(4):
        approved(alice)
    _set_ratio(item, 50)
    client = _client(supervisor)
    page = client.get("/workbench/post-checks/").content.decode()
    assert f"{item.code} {item.name} (ratio 50%)" in page
    # The period is prefilled in the form a date input takes (YYYY-MM-DD), whatever the language.
    assert (
        f'value="{_today().replace(day=1).isoformat()}"' in page and f'value="{_today().isoformat()}"' in page
    )
    response = _post_draw(client, item, ratio="")
    assert response.status_code == 302
    draw = PostCheckDraw.objects.get()
    assert draw.ratio == 50 and len(draw.sampled) == 2


@pytest.mark.parametrize("ratio", ["0", "101", "-3", "abc", "1e3", "<script>"])
def test_a_ratio_outside_one_to_a_hundred_is_refused_by_the_form(
    item, approved, alice, officers, supervisor, ratio
):
    approved(alice)
    response = _post_draw(_client(supervisor), item, ratio=ratio)
    page = response.content.decode()
    assert response.status_code == 400 and "from 1 to 100" in page and "<script>" not in page
    assert not PostCheckDraw.objects.exists()


# ---- the evidence file ---------------------------------------------------------------------------


@pytest.fixture
def recorded(item, approved, alice, officers, supervisor):
    """A check whose result is recorded with a PDF as evidence."""
    approved(alice)
    draw = services.post_check_draw(actor=supervisor, item=item, since=_today(), until=_today(), seed="e")
    check = draw.checks.get()
    evidence = io.BytesIO(PDF)
    services.post_check_record(
        actor=check.inspectors.first(), check=check, outcome="passed", note="现场核查属实",
        evidence=evidence, evidence_name="核查记录.pdf",
    )  # fmt: skip
    return PostCheck.objects.get(pk=check.pk)


def test_inspectors_and_the_supervisor_view_and_download_the_evidence(recorded, supervisor):
    url = f"/workbench/post-checks/{recorded.pk}/evidence/"
    for user in [*recorded.inspectors.all(), supervisor]:
        client = _client(user)
        response = client.get(url)
        assert response.status_code == 200, user.username
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF
        download = client.get(url + "?download=1")
        assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="post_check_evidence_viewed").count() == 6
    page = _client(supervisor).get(f"/workbench/post-checks/{recorded.pk}/").content.decode()
    assert url in page


def test_others_cannot_see_the_evidence(recorded, officers, officer_ga, django_user_model):
    url = f"/workbench/post-checks/{recorded.pk}/evidence/"
    other_officer = next(o for o in officers if not recorded.inspectors.filter(pk=o.pk).exists())
    province = Region.objects.get(code="330000")
    ningbo = Region.objects.create(code="330200", name="宁波市", level=3, parent=province)
    elsewhere = Department.objects.create(code="330200-ZWFW", name="宁波市政务服务管理办公室", region=ningbo)
    far_supervisor = django_user_model.objects.create_user("supervisor_nb", password="pw-123456!")
    staff_role_grant(actor="t", user=far_supervisor, department=elsewhere, role="supervisor")
    for user in (other_officer, officer_ga, far_supervisor):
        assert _client(user).get(url).status_code == 404, user.username
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/workbench/login/" in anonymous["Location"]
    assert not AuditEvent.objects.filter(action="post_check_evidence_viewed").exists()


def test_a_check_without_evidence_yet_has_no_file(item, approved, alice, officers, supervisor):
    approved(alice)
    draw = services.post_check_draw(actor=supervisor, item=item, since=_today(), until=_today(), seed="p")
    check = draw.checks.get()
    response = _client(check.inspectors.first()).get(f"/workbench/post-checks/{check.pk}/evidence/")
    assert response.status_code == 404
