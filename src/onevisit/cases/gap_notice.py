"""容缺受理告知书: the notice of a case accepted with missing materials — each material, its form,
its deadline and what happens if it is not supplied — as data for the page and as a PDF.

The PDF uses the building blocks of ``documents``; page and PDF say the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer
from reportlab.platypus.flowables import Flowable

from . import tolerance
from .documents import addressee, build_pdf, facts_table, qr_block, styles
from .models import Case, CaseGap, Commitment


@dataclass
class GapNotice:
    case: Case
    gaps: list[CaseGap]
    commitment: Commitment | None

    @property
    def title(self) -> str:
        return _("Notice of acceptance with missing materials")

    @property
    def deadline_rule(self) -> str:
        return _(
            "Each material must be supplied online within %(days)d working days of acceptance, and never later than the promised time limit."
        ) % {"days": tolerance.max_days(self.case)}  # fmt: skip

    @property
    def consequence(self) -> str:
        return _(
            "If a material is not supplied by its deadline, the case is terminated and you are told why; a certificate issued provisionally on this application is revoked."
        )  # fmt: skip


def gap_notice(case: Case) -> GapNotice | None:
    gaps = list(case.gaps.select_related("requirement").order_by("requirement__order", "pk"))
    if not gaps:
        return None
    commitment = case.commitments.filter(kind=Commitment.Kind.TOLERANCE).order_by("-signed_at").first()
    return GapNotice(case=case, gaps=gaps, commitment=commitment)


def _deadline(gap: CaseGap) -> str:
    if gap.deadline is None:
        return _("Set at acceptance")
    return f"{gap.deadline:%Y年%m月%d日}"


def gap_notice_pdf(notice: GapNotice, *, tracking_url: str) -> bytes:
    style = styles()
    case = notice.case
    story: list[Flowable] = [
        Paragraph(escape(case.department.full_name), style["center"]),
        Paragraph(escape(notice.title), style["title"]),
        Paragraph(escape(_("Case number %(number)s") % {"number": case.number or ""}), style["center"]),
        Spacer(1, 6 * mm),
        Paragraph(escape(addressee(case)), style["base"]),
        Spacer(1, 2 * mm),
        Paragraph(
            escape(
                _("Your application for %(service)s is accepted although these materials are missing:")
                % {"service": case.item_version.name}
            ),
            style["base"],
        ),
        Spacer(1, 3 * mm),
    ]
    for n, gap in enumerate(notice.gaps, start=1):
        status = _("Supplied") if not gap.is_open else _("To supply")
        rows = [
            (_("Material"), escape(f"{n}. {gap.requirement.name}")),
            (_("Form of the material"), escape(gap.requirement.get_form_display())),
            (_("Deadline"), escape(_deadline(gap))),
            (_("Status"), escape(status)),
        ]
        story += [facts_table(rows, style=style), Spacer(1, 3 * mm)]
    story += [
        Paragraph(escape(notice.deadline_rule), style["base"]),
        Spacer(1, 2 * mm),
        Paragraph(escape(notice.consequence), style["label"]),
    ]
    if notice.commitment is not None:
        story += [
            Spacer(1, 4 * mm),
            Paragraph(
                escape(
                    _("Commitment signed by %(name)s; SHA-256 of its text: %(hash)s")
                    % {"name": notice.commitment.signed_by.name, "hash": notice.commitment.sha256}
                ),
                style["small"],
            ),
        ]
    story += [Spacer(1, 6 * mm), qr_block(tracking_url, style=style)]
    return build_pdf(story, title=f"{notice.title} {case.number}", author=case.department.full_name)
