"""Uploaded materials: the type is read from the content, never from the name or the browser's word."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]


@dataclass
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str
    name: str


def clean_name(name: str) -> str:
    """A display name without paths, control characters or markup; at most 80 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in ("C",) and ch not in '<>:"|?*')
    return base.strip(" .")[:80] or "file"


def check_upload(stream: IO[bytes], name: str, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedFile:
    content = stream.read(max_bytes + 1)
    if not content:
        raise ValidationError(_("The file is empty. Choose the scanned or photographed material again."))
    if len(content) > max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)d MB. Scan it at a lower resolution.")
            % {"mb": max_bytes // (1024 * 1024)}
        )
    kind = next(((t, e) for magic, t, e in SIGNATURES if content.startswith(magic)), None)
    if kind is None:
        raise ValidationError(
            _("Upload a PDF, JPEG or PNG file; this file is none of them, whatever its name says.")
        )
    content_type, extension = kind
    if content_type == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise ValidationError(_("The PDF file is damaged or incomplete. Save it again and upload it."))
    if content_type == "image/png" and b"IEND" not in content[-64:]:
        raise ValidationError(_("The image is damaged or incomplete. Take the photo again and upload it."))
    return CheckedFile(
        content, content_type, extension, hashlib.sha256(content).hexdigest(), clean_name(name)
    )
