"""What a screen may show of a certificate: identifiers masked, a person's name masked in public."""

from __future__ import annotations

import re
from typing import Any

from onevisit.core import crypto

from .document import value_text

ID_NUMBER = re.compile(r"^\d{17}[\dX]$", re.IGNORECASE)


def mask_identifier(value: str) -> str:
    """110105********1234 for a resident ID number; 9133**********7L style for other long codes."""
    value = value.strip()
    if ID_NUMBER.match(value):
        return crypto.mask(value, 6, 4)
    if len(value) > 10:
        return crypto.mask(value, 4, 4)
    return crypto.mask(value, 1, 1)


def display_value(field: dict[str, Any], value: Any) -> str:
    text = value_text(value)
    if field.get("identifier") and text:
        return mask_identifier(text)
    return text


def mask_name(name: str) -> str:
    """张* / 欧阳** : the family name only (a person's name is not public)."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
