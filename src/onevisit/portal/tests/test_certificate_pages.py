"""我的证照, the public verification page and share links, as pages: personas prove that nobody sees,
downloads or shares another's certificate; the public page shows no ID number; every form takes bad
input with a clear message and changes nothing."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from onevisit.certificates.models import Certificate, ShareLink, ShareUse
from onevisit.certificates.services import certificate_issue, certificate_revoke, share_create
from onevisit.demo.loader import load_certificate_types
from onevisit.identity.services import authorization_grant

from .applying import signed_in

pytestmark = pytest.mark.django_db

SENIOR = {
    "name": "林爱丽",
    "gender": "女",
    "birth_date": "1950年2月15日",
    "id_number": "330106199002153619",
    "residence": "浙江省杭州市西湖区北山街道",
}


@pytest.fixture
def card(alice, departments) -> Certificate:
    load_certificate_types()
    return certificate_issue(
        actor="t",
        type_code="senior_card",
        data=SENIOR,
        issuer=departments["ga"],
        case_number="C-1",
        holder_person=alice.person,
    )


@pytest.fixture
def licence(acme, departments) -> Certificate:
    load_certificate_types()
    data = {
        "uscc": "91330106MA2H7K3LXA",
        "name": "杭州西溪云栖科技有限公司",
        "entity_type": "有限责任公司",
        "legal_representative": "李娜",
        "registered_capital": "伍佰万元整",
        "established_on": "2021年4月16日",
        "business_term": "长期",
        "address": "杭州市西湖区",
        "business_scope": "技术服务",
    }
    return certificate_issue(
        actor="t",
        type_code="business_licence",
        data=data,
        issuer=departments["scjg"],
        case_number="C-2",
        holder_org=acme,
    )


def text(response) -> str:
    return response.content.decode()


# --- the wallet ------------------------------------------------------------------------------------


def test_the_wallet_needs_a_log_in(card):
    response = Client().get("/account/certificates/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert Client().get(f"/account/certificates/{card.number}/pdf/").status_code == 302


def test_the_wallet_lists_my_certificates_with_a_status_chip(alice, card):
    client = signed_in(alice)
    page = text(client.get("/account/certificates/"))
    assert "我的证照" in page and "老年人优待证" in page and card.number in page
    assert '<span class="chip chip-good">有效</span>' in page
    assert 'href="/account/certificates/"' in text(client.get("/"))  # in the header


def test_the_detail_page_masks_the_id_number(alice, card):
    page = text(signed_in(alice).get(f"/account/certificates/{card.number}/"))
    assert "330106********3619" in page and "330106199002153619" not in page
    assert "林爱丽" in page and "北山街道" in page


def test_the_holder_downloads_the_signed_pdf(alice, card):
    response = signed_in(alice).get(f"/account/certificates/{card.number}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{card.number}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_applicant_cannot_see_download_or_share_my_certificate(bob, card):
    client = signed_in(bob)
    assert card.number not in text(client.get("/account/certificates/"))
    for url in (
        f"/account/certificates/{card.number}/",
        f"/account/certificates/{card.number}/pdf/",
        f"/account/certificates/{card.number}/share/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/account/certificates/{card.number}/share/", {"purpose": "x", "days": 7}).status_code
        == 404
    )
    assert not ShareLink.objects.exists()


def test_another_applicant_cannot_stop_my_link(alice, bob, card):
    link, _token = share_create(actor_account=alice, certificate=card, purpose="入职", days=7)
    assert (
        signed_in(bob).post(f"/account/certificates/{card.number}/shares/{link.pk}/stop/").status_code == 404
    )
    link.refresh_from_db()
    assert link.revoked_at is None


def test_an_agent_sees_the_organizations_certificates_only_while_authorized(alice, bob, acme, licence):
    client = signed_in(alice)
    assert client.get(f"/account/certificates/{licence.number}/").status_code == 404
    authorization_grant(actor="t", grantor=acme, agent=alice.person, valid_from=timezone.localdate())
    page = text(client.get("/account/certificates/"))
    assert "杭州西溪云栖科技有限公司" in page and licence.number in page
    assert client.get(f"/account/certificates/{licence.number}/pdf/").status_code == 200
    assert licence.number not in text(signed_in(bob).get("/account/certificates/"))


def test_staff_users_are_not_applicants(card, django_user_model):
    staff = django_user_model.objects.create_user("officer", password="pw-123456!", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(f"/account/certificates/{card.number}/").status_code == 302


@pytest.mark.parametrize("number", ["<script>", "x" * 300, "330100LNYD2026000001X", "%00", "..%2F..%2F"])
def test_a_wrong_number_in_the_address_is_not_found(alice, card, number):
    assert signed_in(alice).get(f"/account/certificates/{number}/").status_code == 404


# --- sharing ------------------------------------------------------------------------------------------


def test_sharing_shows_the_link_once_and_the_holder_sees_each_use(alice, card):
    client = signed_in(alice)
    assert "这个链接用于什么" in text(client.get(f"/account/certificates/{card.number}/share/"))
    response = client.post(
        f"/account/certificates/{card.number}/share/",
        {"purpose": "办理银行开户", "recipient": "某银行", "days": "7"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#new-link")
    page = text(client.get(response["Location"]))
    url = re.search(r'value="(http://testserver/shared/[^"]+/)"', page).group(1)
    assert "办理银行开户" in page and "某银行" in page
    assert "http://testserver/shared/" not in text(
        client.get(f"/account/certificates/{card.number}/")
    )  # once
    third = Client(HTTP_USER_AGENT="BankBrowser/1.0", REMOTE_ADDR="198.51.100.23")
    shared = third.get(url.replace("http://testserver", ""))
    assert shared.status_code == 200 and "林爱丽" in text(shared) and "330106********3619" in text(shared)
    assert "330106199002153619" not in text(shared)
    assert shared["X-Robots-Tag"] == "noindex, nofollow"
    download = third.get(url.replace("http://testserver", "") + "pdf/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    page = text(client.get(f"/account/certificates/{card.number}/"))
    assert "198.51.100.0/24" in page and "BankBrowser/1.0" in page and "下载了 PDF" in page
    assert ShareUse.objects.count() == 2


def test_a_stopped_or_expired_link_says_why(alice, card):
    client = signed_in(alice)
    link, token = share_create(actor_account=alice, certificate=card, purpose="入职", days=7)
    response = client.post(f"/account/certificates/{card.number}/shares/{link.pk}/stop/")
    assert response.status_code == 302
    gone = Client().get(f"/shared/{token}/")
    assert gone.status_code == 410 and "持证人已停止" in text(gone)
    assert Client().get(f"/shared/{token}/pdf/").status_code == 410
    link2, token2 = share_create(actor_account=alice, certificate=card, purpose="入职", days=1)
    ShareLink.objects.filter(pk=link2.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = Client().get(f"/shared/{token2}/")
    assert expired.status_code == 410 and "已过期" in text(expired)
    unknown = Client().get("/shared/not-a-real-token/")
    assert unknown.status_code == 404 and "不存在" in text(unknown)
    assert not ShareUse.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purpose": "", "days": "7"}, "请说明链接的用途"),
        ({"purpose": "长" * 201, "days": "7"}, "最多 200 个字符"),
        ({"purpose": "入职", "recipient": "长" * 101, "days": "7"}, "最多 100 个字符"),
        ({"purpose": "入职", "days": ""}, "请选择链接可以打开多久"),
        ({"purpose": "入职", "days": "31"}, "请从列出的期限中选择"),
        ({"purpose": "入职", "days": "<script>"}, "请从列出的期限中选择"),
        ({"purpose": "入职"}, "请选择链接可以打开多久"),
    ],
)
def test_the_share_form_explains_bad_input_and_creates_nothing(alice, card, data, message):
    response = signed_in(alice).post(f"/account/certificates/{card.number}/share/", data)
    assert response.status_code == 400 and message in text(response)
    assert 'class="error-summary"' in text(response)
    assert not ShareLink.objects.exists()


def test_hostile_text_is_escaped_on_the_pages(alice, card):
    client = signed_in(alice)
    client.post(
        f"/account/certificates/{card.number}/share/", {"purpose": "<script>alert(1)</script>", "days": "1"}
    )
    page = text(client.get(f"/account/certificates/{card.number}/"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_revoked_certificate_cannot_be_shared_from_the_page(alice, card):
    certificate_revoke(actor="t", certificate=card, reason="错误签发")
    client = signed_in(alice)
    response = client.post(f"/account/certificates/{card.number}/share/", {"purpose": "入职", "days": "7"})
    assert response.status_code == 302 and not ShareLink.objects.exists()
    page = text(client.get(f"/account/certificates/{card.number}/"))
    assert "已注销" in page and "错误签发" in page


# --- public verification ------------------------------------------------------------------------------


def test_the_verify_page_shows_status_issuer_and_no_id_number(card):
    page = text(Client().get(f"/verify/{card.number}/"))
    assert "有效" in page and "杭州市公安局" in page and "老年人优待证" in page
    assert "林*" in page and "林爱丽" not in page
    assert "330106199002153619" not in page and "3619" not in page and "北山街道" not in page
    assert "电子签名" in page and "验证通过" in page


def test_the_verify_page_shows_an_organizations_public_fields(licence):
    page = text(Client().get(f"/verify/{licence.number}/"))
    assert "杭州西溪云栖科技有限公司" in page and "91330106MA2H7K3LXA" in page and "技术服务" in page


def test_the_verify_page_says_revoked_and_why(card):
    certificate_revoke(actor="t", certificate=card, reason="告知承诺不实")
    page = text(Client().get(f"/verify/{card.number}/"))
    assert "已注销" in page and "告知承诺不实" in page and "verdict-revoked" in page


def test_the_verify_page_says_superseded(alice, card, departments):
    certificate_issue(
        actor="t",
        type_code="senior_card",
        data={**SENIOR, "residence": "余杭区"},
        issuer=departments["ga"],
        case_number="C-9",
        holder_person=alice.person,
    )
    assert "已被新版本替代" in text(Client().get(f"/verify/{card.number}/"))


def test_the_verify_form_goes_to_the_result_of_a_typed_number(card):
    spaced = " ".join([card.number[:6], card.number[6:10].lower(), card.number[10:]])
    response = Client().get("/verify/", {"number": spaced})
    assert response.status_code == 302 and response["Location"] == f"/verify/{card.number}/"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "请输入证照编号"),
        ("x" * 61, "最多 60 个字符"),
        ("<script>alert(1)</script>", "6 位行政区划代码"),
        ("' OR '1'='1", "6 位行政区划代码"),
    ],
)
def test_the_verify_form_explains_a_malformed_number(card, number, message):
    response = Client().get("/verify/", {"number": number})
    assert response.status_code == 400 and message in text(response)
    assert "<script>alert(1)</script>" not in text(response)


def test_a_typo_is_caught_by_the_check_character(card):
    typo = card.number[:-2] + ("7" if card.number[-2] != "7" else "8") + card.number[-1]
    for response in (Client().get("/verify/", {"number": typo}), Client().get(f"/verify/{typo}/")):
        assert response.status_code == 400 and "校验码" in text(response)


def test_an_unknown_well_formed_number_is_not_found(card):
    from onevisit.certificates.numbers import number_make

    unknown = number_make(region_code="330100", abbreviation="LNYD", year=2020, sequence=99)
    response = Client().get(f"/verify/{unknown}/")
    assert response.status_code == 404 and "没有编号为" in text(response)


def test_pages_work_in_english(alice, card):
    client = signed_in(alice)
    client.cookies["onevisit_language"] = "en"
    page = text(client.get("/account/certificates/"))
    assert "My certificates" in page and "Senior citizen" in page and "Valid" in page
    page = text(Client(headers={"Cookie": "onevisit_language=en"}).get(f"/verify/{card.number}/"))
    assert "Certificate check" in page and "Resident ID" not in page
