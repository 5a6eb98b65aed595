"""The dashboards, drill-down and exports: personas, scoping, bad input, read-only evaluator."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onevisit.cases.models import Case
from onevisit.catalog.models import ServiceItem
from onevisit.core.models import AuditEvent
from onevisit.insights.access import case_token
from onevisit.org.services import staff_role_grant

pytestmark = pytest.mark.django_db

MARCH = "since=2026-03-01&until=2026-03-31"
DASH = reverse("workbench:insights")


def _user(django_user_model, name, department, role):
    user = django_user_model.objects.create_user(name, password="pw-123456!", is_staff=True)
    staff_role_grant(actor="t", user=user, department=department, role=role)
    return user


@pytest.fixture
def analyst(history, django_user_model):
    return _user(django_user_model, "analyst_hz", history["departments"]["scjg"], "analyst")


@pytest.fixture
def analyst_nb(history, django_user_model):
    return _user(django_user_model, "analyst_nb", history["departments"]["nb"], "analyst")


@pytest.fixture
def evaluator(history, django_user_model):
    return _user(django_user_model, "evaluator_x", history["departments"]["scjg"], "evaluator")


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_analyst_sees_the_headline_and_every_indicator(client, analyst):
    response = _get(client, analyst, f"{DASH}?{MARCH}")
    assert response.status_code == 200
    page = response.content.decode()
    # headline: 6 of 7 finished cases with at most one visit
    assert 'class="insights-big">85.71 %<' in page
    for key in ("zero_visit", "online", "mobile", "immediate", "compression", "on_time", "duration",
                "no_paper", "instant", "sharing"):  # fmt: skip
        assert f'id="card-{key}"' in page
    assert 'id="chart-volume"' in page and "echarts.min.js" in page
    assert 'id="breakdown-department"' in page and 'id="forecast"' in page


def test_filters_narrow_the_figures(client, analyst, history):
    response = _get(client, analyst, f"{DASH}?{MARCH}&region=330200")
    assert "100.00 %" in response.content.decode()  # c7 only: 1 of 1
    response = client.get(f"{DASH}?{MARCH}&department=330100-GA&channel=counter")
    assert response.status_code == 200
    assert "50.00 %" in response.content.decode()  # c3 and c4: 1 of 2 with at most one visit


@pytest.mark.parametrize(
    "query, message",
    [
        ("since=2026-05-01&until=2026-01-01", "结束日期"),
        ("since=1990-01-01&until=2026-01-01", "10"),
        ("since=2026-13-45", "2026-01-31"),
        ("region=999999", "999999"),
        ("department=NOPE", "NOPE"),
        ("item=NOPE-1", "NOPE-1"),
        ("channel=pigeon", "pigeon"),
        ("item=" + "X" * 500, "过长"),
        ("item=<script>alert(1)</script>", "&lt;script&gt;"),
    ],
)
def test_bad_filters_give_a_clear_message_and_compute_nothing(client, analyst, query, message):
    client.force_login(analyst)
    response = client.get(f"{DASH}?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "<script>alert(1)</script>" not in page
    assert 'id="card-zero_visit"' not in page
    for url in (reverse("workbench:insights_drill", args=["zero_visit"]),
                reverse("workbench:insights_export", args=["indicators.csv"]),
                reverse("workbench:insights_export", args=["cases.csv"])):  # fmt: skip
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert "attachment" not in response.get("Content-Disposition", "")


def test_the_period_end_before_start_message_is_chinese(client, analyst):
    response = _get(client, analyst, f"{DASH}?since=2026-05-01&until=2026-01-01")
    assert "结束日期早于开始日期" in response.content.decode()


def test_an_empty_period_shows_dashes_not_errors(client, analyst):
    response = _get(client, analyst, f"{DASH}?since=2020-01-01&until=2020-01-31")
    assert response.status_code == 200
    assert "—" in response.content.decode()


@pytest.mark.parametrize("who", ["clerk", "officer", "applicant", "anonymous"])
def test_clerks_officers_and_applicants_cannot_open_the_dashboards(client, history, django_user_model, who):
    if who in ("clerk", "officer"):
        client.force_login(_user(django_user_model, who, history["departments"]["scjg"], who))
    elif who == "applicant":
        client.force_login(django_user_model.objects.create_user("citizen", password="pw-123456!"))
    for url in (DASH, reverse("workbench:insights_drill", args=["zero_visit"]),
                reverse("workbench:insights_export", args=["cases.csv"]),
                reverse("workbench:insights_export", args=["report.pdf"])):  # fmt: skip
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "attachment" not in response.get("Content-Disposition", "")
        if response.status_code == 302:
            assert reverse("workbench:login") in response["Location"]


def test_the_dashboard_link_shows_only_to_readers(client, analyst, history, django_user_model):
    assert DASH in _get(client, analyst, reverse("workbench:post_checks")).content.decode()
    officer = _user(django_user_model, "officer_y", history["departments"]["scjg"], "officer")
    assert f'href="{DASH}"' not in _get(client, officer, reverse("workbench:post_checks")).content.decode()


def test_the_analyst_drills_down_to_the_cases_of_their_region_only(client, analyst, analyst_nb):
    url = reverse("workbench:insights_drill", args=["zero_visit"]) + f"?{MARCH}"
    page = _get(client, analyst, url).content.decode()
    for n in (1, 2, 3, 4, 5, 8):
        assert f"N-{n}<" in page
    assert "N-7<" not in page  # 宁波's case
    assert "张三" not in page  # no applicant names
    page = _get(client, analyst_nb, url).content.decode()
    assert "N-7<" in page and "N-1<" not in page


def test_the_evaluator_sees_anonymised_rows_only(client, evaluator, history):
    url = reverse("workbench:insights_drill", args=["zero_visit"]) + f"?{MARCH}"
    page = _get(client, evaluator, url).content.decode()
    assert "N-1<" not in page and "张三" not in page
    assert case_token(history["cases"]["c1"].pk) in page


def test_drill_of_an_unknown_or_undrillable_indicator_is_404(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("workbench:insights_drill", args=["nope"])).status_code == 404
    assert client.get(reverse("workbench:insights_drill", args=["sharing"])).status_code == 404


def test_indicator_exports(client, evaluator):
    client.force_login(evaluator)
    response = client.get(reverse("workbench:insights_export", args=["indicators.csv"]) + f"?{MARCH}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_key = {line[0]: line for line in lines[2:]}
    assert by_key["at_most_one_visit"][3:5] == ["6", "7"]
    assert by_key["online"][3:5] == ["6", "8"]
    response = client.get(reverse("workbench:insights_export", args=["indicators.xlsx"]) + f"?{MARCH}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["zero_visit"][2] == pytest.approx(4 / 7, abs=1e-6)
    response = client.get(reverse("workbench:insights_export", args=["report.pdf"]) + f"?{MARCH}")
    assert response.content.startswith(b"%PDF")
    assert b"NotoSansSC" in response.content
    assert (
        client.get(reverse("workbench:insights_export", args=["nope.txt"]) + f"?{MARCH}").status_code == 404
    )


def test_the_anonymised_case_export_holds_no_personal_data(client, evaluator, history):
    client.force_login(evaluator)
    response = client.get(reverse("workbench:insights_export", args=["cases.csv"]) + f"?{MARCH}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 8  # filed in March
    assert {r["case_hash"] for r in rows} >= {case_token(history["cases"]["c1"].pk)}
    for forbidden in ("张三", "11010519491231002X", "N-1", "applicant"):
        assert forbidden not in body
    c2 = next(r for r in rows if r["case_hash"] == case_token(history["cases"]["c2"].pk))
    assert (c2["item_code"], c2["channel"], c2["visits"], c2["decided_on"], c2["outcome"]) == (
        "A", "mobile", "1", "2026-03-13", "approve"
    )  # fmt: skip


def test_the_evaluator_cannot_change_anything(client, evaluator, history):
    client.force_login(evaluator)
    cases_before = list(Case.objects.order_by("pk").values_list("pk", "status", "visits"))
    audit_before = AuditEvent.objects.count()
    for url in (DASH, reverse("workbench:insights_drill", args=["zero_visit"]),
                reverse("workbench:insights_export", args=["indicators.csv"])):  # fmt: skip
        assert client.post(url, {"since": "2026-03-01"}).status_code == 405
    item = ServiceItem.objects.get(code="A")
    response = client.post(reverse("admin:catalog_serviceitem_change", args=[item.pk]), {"name": "改名"})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert client.post(reverse("admin:catalog_serviceitem_add"), {"code": "Z"}).status_code in (302, 403)
    case = history["cases"]["c6"]
    response = client.post(reverse("workbench:case_action", args=[case.pk, "accept"]))
    assert response.status_code in (302, 403, 404, 405)
    item.refresh_from_db()
    assert item.name == "事项甲"
    assert list(Case.objects.order_by("pk").values_list("pk", "status", "visits")) == cases_before
    assert AuditEvent.objects.count() == audit_before


def test_an_analyst_who_also_handles_cases_sees_their_department_too(client, analyst_nb, history):
    staff_role_grant(actor="t", user=analyst_nb, department=history["departments"]["ga"], role="officer")
    url = reverse("workbench:insights_drill", args=["zero_visit"]) + f"?{MARCH}"
    page = _get(client, analyst_nb, url).content.decode()
    assert "N-7<" in page  # their region (宁波)
    assert "N-3<" in page and "N-4<" in page  # 公安局 (杭州), where they are an officer
    assert "N-1<" not in page  # 市场监管 of 杭州: neither
