"""Exports for a third-party evaluator (第三方评估): the indicator table (CSV, XLSX), a PDF evaluation
report with the definition of every indicator, and anonymised case-level rows (CSV).

The anonymised rows hold no name, ID number, phone, form data or case number: a keyed hash of the
case id (stable across exports, so rows can be matched between periods), the item, department,
channel, dates, visits and outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from onevisit.cases.documents import build_pdf, styles
from onevisit.cases.models import Case
from onevisit.core.indicators import Figure, Indicator, Scope

from .access import case_token


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    figure: Figure

    @property
    def shown(self) -> str:
        return display(self.indicator, self.figure)


def display(indicator: Indicator, figure: Figure) -> str:
    if figure.value is None:
        return "—"
    if indicator.unit == "%":
        return f"{figure.value * 100:.2f} %"
    if indicator.unit == "days":
        return _("%(days).1f working days") % {"days": figure.value}
    return f"{int(figure.value):,}"


def number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def rows(indicators: Iterable[Indicator], scope: Scope) -> list[Row]:
    from .indicators import shared_queries

    with shared_queries():
        return [Row(indicator, indicator.compute(scope)) for indicator in indicators]


def _table(table_rows: list[Row]) -> list[list[Any]]:
    header = [_("key"), _("indicator"), _("value"), _("numerator"), _("denominator"), _("unit"), _("formula")]
    out: list[list[Any]] = [header]
    for row in table_rows:
        value = row.figure.value
        out.append(
            [
                row.indicator.key,
                str(row.indicator.name),
                "" if value is None else round(value, 6),
                number(row.figure.numerator),
                number(row.figure.denominator),
                row.indicator.unit,
                str(row.indicator.formula),
            ]
        )
    return out


def _filters_text(scope: Scope, labels: dict[str, str]) -> str:
    parts = [_("Period: %(since)s to %(until)s") % {"since": scope.since, "until": scope.until}]
    parts += [f"{name}: {value}" for name, value in labels.items() if value]
    return "; ".join(parts)


def indicators_csv(table_rows: list[Row], scope: Scope, labels: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_filters_text(scope, labels)])
    writer.writerows(_table(table_rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel read the Chinese


def indicators_xlsx(table_rows: list[Row], scope: Scope, labels: dict[str, str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Indicators")[:31]
    sheet.append([_filters_text(scope, labels)])
    for i, line in enumerate(_table(table_rows)):
        sheet.append(line)
        if i == 0:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for column, width in zip("ABCDEFG", (18, 36, 12, 12, 12, 8, 90), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_pdf(table_rows: list[Row], scope: Scope, labels: dict[str, str], *, author: str) -> bytes:
    style = styles()
    title = _("Evaluation report of the government services indicators")
    story: list[Any] = [
        Paragraph(title, style["title"]),
        Spacer(1, 4 * mm),
        Paragraph(_filters_text(scope, labels), style["base"]),
        Paragraph(
            _("Generated %(when)s from the case records; every figure is computed, never typed in.")
            % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            style["small"],
        ),
        Spacer(1, 4 * mm),
    ]
    data = [[Paragraph(_("Indicator"), style["label"]), Paragraph(_("Value"), style["label"]),
             Paragraph(_("Counted"), style["label"])]]  # fmt: skip
    for row in table_rows:
        counted = (
            f"{number(row.figure.numerator)} / {number(row.figure.denominator)}"
            if row.indicator.unit != "count"
            else number(row.figure.numerator)
        )
        data.append([Paragraph(str(row.indicator.name), style["base"]), Paragraph(row.shown, style["base"]),
                     Paragraph(counted, style["base"])])  # fmt: skip
    table = Table(data, colWidths=[85 * mm, 40 * mm, 45 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa4b1")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), Paragraph(_("Definitions"), style["label"]), Spacer(1, 2 * mm)]
    for row in table_rows:
        story.append(Paragraph(f"<b>{row.indicator.name}</b>", style["base"]))
        story.append(Paragraph(str(row.indicator.formula), style["small"]))
        story.append(Spacer(1, 2 * mm))
    return build_pdf(story, title=title, author=author)


CASE_COLUMNS = (
    "case_hash", "item_code", "item", "department", "region", "channel", "status", "filed_on",
    "accepted_on", "decided_on", "promised_due", "visits", "suspended_days", "outcome",
)  # fmt: skip


def _day(value: dt.datetime | None) -> str:
    return timezone.localtime(value).date().isoformat() if value else ""


def anonymised_rows(cases: QuerySet[Case]) -> Iterator[list[str]]:
    """One row per case, without personal data (see the module docstring)."""
    yield list(CASE_COLUMNS)
    fields = (
        "pk", "item_version__item__code", "item_version__name", "department__name", "department__region__code",
        "channel", "status", "submitted_at", "accepted_on", "decided_at", "promised_due", "visits",
        "suspended_days", "decision__outcome",
    )  # fmt: skip
    for r in cases.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
        (
            pk,
            code,
            item,
            department,
            region,
            channel,
            status,
            filed,
            accepted,
            decided,
            due,
            visits,
            susp,
            outcome,
        ) = r
        yield [
            case_token(pk), code, item, department, region, channel, status, _day(filed),
            accepted.isoformat() if accepted else "", _day(decided), due.isoformat() if due else "",
            str(visits), str(susp), outcome or "",
        ]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(lines: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for line in lines:
        yield writer.writerow(line)
