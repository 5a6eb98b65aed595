"""Application forms generated from an item's JSON Schema: steps, and validation with plain messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

MAX_TEXT = 2000


@dataclass
class Field:
    name: str
    title: str
    kind: str  # text, number, integer, boolean, date, choice
    required: bool
    schema: dict[str, Any]

    @property
    def choices(self) -> list[Any]:
        return list(self.schema.get("enum") or [])

    @property
    def max_length(self) -> int:
        return int(self.schema.get("maxLength") or MAX_TEXT)

    @property
    def read_only(self) -> bool:
        """Filled by the platform from trusted data (秒填); never taken from what someone typed."""
        return bool(self.schema.get("readOnly"))


SENSITIVE_SUFFIXES = (".id_number", ".uscc", ".phone", ".bank_account")


def is_sensitive(field: Field) -> bool:
    """Personal identifiers, masked on screen (3301**********1234) wherever staff read a form."""
    return str(field.schema.get("x-data-element", "")).endswith(SENSITIVE_SUFFIXES)


def display_value(field: Field, value: Any) -> Any:
    from onevisit.core.crypto import mask

    if value is None or value == "":
        return ""
    if isinstance(value, bool):  # 是/否, not True/False (and False is not "nothing given")
        return _("Yes") if value else _("No")
    return mask(str(value), 4, 4) if is_sensitive(field) else value


def fields_of(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required") or [])
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        kind = {"number": "number", "integer": "integer", "boolean": "boolean"}.get(prop.get("type"), "text")
        if prop.get("enum"):
            kind = "choice"
        elif prop.get("format") == "date":
            kind = "date"
        out.append(Field(name, prop.get("title") or name, kind, name in required, prop))
    return out


def steps_of(schema: dict[str, Any]) -> list[tuple[str, list[Field]]]:
    """The form's pages: its ``x-steps`` or one page with every field."""
    by_name = {f.name: f for f in fields_of(schema)}
    steps = [
        (s.get("title", ""), [by_name[n] for n in s.get("fields", []) if n in by_name])
        for s in schema.get("x-steps") or []
    ]
    listed = {f.name for _, fields in steps for f in fields}
    rest = [f for f in by_name.values() if f.name not in listed]
    if rest:
        steps.append((_("Application details"), rest))
    return [(title, fields) for title, fields in steps if fields]


def coerce(schema: dict[str, Any], raw: dict[str, str]) -> dict[str, Any]:
    """Turn submitted strings into the schema's types; what cannot be turned is kept for validation to name."""
    data: dict[str, Any] = {}
    for field in fields_of(schema):
        if field.name not in raw or field.read_only:
            continue
        value = raw[field.name]
        text = value.strip() if isinstance(value, str) else value
        if text in ("", None):
            continue
        if field.kind == "boolean":
            data[field.name] = text in (True, "true", "on", "1", "是")
        elif field.kind in ("number", "integer") and isinstance(text, str):
            try:
                data[field.name] = int(text) if field.kind == "integer" else float(text)
            except ValueError:
                data[field.name] = text
        else:
            data[field.name] = text
    return data


def validate(schema: dict[str, Any], data: dict[str, Any], only: list[str] | None = None) -> dict[str, str]:
    """Field name → one message saying how to fix it ("请输入18位身份证号码", not "格式错误")."""
    titles = {f.name: f.title for f in fields_of(schema)}
    read_only = {f.name for f in fields_of(schema) if f.read_only}
    errors: dict[str, str] = {}
    for name in data:
        if name not in titles:
            errors[name] = _("This form has no field “%(name)s”.") % {"name": name[:40]}
    for error in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(data):
        if error.validator == "required":
            name = error.message.split("'")[1] if "'" in error.message else ""
            if name in read_only:
                continue  # the platform fills it or the rules see it missing; nobody can type it
        else:
            name = str(error.path[0]) if error.path else ""
        if not name or name in errors or (only is not None and name not in only):
            continue
        errors[name] = _message(error.validator, titles.get(name, name), error.validator_value)
    for name, value in data.items():
        if isinstance(value, str) and len(value) > MAX_TEXT and name not in errors:
            errors[name] = _("%(title)s may be at most %(n)d characters.") % {
                "title": titles.get(name, name),
                "n": MAX_TEXT,
            }
    return errors


def _message(validator: str, title: str, expected: Any) -> str:
    if validator == "required":
        return _("Enter %(title)s.") % {"title": title}
    if validator == "maxLength":
        return _("%(title)s may be at most %(n)d characters.") % {"title": title, "n": expected}
    if validator == "minLength":
        return _("%(title)s needs at least %(n)d characters.") % {"title": title, "n": expected}
    if validator == "pattern" and "[0-9]{17}" in str(expected):
        return _("Enter an 18-character resident ID number for %(title)s.") % {"title": title}
    if validator == "pattern":
        return _("Check the format of %(title)s.") % {"title": title}
    if validator == "format":
        return _("Enter %(title)s as a date, e.g. %(example)s.") % {
            "title": title,
            "example": dt.date.today().isoformat(),
        }
    if validator == "enum":
        return _("Choose one of the options for %(title)s.") % {"title": title}
    if validator in ("minimum", "exclusiveMinimum"):
        return _("%(title)s must be at least %(n)s.") % {"title": title, "n": expected}
    if validator in ("maximum", "exclusiveMaximum"):
        return _("%(title)s must be at most %(n)s.") % {"title": title, "n": expected}
    if validator == "type":
        return (
            _("Enter %(title)s as a number.") % {"title": title}
            if expected in ("number", "integer")
            else _("Check %(title)s.") % {"title": title}
        )
    return _("Check %(title)s.") % {"title": title}


def fits(field: Field, value: Any) -> bool:
    """Whether a value from elsewhere (a registry, the identity record) can stand in the field."""
    if field.kind == "boolean":
        return isinstance(value, bool)
    if field.kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if field.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field.kind == "choice":
        return value in field.choices
    return isinstance(value, str) and len(value) <= field.max_length
