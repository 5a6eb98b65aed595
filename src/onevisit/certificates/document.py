"""The certificate as a one-page A4 PDF (before signing): title, number, holder, the type's fields,
validity, the issuing department with a drawn seal, and a QR code to the verification page.

Certificates are official documents in Chinese, so the PDF is always Chinese whatever the language of
the page that caused it. The font and QR code come from ``onevisit.core.pdf``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from html import escape
from typing import Any

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onevisit.core.pdf import fonts, qr_image

from .models import Certificate

RED = colors.HexColor("#c8161d")
INK = colors.HexColor("#1d2733")
RULE = colors.HexColor("#8b96a3")
FRAME = colors.HexColor("#a8842c")


def chinese_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return str(value)


class Seal(Flowable):
    """A round red seal: the department's name along the rim, a star, and 电子证照专用章."""

    def __init__(self, name: str, *, size: float = 42 * mm) -> None:
        super().__init__()
        self.name = name
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        regular, bold = fonts()
        c: Canvas = self.canv
        r = self.size / 2
        c.saveState()
        c.translate(r, r)
        c.setStrokeColor(RED)
        c.setFillColor(RED)
        c.setLineWidth(1.6)
        c.circle(0, 0, r - 1, stroke=1, fill=0)
        self._star(c, 0, 0, r * 0.22)
        text = self.name[:20]
        sweep = min(210.0, 24.0 * len(text))
        # Characters sit on a circle inside the rim; their size follows the arc each one gets.
        font_size = min(r * 0.26, 0.72 * math.radians(sweep) * (r * 0.7) / max(len(text), 1))
        step = sweep / max(len(text) - 1, 1)
        start = 90 + sweep / 2 if len(text) > 1 else 90
        c.setFont(bold, font_size)
        for i, char in enumerate(text):
            angle = start - i * step
            c.saveState()
            c.rotate(angle - 90)
            c.drawCentredString(0, r - 3.5 - font_size, char)
            c.restoreState()
        c.setFont(regular, r * 0.15)
        c.drawCentredString(0, -r * 0.6, "电子证照专用章")
        c.restoreState()

    @staticmethod
    def _star(c: Canvas, x: float, y: float, radius: float) -> None:
        path = c.beginPath()
        for i in range(10):
            reach = radius if i % 2 == 0 else radius * 0.4
            angle = math.pi / 2 + i * math.pi / 5
            point = (x + reach * math.cos(angle), y + reach * math.sin(angle))
            if i == 0:
                path.moveTo(*point)
            else:
                path.lineTo(*point)
        path.close()
        c.drawPath(path, stroke=0, fill=1)


def _frame(canvas: Canvas, _document: Any) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setStrokeColor(FRAME)
    canvas.setLineWidth(2.2)
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(12.5 * mm, 12.5 * mm, width - 25 * mm, height - 25 * mm)
    canvas.restoreState()


def _provisional_watermark(canvas: Canvas, document: Any) -> None:
    _frame(canvas, document)
    regular, _bold = fonts()
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.78, 0.09, 0.11, alpha=0.10))
    canvas.setFont(regular, 64)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, 0, "临时证照")
    canvas.restoreState()


def holder_line(certificate: Certificate) -> str:
    if certificate.holder_org is not None:
        return certificate.holder_org.name
    person = certificate.holder_person
    return person.name if person is not None else ""


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """The unsigned PDF of ``certificate`` (its number, data, issuer and validity must be set)."""
    regular, bold = fonts()
    ctype = certificate.type
    base = ParagraphStyle("base", fontName=regular, fontSize=11, leading=17, wordWrap="CJK", textColor=INK)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12.5)
    label = ParagraphStyle("label", parent=base, fontName=bold)
    title = ParagraphStyle("title", parent=base, fontName=bold, fontSize=30, leading=40, alignment=1)
    subtitle = ParagraphStyle("subtitle", parent=base, fontSize=10, leading=14, alignment=1, textColor=RULE)
    number = ParagraphStyle("number", parent=base, fontSize=11, alignment=1)
    banner = ParagraphStyle("banner", parent=base, fontName=bold, textColor=colors.white, alignment=1)

    story: list[Flowable] = []
    if certificate.provisional:
        strip = Table(
            [[Paragraph("临时证照：容缺受理，待补齐材料后换发正式证照", banner)]], colWidths=[170 * mm]
        )
        strip.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), RED)]))
        story += [strip, Spacer(1, 4 * mm)]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(escape(ctype.title), title),
        Paragraph(escape(f"电子证照 · {ctype.name_en}" if ctype.name_en else "电子证照"), subtitle),
        Spacer(1, 4 * mm),
        Paragraph(escape(f"证照编号：{certificate.number}"), number),
        Spacer(1, 7 * mm),
    ]
    validity = (
        f"{chinese_date(certificate.valid_from)} 至 {chinese_date(certificate.valid_until)}"
        if certificate.valid_until
        else f"自 {chinese_date(certificate.valid_from)} 起长期有效"
    )
    rows: list[tuple[str, str]] = [("持证主体", holder_line(certificate))]
    rows += [(str(f["label"]), value_text(certificate.data.get(f["key"]))) for f in ctype.fields]
    rows.append(("有效期限", validity))
    table = Table(
        [[Paragraph(escape(k), label), Paragraph(escape(v).replace("\n", "<br/>"), base)] for k, v in rows],
        colWidths=[46 * mm, 124 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story += [table, Spacer(1, 10 * mm)]
    issuer = certificate.issuer.full_name
    verify = Paragraph(
        escape("扫码核验真伪，或在核验页面输入证照编号：") + "<br/>" + escape(verify_url), small
    )
    signed = Paragraph(
        "<br/>".join(
            escape(line) for line in ("发证机关：", issuer, "发证日期：", chinese_date(certificate.issued_at))
        ),
        base,
    )
    bottom = Table(
        [[qr_image(verify_url, size_mm=30), verify, signed, Seal(issuer, size=38 * mm)]],
        colWidths=[32 * mm, 46 * mm, 52 * mm, 40 * mm],
    )
    bottom.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [
        bottom,
        Spacer(1, 8 * mm),
        Paragraph(
            escape(
                "本证照为电子证照，由发证机关以数字证书签名（PAdES）并附 SM2 国密签名；"
                "任何改动都会使签名失效。请以核验页面显示的状态为准。"
            ),
            small,
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{ctype.title} {certificate.number}",
        author=issuer,
        subject="电子证照",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
    )
    page = _provisional_watermark if certificate.provisional else _frame
    document.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
