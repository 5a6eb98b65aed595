import pytest

from onevisit.cases import forms

SCHEMA = {
    "type": "object",
    "required": ["name", "id_number", "start"],
    "properties": {
        "name": {"type": "string", "title": "姓名", "maxLength": 20, "x-data-element": "applicant.name"},
        "id_number": {
            "type": "string",
            "title": "身份证号",
            "pattern": "^[0-9]{17}[0-9Xx]$",
            "x-data-element": "applicant.id_number",
        },
        "start": {
            "type": "string",
            "format": "date",
            "title": "开业日期",
            "x-data-element": "business.start",
        },
        "staff": {"type": "integer", "title": "从业人数", "minimum": 1, "x-data-element": "business.staff"},
        "kind": {
            "type": "string",
            "enum": ["餐饮", "零售"],
            "title": "经营类别",
            "x-data-element": "business.kind",
        },
    },
    "x-steps": [
        {"title": "申请人", "fields": ["name", "id_number"]},
        {"title": "经营", "fields": ["start", "staff"]},
    ],
}


def test_steps_follow_x_steps_and_collect_the_rest():
    steps = forms.steps_of(SCHEMA)
    assert [(t, [f.name for f in fs]) for t, fs in steps][:2] == [
        ("申请人", ["name", "id_number"]),
        ("经营", ["start", "staff"]),
    ]
    assert [f.name for f in steps[2][1]] == ["kind"]


def test_coerce_turns_strings_into_schema_types():
    data = forms.coerce(SCHEMA, {"staff": "3", "name": "  张三 ", "kind": "", "unknown": "x"})
    assert data == {"staff": 3, "name": "张三"}
    assert forms.coerce(SCHEMA, {"staff": "三"}) == {"staff": "三"}


@pytest.mark.parametrize(
    ("data", "field", "needle"),
    [
        ({}, "name", "姓名"),
        ({"id_number": "12345"}, "id_number", "18"),
        ({"start": "26/11/2026"}, "start", "2026"),
        ({"staff": "三"}, "staff", "从业人数"),
        ({"staff": 0}, "staff", "1"),
        ({"kind": "赌场"}, "kind", "经营类别"),
        ({"name": "张" * 21}, "name", "20"),
        ({"name": "<script>", "hacker": "x"}, "hacker", "hacker"),
    ],
)
def test_each_error_says_how_to_fix_it(data, field, needle):
    errors = forms.validate(SCHEMA, data)
    assert field in errors and needle in errors[field], errors


def test_valid_data_has_no_errors():
    assert (
        forms.validate(
            SCHEMA,
            {
                "name": "张三",
                "id_number": "11010519491231002X",
                "start": "2026-12-01",
                "staff": 2,
                "kind": "餐饮",
            },
        )
        == {}
    )


def test_only_checks_a_step():
    assert forms.validate(SCHEMA, {"name": "张三"}, only=["name", "id_number"]) == {
        "id_number": forms.validate(SCHEMA, {})["id_number"]
    }


def test_identifiers_are_masked_for_display():
    fields = {f.name: f for f in forms.fields_of(SCHEMA)}
    assert forms.display_value(fields["id_number"], "11010519491231002X") == "1101**********002X"
    assert forms.display_value(fields["name"], "张三") == "张三"
    assert forms.display_value(fields["id_number"], None) == ""


def test_yes_and_no_are_shown_in_words():
    field = forms.Field("local", "本市户籍", "boolean", False, {"type": "boolean"})
    assert forms.display_value(field, True) == "是"
    assert forms.display_value(field, False) == "否"
