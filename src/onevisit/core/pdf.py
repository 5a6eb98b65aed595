"""Shared pieces of the PDFs onevisit prints (receipts, notices, certificates).

ReportLab embeds (a subset of) Noto Sans SC, a TrueType font copied from npm by
``scripts/build-assets.mjs`` into ``core/fonts/`` (not served as a static file).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import segno
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "NotoSansSC", "NotoSansSC-Bold"


@functools.cache
def fonts() -> tuple[str, str]:
    """Register the fonts once per process (reading them costs about a second); return their names."""
    for name, file in ((REGULAR, "NotoSansSC-Regular.ttf"), (BOLD, "NotoSansSC-Bold.ttf")):
        path = FONT_DIR / file
        if not path.exists():
            raise ImproperlyConfigured(
                f"{path} is missing: run `node scripts/build-assets.mjs` (part of scripts/setup.sh)."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return REGULAR, BOLD


def qr_image(url: str, *, size_mm: float = 34) -> Image:
    """A QR code of ``url`` as a ReportLab flowable."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return Image(buffer, width=size_mm * mm, height=size_mm * mm)
