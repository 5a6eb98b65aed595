"""Shared pieces of the applying and case-page tests: an item with a two-page form, a signed-in
applicant, and helpers that walk the pages as a browser would."""

from __future__ import annotations

import re
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onevisit.cases.models import Case

BACKEND = "onevisit.identity.auth.PhonePasswordBackend"
CODE = "330100-SCJG-009"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["name", "id_number", "phone", "employees", "delivery"],
    "properties": {
        "name": {"type": "string", "title": "姓名", "maxLength": 30, "x-data-element": "applicant.name"},
        "id_number": {
            "type": "string",
            "title": "身份证号",
            "pattern": "^[0-9]{17}[0-9Xx]$",
            "x-data-element": "applicant.id_number",
        },
        "phone": {"type": "string", "title": "联系电话", "x-data-element": "applicant.phone"},
        "employees": {
            "type": "integer",
            "title": "从业人数",
            "minimum": 1,
            "x-data-element": "business.employees",
        },
        "delivery": {
            "type": "string",
            "title": "领取方式",
            "enum": ["邮寄", "窗口领取"],
            "x-data-element": "delivery.method",
        },
        "note": {"type": "string", "title": "备注", "maxLength": 100, "x-data-element": "case.note"},
    },
    "x-steps": [
        {"title": "申请人信息", "fields": ["name", "id_number", "phone"]},
        {"title": "经营信息", "fields": ["employees", "delivery", "note"]},
    ],
}


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account.user, backend=BACKEND)
    return client


def pdf(name: str = "租赁合同.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def start(client: Client) -> str:
    """Press 开始 on the start page; the URL of the first question page."""
    response = client.post(f"/items/{CODE}/apply/")
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def base(case: Case) -> str:
    return f"/items/{CODE}/apply/{case.pk}"


def fill_and_submit(client: Client) -> Case:
    """The whole journey, through every page; the filed case."""
    first = start(client)
    case = Case.objects.latest("pk")
    assert first == f"{base(case)}/step/1/"
    assert (
        client.post(first, {"name": "林爱丽", "id_number": "330106199002153619", "phone": "13900000001"})[
            "Location"
        ]
        == f"{base(case)}/step/2/"
    )
    response = client.post(f"{base(case)}/step/2/", {"employees": "3", "delivery": "邮寄", "note": ""})
    assert response["Location"] == f"{base(case)}/materials/"
    lease = case.item_version.materials.get(code="lease")
    response = client.post(f"{base(case)}/materials/", {f"m-{lease.pk}": pdf()})
    assert response["Location"] == f"{base(case)}/check/", response.content.decode()[:800]
    key = idempotency_key(client.get(f"{base(case)}/check/").content.decode())
    response = client.post(f"{base(case)}/submit/", {"idempotency_key": key})
    assert response["Location"] == f"{base(case)}/done/"
    case.refresh_from_db()
    return case


def idempotency_key(page: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page)
    assert match, "no idempotency key on the check page"
    uuid.UUID(match.group(1))
    return match.group(1)
