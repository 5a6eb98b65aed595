"""受理回执 / 申请回执: a one-page PDF the applicant keeps, with a QR code that opens the case's page.

The fonts, the QR code and the layout pieces come from ``onevisit.cases.documents`` (and through it
``onevisit.core.pdf``), shared with the counter's printed documents.
"""

from __future__ import annotations

from html import escape

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer
from reportlab.platypus.flowables import Flowable

from onevisit.cases.documents import (
    applicant_line,
    build_pdf,
    facts_table,
    lines,
    materials_received,
    qr_block,
    styles,
)
from onevisit.cases.models import Case

from .templatetags.portal_dates import long_date, long_datetime


def receipt_pdf(case: Case, *, tracking_url: str) -> bytes:
    """The receipt of a submitted case (its title says whether it is accepted yet)."""
    style = styles()
    accepted = case.accepted_on is not None
    heading = _("Acceptance receipt") if accepted else _("Application receipt")
    promised = long_date(case.promised_due) if accepted else _("Set when the application is accepted")
    rows = [
        (_("Case number"), case.number or ""),
        (_("Service"), f"{case.item_version.name}（{case.item_version.item.code}）"),
        (_("Department"), case.department.full_name),
        (_("Applicant"), applicant_line(case)),
        (_("Submitted at"), long_datetime(case.submitted_at)),
        (_("Accepted on"), long_date(case.accepted_on) if accepted else _("Not accepted yet")),
        (_("Promised by"), promised),
    ]
    table = facts_table(
        [(k, escape(str(v))) for k, v in rows] + [(_("Materials received"), lines(materials_received(case)))],
        style=style,
    )
    story: list[Flowable] = [
        Paragraph(heading, style["title"]),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 8 * mm),
        qr_block(tracking_url, style=style),
        Spacer(1, 6 * mm),
        Paragraph(
            _("Keep this receipt. You will be told by text message at every step of the handling."),
            style["base"],
        ),
    ]
    return build_pdf(story, title=f"{heading} {case.number}", author=case.department.full_name)
