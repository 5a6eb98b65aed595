import io
import json

import pytest
from openpyxl import load_workbook

from onevisit.catalog import transfer
from onevisit.catalog.models import ItemVersion, ServiceItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_items(make_item):
    return make_item(code="T-1", name="企业设立登记"), make_item(
        code="T-2", name="食品经营许可", keywords="开饭店"
    )


def _wb(data: bytes):
    return load_workbook(io.BytesIO(data))


def _to_bytes(book) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_json_round_trip_changes_nothing(two_items):
    data = transfer.export_json()
    report = transfer.catalog_import(actor="t", catalog=transfer.parse_json(data))
    assert sorted(report.unchanged) == ["T-1", "T-2"] and not report.created and not report.updated


def test_xlsx_round_trip_changes_nothing(two_items):
    data = transfer.export_xlsx()
    report = transfer.catalog_import(actor="t", catalog=transfer.parse_xlsx(data))
    assert sorted(report.unchanged) == ["T-1", "T-2"]


def test_xlsx_edit_creates_a_new_published_version(two_items):
    book = _wb(transfer.export_xlsx())
    sheet = book["事项"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("承诺时限") + 1, value=2)
    report = transfer.catalog_import(actor="t", catalog=transfer.parse_xlsx(_to_bytes(book)))
    assert report.updated == ["T-1"]
    item = ServiceItem.objects.get(code="T-1")
    assert item.current_version.number == 2 and item.current_version.promised_limit_days == 2
    assert ItemVersion.objects.get(item=item, number=1).state == "superseded"
    assert list(item.current_version.materials.values_list("code", flat=True)) == ["applicant-id", "lease"]


def test_json_import_creates_new_items(two_items):
    payload = json.loads(transfer.export_json())
    payload["items"][0]["code"] = "T-9"
    report = transfer.catalog_import(actor="t", catalog=transfer.parse_json(json.dumps(payload).encode()))
    assert report.created == ["T-9"]
    assert ServiceItem.objects.get(code="T-9").current_version.state == "published"


def _rejected(catalog) -> list[str]:
    before = (ServiceItem.objects.count(), ItemVersion.objects.count())
    with pytest.raises(transfer.ImportRejected) as info:
        transfer.catalog_import(actor="t", catalog=catalog)
    assert (ServiceItem.objects.count(), ItemVersion.objects.count()) == before
    return info.value.problems


def test_duplicate_codes_and_unknown_references_are_refused(two_items):
    catalog = transfer.parse_json(transfer.export_json())
    records = catalog.items
    records[1]["code"] = "T-1"
    records[0]["department"] = "NOPE"
    records[0]["life_events"] = ["martian"]
    problems = _rejected(catalog)
    assert any("twice" in p or "两次" in p for p in problems)
    assert any("NOPE" in p for p in problems)
    assert any("martian" in p for p in problems)


def test_a_bad_process_anywhere_refuses_the_whole_file(two_items):
    catalog = transfer.parse_json(transfer.export_json())
    records = catalog.items
    records[0]["code"] = "T-NEW"
    records[1]["process"] = "<not-bpmn/>"
    records[1]["promised_limit_days"] = 2
    problems = _rejected(catalog)
    assert problems and not ServiceItem.objects.filter(code="T-NEW").exists()
    assert ServiceItem.objects.get(code="T-2").current_version.number == 1


def test_wrong_columns_are_named(two_items):
    book = _wb(transfer.export_xlsx())
    book["事项"].cell(row=1, column=2, value="名字")
    with pytest.raises(transfer.ImportRejected) as info:
        transfer.parse_xlsx(_to_bytes(book))
    assert "事项名称" in info.value.problems[0] and "名字" in info.value.problems[0]


def test_not_a_workbook_or_not_our_json():
    with pytest.raises(transfer.ImportRejected):
        transfer.parse_xlsx(b"PK\x03\x04 garbage")
    with pytest.raises(transfer.ImportRejected):
        transfer.parse_json(b'{"items": []}')
    with pytest.raises(transfer.ImportRejected):
        transfer.parse_json(b"\xff\xfe")


def test_non_numeric_limit_is_reported_with_its_cell(two_items):
    book = _wb(transfer.export_xlsx())
    header = [c.value for c in book["事项"][1]]
    book["事项"].cell(row=3, column=header.index("法定时限") + 1, value="二十天")
    with pytest.raises(transfer.ImportRejected) as info:
        transfer.parse_xlsx(_to_bytes(book))
    assert "事项 3 法定时限" in info.value.problems[0]


@pytest.fixture
def power(departments):
    from onevisit.catalog.models import Power, Responsibility

    p = Power.objects.create(
        code="P-1",
        name="企业登记",
        kind="licensing",
        department=departments["scjg"],
        legal_basis="条例第三条",
    )
    Responsibility.objects.create(power=p, duty="受理责任", accountability="许可法第七十二条", order=0)
    return p


def test_powers_and_responsibilities_travel_in_both_formats(power, two_items):
    from onevisit.catalog.models import Power

    for data, parse in (
        (transfer.export_json(), transfer.parse_json),
        (transfer.export_xlsx(), transfer.parse_xlsx),
    ):
        catalog = parse(data)
        assert [p["code"] for p in catalog.powers] == ["P-1"]
        assert catalog.powers[0]["responsibilities"][0]["duty"] == "受理责任"
        report = transfer.catalog_import(actor="t", catalog=catalog)
        assert report.powers_written == []
    book = _wb(transfer.export_xlsx())
    book["责任"].append(["P-1", 2, "送达责任", "许可法第七十四条"])
    book["权力"].append(["P-2", "食品经营许可", "licensing", "330100-SCJG", "食品安全法第三十五条", "是"])
    report = transfer.catalog_import(actor="t", catalog=transfer.parse_xlsx(_to_bytes(book)))
    assert report.powers_written == ["P-1", "P-2"]
    assert list(Power.objects.get(code="P-1").responsibilities.values_list("duty", flat=True)) == [
        "受理责任",
        "送达责任",
    ]


def test_a_bad_power_refuses_the_whole_file(power, two_items):
    from onevisit.catalog.models import Power

    catalog = transfer.parse_json(transfer.export_json())
    catalog.powers[0]["kind"] = "tyranny"
    catalog.powers.append(
        {"code": "P-1", "name": "", "kind": "licensing", "department": "GHOST", "_row": "powers[2]"}
    )
    catalog.items[0]["power"] = "P-404"
    problems = _rejected(catalog)
    assert any("tyranny" in p for p in problems) and any("GHOST" in p for p in problems)
    assert any("P-404" in p for p in problems)
    assert Power.objects.get(code="P-1").kind == "licensing"


def test_items_may_refer_to_powers_of_the_same_file(power, two_items):
    catalog = transfer.parse_json(transfer.export_json())
    catalog.powers.append({"code": "P-9", "name": "新权力", "kind": "other", "department": "330100-SCJG"})
    catalog.items[0]["power"] = "P-9"
    report = transfer.catalog_import(actor="t", catalog=catalog)
    assert report.updated == ["T-1"] and report.powers_written == ["P-9"]
