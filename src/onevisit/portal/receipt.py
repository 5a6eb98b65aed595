"""受理回执 / 申请回执: a one-page PDF the applicant keeps, with a QR code that opens the case's page.

The fonts and the QR code come from ``onevisit.core.pdf``.
"""

from __future__ import annotations

import io
from html import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from onevisit.cases.models import Case, SuppliedMaterial
from onevisit.core.pdf import fonts, qr_image

from .templatetags.portal_dates import long_date, long_datetime


def _applicant(case: Case) -> str:
    if case.applicant_org is not None:
        line = f"{case.applicant_org.name}（{case.applicant_org.uscc_masked}）"
        if case.agent is not None:
            line += _("; agent: %(name)s") % {"name": case.agent.name}
        return line
    person = case.applicant_person
    assert person is not None
    return f"{person.name}（{person.id_number_masked}）"


def _materials(case: Case) -> list[str]:
    supplied = {m.requirement_id: m for m in case.materials.all()}
    lines = []
    for requirement in case.item_version.materials.all():
        material = supplied.get(requirement.pk)
        if material is not None and material.source == SuppliedMaterial.Source.UPLOAD:
            lines.append(_("%(name)s — uploaded file received") % {"name": requirement.name})
        elif material is not None:
            lines.append(f"{requirement.name} — {material.get_source_display()}")
        elif requirement.skippable:
            lines.append(_("%(name)s — no need to supply (obtained from data)") % {"name": requirement.name})
    return lines


def receipt_pdf(case: Case, *, tracking_url: str) -> bytes:
    """The receipt of a submitted case (its title says whether it is accepted yet)."""
    regular, bold = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=26, alignment=1)
    label = ParagraphStyle("label", parent=base, fontName=bold)
    accepted = case.accepted_on is not None
    heading = _("Acceptance receipt") if accepted else _("Application receipt")
    promised = long_date(case.promised_due) if accepted else _("Set when the application is accepted")
    rows = [
        (_("Case number"), case.number or ""),
        (_("Service"), f"{case.item_version.name}（{case.item_version.item.code}）"),
        (_("Department"), case.department.full_name),
        (_("Applicant"), _applicant(case)),
        (_("Submitted at"), long_datetime(case.submitted_at)),
        (_("Accepted on"), long_date(case.accepted_on) if accepted else _("Not accepted yet")),
        (_("Promised by"), promised),
    ]
    cells = [[Paragraph(escape(k), label), Paragraph(escape(str(v)), base)] for k, v in rows]
    received = "<br/>".join(escape(line) for line in _materials(case)) or escape(_("None"))
    cells.append([Paragraph(escape(_("Materials received")), label), Paragraph(received, base)])
    table = Table(
        cells,
        colWidths=[32 * mm, 138 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8b96a3")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f5f8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    qr = Table(
        [
            [
                qr_image(tracking_url),
                Paragraph(
                    escape(_("Scan to follow this case online:")) + "<br/>" + escape(tracking_url), base
                ),
            ]
        ],
        colWidths=[40 * mm, 130 * mm],
    )
    qr.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story: list[Flowable] = [
        Paragraph(heading, title),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 8 * mm),
        qr,
        Spacer(1, 6 * mm),
        Paragraph(
            _("Keep this receipt. You will be told by text message at every step of the handling."), base
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{heading} {case.number}",
        author=case.department.full_name,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    document.build(story)
    return buffer.getvalue()
