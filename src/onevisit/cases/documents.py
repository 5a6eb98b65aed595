"""The papers a case produces: the counter's 受理回执 (acceptance receipt), 补正材料一次性告知书 (Art. 32:
everything missing at once) and 不予受理通知书 (reasons and legal basis), as data for the printable
page and as PDF; and the PDF building blocks the applicant's receipt in the portal shares.

Fonts and QR codes come from ``onevisit.core.pdf``. The texts are the printable page's own msgids,
so the page and the PDF say the same thing in every language.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from html import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from onevisit.catalog.models import MaterialRequirement
from onevisit.core.pdf import fonts, qr_image

from .models import Case, CaseEvent, Decision, SuppliedMaterial

# Which timeline line each document confirms.
KINDS = {"receipt": "accepted", "notice": "correction_requested", "refusal": "decided_not_accepted"}
GRID = colors.HexColor("#8b96a3")
SOFT = colors.HexColor("#f3f5f8")
SEAL = colors.HexColor("#b3261e")


# ---- shared building blocks (also used by the portal's receipt) ----------------------------------


def styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=18, leading=26, alignment=TA_CENTER
        ),
        "label": ParagraphStyle("label", parent=base, fontName=bold),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#4a5461")
        ),
    }


def applicant_line(case: Case) -> str:
    """The applicant with the masked identifier; for an organisation, its 经办人 too."""
    if case.applicant_org is not None:
        line = f"{case.applicant_org.name}（{case.applicant_org.uscc_masked}）"
        if case.agent is not None:
            line += _("; agent: %(name)s") % {"name": case.agent.name}
        return line
    person = case.applicant_person
    assert person is not None
    return f"{person.name}（{person.id_number_masked}）"


def materials_received(case: Case) -> list[str]:
    """One line per material: supplied how, or not needed because the data is shared."""
    supplied = {m.requirement_id: m for m in case.materials.all()}
    lines = []
    for requirement in case.item_version.materials.all():
        material = supplied.get(requirement.pk)
        if material is not None and material.source == SuppliedMaterial.Source.UPLOAD:
            lines.append(_("%(name)s — uploaded file received") % {"name": requirement.name})
        elif material is not None and material.source in (
            SuppliedMaterial.Source.CERTIFICATE,
            SuppliedMaterial.Source.SHARED_DATA,
        ):
            lines.append(
                _("%(name)s — no need to supply (obtained from %(source)s)")
                % {
                    "name": requirement.name,
                    "source": material.original_name or material.get_source_display(),
                }
            )
        elif material is not None:
            lines.append(f"{requirement.name} — {material.get_source_display()}")
        elif requirement.skippable:
            lines.append(_("%(name)s — no need to supply (obtained from data)") % {"name": requirement.name})
    return lines


def facts_table(rows: list[tuple[str, str]], *, style: dict[str, ParagraphStyle]) -> Table:
    """A two-column table of label and value; values may hold <br/> from ``lines``."""
    cells = [
        [Paragraph(escape(label), style["label"]), Paragraph(value, style["base"])] for label, value in rows
    ]
    table = Table(cells, colWidths=[32 * mm, 138 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (0, -1), SOFT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def lines(values: list[str]) -> str:
    """Escaped lines for one table cell."""
    return "<br/>".join(escape(v) for v in values) or escape(_("None"))


def qr_block(url: str, *, style: dict[str, ParagraphStyle]) -> Table:
    text = escape(_("Scan to follow this case online:")) + "<br/>" + escape(url)
    block = Table([[qr_image(url), Paragraph(text, style["base"])]], colWidths=[40 * mm, 130 * mm])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return block


def build_pdf(story: list[Flowable], *, title: str, author: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=author,
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
    )  # fmt: skip
    document.build(story)
    return buffer.getvalue()


# ---- the counter's documents ------------------------------------------------------------------------


@dataclass
class CounterDocument:
    """What one counter document says; the printable page and the PDF are made from it."""

    case: Case
    kind: str  # one of KINDS
    event: CaseEvent
    missing: list[MaterialRequirement] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    decision: Decision | None = None
    supplied: list[SuppliedMaterial] = field(default_factory=list)

    @property
    def title(self) -> str:
        return {
            "receipt": _("Acceptance receipt"),
            "notice": _("Notice of everything missing"),
            "refusal": _("Notice of non-acceptance"),
        }[self.kind]

    @property
    def addressee(self) -> str:
        return addressee(self.case)


def counter_document(case: Case, kind: str) -> CounterDocument | None:
    """The document of ``kind`` for ``case``, from the latest timeline line it confirms; None when
    the case has no such line (a receipt for a case that was not accepted, for instance)."""
    if kind not in KINDS:
        return None
    event = case.events.filter(kind=KINDS[kind]).order_by("-at", "-pk").first()
    if event is None:
        return None
    document = CounterDocument(case=case, kind=kind, event=event)
    if kind == "notice":
        by_pk = {m.pk: m for m in case.item_version.materials.all()}
        document.missing = [by_pk[pk] for pk in event.data.get("missing", []) if pk in by_pk]
        document.other = [line for line in (event.data.get("note") or "").split("；") if line.strip()]
    elif kind == "refusal":
        document.decision = Decision.objects.filter(case=case).first()
    else:
        document.supplied = list(case.materials.select_related("requirement"))
    return document


def addressee(case: Case) -> str:
    """The salutation: the person, or the organisation and the person acting for it."""
    org = case.applicant_org
    if org is not None:
        agent = case.agent.name if case.agent is not None else ""
        return _("%(organization)s (USCC %(uscc)s), acting for it %(agent)s:") % {
            "organization": org.name, "uscc": org.uscc_masked, "agent": agent,
        }  # fmt: skip
    person = case.applicant_person
    assert person is not None
    return _("%(name)s (ID %(id)s):") % {"name": person.name, "id": person.id_number_masked}


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, "DATE_FORMAT")


class Seal(Flowable):
    """The place of the department's seal: a dashed circle with the department's name."""

    def __init__(self, text: str, *, style: ParagraphStyle, diameter: float = 38 * mm) -> None:
        super().__init__()
        self.text, self.style, self.diameter = text, style, diameter
        self.width = self.height = diameter

    def draw(self) -> None:
        canvas, r = self.canv, self.diameter / 2
        canvas.saveState()
        canvas.setStrokeColor(SEAL)
        canvas.setLineWidth(1.5)
        canvas.setDash(4, 3)
        canvas.circle(r, r, r - 1)
        canvas.restoreState()
        inner = self.diameter * 0.62  # well inside the circle, whatever the name's length
        style = ParagraphStyle(
            "seal", parent=self.style, alignment=TA_CENTER, textColor=SEAL, fontSize=8.5, leading=11
        )
        paragraph = Paragraph(escape(self.text), style)
        _w, h = paragraph.wrap(inner, inner)
        paragraph.drawOn(canvas, r - inner / 2, r - h / 2)


def _intro(doc: CounterDocument) -> str:
    case = doc.case
    values = {
        "date": _date(case.submitted_at),
        "service": case.item_version.name,
        "center": case.center.name if case.center else "",
    }
    if doc.kind == "notice":
        return (
            _(
                "On %(date)s you applied at %(center)s for “%(service)s”. The application is incomplete or not "
                "in the legal form. Under Article 32 of the Administrative Licensing Law (《行政许可法》第三十二条) "
                "we tell you, at once, everything you must supply or correct:"
            )
            % values
        )
    if doc.kind == "refusal":
        return (
            _(
                "On %(date)s you applied at %(center)s for “%(service)s”. After examination the application is "
                "not accepted."
            )
            % values
        )
    values["date"] = _date(case.accepted_on)
    return (
        _(
            "Your application for “%(service)s”, taken in at %(center)s, is complete and in the legal form, "
            "and was accepted on %(date)s under Article 32 of the Administrative Licensing Law "
            "(《行政许可法》第三十二条)."
        )
        % values
    )


def _bold(text: str) -> str:
    """Bold in Paragraph markup (<b> needs a registered font family; naming the font does not)."""
    return f'<font name="{fonts()[1]}">{escape(text)}</font>'


def _missing_line(requirement: MaterialRequirement) -> str:
    text = f"{_bold(requirement.name)} — " + escape(
        ngettext("%(form)s, %(n)s copy", "%(form)s, %(n)s copies", requirement.copies)
        % {"form": requirement.get_form_display(), "n": requirement.copies}
    )
    if requirement.issuer:
        text += escape(_("; issued by %(issuer)s") % {"issuer": requirement.issuer})
    if requirement.description:
        text += f'<br/><font size="9">{escape(requirement.description)}</font>'
    return text


def _body(doc: CounterDocument, style: dict[str, ParagraphStyle], tracking_url: str) -> list[Flowable]:
    base = style["base"]
    case = doc.case
    story: list[Flowable] = [Paragraph(escape(_intro(doc)), base), Spacer(1, 3 * mm)]
    if doc.kind == "notice":
        entries = [_missing_line(m) for m in doc.missing] + [escape(line) for line in doc.other]
        story.append(
            ListFlowable(
                [ListItem(Paragraph(text, base), leftIndent=18) for text in entries],
                bulletType="1",
                bulletFormat="%s.",
                bulletFontSize=base.fontSize,
                bulletFontName=base.fontName,
                leftIndent=18,
            )
        )
        story += [
            Spacer(1, 3 * mm),
            Paragraph(
                escape(
                    _(
                        "This notice lists everything: nothing beyond it will be asked for. Bring or upload all "
                        "of it in one go; we decide on acceptance on the spot or within 5 working days."
                    )
                ),
                base,
            ),
        ]
    elif doc.kind == "refusal":
        decision = doc.decision
        reasons = decision.reasons if decision else ""
        basis = decision.legal_basis if decision else ""
        article = _("Article 32 of the Administrative Licensing Law (《行政许可法》第三十二条)")
        story += [
            Paragraph(f"{_bold(_('Reasons'))}：{escape(reasons)}", base),
            Spacer(1, 2 * mm),
            Paragraph(
                f"{_bold(_('Legal basis (law and article)'))}：{escape(basis)}；{escape(article)}",
                base,
            ),
            Spacer(1, 3 * mm),
            Paragraph(
                escape(
                    _(
                        "If you disagree, you may apply for administrative reconsideration within 60 days of "
                        "receiving this notice, or bring an administrative lawsuit within 6 months."
                    )
                ),
                base,
            ),
        ]
    else:
        received = [f"{m.requirement.name} — {m.get_source_display()}" for m in doc.supplied]
        story += [
            facts_table(
                [
                    (_("Promised by"), escape(_date(case.promised_due))),
                    (_("Statutory time limit"), escape(_date(case.statutory_due))),
                    (_("Materials received"), lines(received)),
                ],
                style=style,
            ),
            Spacer(1, 4 * mm),
            Paragraph(
                escape(_("Follow the case online with its case number; you will be told at every step.")),
                base,
            ),
            Spacer(1, 3 * mm),
            qr_block(tracking_url, style=style),
        ]
    visits = ngettext(
        "Visits to the counter for this case: %(n)s",
        "Visits to the counter for this case: %(n)s",
        case.visits,
    ) % {"n": case.visits}
    story += [Spacer(1, 4 * mm), Paragraph(escape(visits), base)]
    return story


def _signature(doc: CounterDocument, style: dict[str, ParagraphStyle]) -> Table:
    case = doc.case
    text = "<br/>".join(
        escape(line)
        for line in (
            case.department.full_name,
            _date(doc.event.at),
            _("Handled by %(clerk)s") % {"clerk": doc.event.actor_label},
        )
    )
    seal = Seal(_("(Seal of %(department)s)") % {"department": case.department.name}, style=style["base"])
    block = Table([[Paragraph(text, style["right"]), seal]], colWidths=[128 * mm, 42 * mm])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return block


def counter_document_pdf(doc: CounterDocument, *, tracking_url: str) -> bytes:
    """The document as a one- or two-page A4 PDF, with the department's seal placeholder."""
    style = styles()
    case = doc.case
    foot = (
        " · ".join(v for v in (case.center.name, case.center.address, case.center.phone) if v)
        if case.center
        else ""
    )
    story: list[Flowable] = [
        Paragraph(escape(case.department.full_name), style["center"]),
        Paragraph(escape(doc.title), style["title"]),
        Paragraph(escape(_("Case number %(number)s") % {"number": case.number or ""}), style["center"]),
        Spacer(1, 6 * mm),
        Paragraph(escape(doc.addressee), style["base"]),
        Spacer(1, 2 * mm),
        *_body(doc, style, tracking_url),
        Spacer(1, 10 * mm),
        _signature(doc, style),
        Spacer(1, 8 * mm),
        Paragraph(escape(foot), style["small"]),
    ]
    return build_pdf(story, title=f"{doc.title} {case.number}", author=case.department.full_name)
