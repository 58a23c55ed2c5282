"""The return as an A4 PDF (reportlab): cover, headline figures, charts, a table per section, the
12-month trend and the methodology, with page numbers and document metadata.

All text is real text in an embedded DejaVu Sans subset (with a Unicode map), so a commissioner can
search and copy it. The PDF shows exactly the published values of the model: withheld figures are
``*`` in tables and leave a gap, marked ``*``, in charts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from youthcase.documents.fonts import BOLD, REGULAR, register_fonts
from youthcase.returns.disclosure import Published
from youthcase.returns.monthly_return import (
    HOURS,
    MEDIAN_DAYS,
    PERCENT,
    Line,
    MonthlyReturn,
    SiteColumn,
    methodology,
)

NAVY = colors.HexColor("#1f3b57")
TEAL = colors.HexColor("#2a7f8f")
GREY = colors.HexColor("#5b6770")
RULE = colors.HexColor("#c9d3dd")
BAND = colors.HexColor("#eef3f7")
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
SITE_COLUMNS_PER_TABLE = 6
REFERRALS_SECTION = "Referrals to other services"
AUTHOR = "Hospital youth violence intervention service (youthcase)"


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12.5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=BOLD, fontSize=8, leading=10),
        "cell_heading": ParagraphStyle(
            "cell_heading", parent=body, fontName=BOLD, fontSize=7.5, leading=10, textColor=TEAL
        ),
        "cell_indent": ParagraphStyle("cell_indent", parent=body, fontSize=8, leading=10, leftIndent=8),
        "cover_kicker": ParagraphStyle("kicker", parent=body, fontName=BOLD, fontSize=10, leading=14, textColor=TEAL),
        "cover_title": ParagraphStyle(
            "cover_title", parent=body, fontName=BOLD, fontSize=26, leading=31, textColor=NAVY
        ),
        "cover_period": ParagraphStyle("cover_period", parent=body, fontSize=18, leading=24, textColor=NAVY),
        "h1": ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=15, leading=19, textColor=NAVY, spaceAfter=6),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=11, leading=14, textColor=NAVY, spaceBefore=8, spaceAfter=4
        ),
        "definition": ParagraphStyle("definition", parent=body, fontSize=8.5, leading=11.5, spaceAfter=3),
    }


def _unit_suffix(line: Line) -> str:
    if line.unit == PERCENT:
        return " (%)"
    return ""


def _line_label(line: Line) -> str:
    return line.label + _unit_suffix(line)


# --- pages and numbering --------------------------------------------------------------------------


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Defers each page so that the footer can say "Page n of N"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            footer = getattr(self, "footer_text", "")
            self.saveState()
            self.setFont(REGULAR, 7.5)
            self.setFillColor(GREY)
            self.drawString(MARGIN, 10 * mm, footer)
            self.drawRightString(A4[0] - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()
            super().showPage()
        super().save()


def _decorate(model: MonthlyReturn, cover: bool) -> Any:
    def draw(canvas: Any, document: Any) -> None:
        canvas.footer_text = f"{model.title} · anonymised: no personal data"
        canvas.saveState()
        if cover:
            canvas.setFillColor(NAVY)
            canvas.rect(0, A4[1] - 14 * mm, A4[0], 14 * mm, stroke=0, fill=1)
            canvas.setFillColor(TEAL)
            canvas.rect(0, A4[1] - 16 * mm, A4[0], 2 * mm, stroke=0, fill=1)
        else:
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.5)
            canvas.line(MARGIN, A4[1] - 12 * mm, A4[0] - MARGIN, A4[1] - 12 * mm)
            canvas.setFont(REGULAR, 7.5)
            canvas.setFillColor(GREY)
            canvas.drawString(MARGIN, A4[1] - 10.5 * mm, model.title)
            canvas.drawRightString(A4[0] - MARGIN, A4[1] - 10.5 * mm, _sites_phrase(model))
        canvas.restoreState()

    return draw


def _sites_phrase(model: MonthlyReturn) -> str:
    if model.overall.site_id is not None:
        return f"{model.overall.name} ({model.overall.code})"
    return f"All sites ({len(model.sites)})"


# --- cover and headline figures -------------------------------------------------------------------


def _cover(model: MonthlyReturn, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    head = model.chain_head
    rows = [
        ("Period", escape(model.period)),
        ("Sites", "<br/>".join(f"{escape(c.code)} · {escape(c.name)}" for c in model.sites)),
        ("Date produced", f"{model.produced_at.day} {model.produced_at:%B %Y}"),
        ("Audit chain head", escape(head[:40]) + ("<br/>" + escape(head[40:]) if len(head) > 40 else "")),
        ("Return id", str(model.return_id)),
        (
            "Disclosure control",
            f"Counts of 1-{model.rule.max_suppressed} shown as *; other counts rounded "
            f"to the nearest {model.rule.rounding_base}; 0 stays 0.",
        ),
    ]
    table = Table(
        [[Paragraph(k, styles["cell_bold"]), Paragraph(v, styles["body"])] for k, v in rows],
        colWidths=[42 * mm, WIDTH - 42 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [
        Spacer(1, 30 * mm),
        Paragraph("HOSPITAL YOUTH VIOLENCE INTERVENTION SERVICE", styles["cover_kicker"]),
        Spacer(1, 3 * mm),
        Paragraph("Anonymised monthly return", styles["cover_title"]),
        Paragraph(escape(model.month.label + (" (partial month)" if model.partial else "")), styles["cover_period"]),
        Spacer(1, 14 * mm),
        table,
        Spacer(1, 12 * mm),
        Paragraph(
            "This return contains no personal data: only counts, percentages and medians by month, "
            "site and coded category. Small numbers are suppressed and other counts rounded, as "
            "described in the methodology at the end. The audit chain head identifies the state of "
            "the system's audit trail when the figures were read, so that a later truncation of the "
            "trail can be detected.",
            styles["small"],
        ),
    ]


def _value_columns(model: MonthlyReturn) -> list[list[SiteColumn]]:
    columns = list(model.columns)
    return [columns[i : i + SITE_COLUMNS_PER_TABLE] for i in range(0, len(columns), SITE_COLUMNS_PER_TABLE)]


def _figure_table(
    model: MonthlyReturn,
    rows: Sequence[tuple[str, str, Line | None]],
    columns: Sequence[SiteColumn],
    styles: dict[str, ParagraphStyle],
) -> Table:
    """Rows of (label, style name, line or None for a sub-heading) by site columns."""
    value_width = 17 * mm
    label_width = WIDTH - value_width * len(columns)
    header = [Paragraph("", styles["cell"])] + [
        Paragraph(c.code if c.site_id else "All sites", styles["cell_bold"]) for c in columns
    ]
    data: list[list[Any]] = [header]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if columns and columns[0].site_id is None:
        commands.append(("BACKGROUND", (1, 0), (1, -1), BAND))
    for label, style, line in rows:
        index = len(data)
        if line is None:
            data.append([Paragraph(escape(label), styles["cell_heading"])] + [""] * len(columns))
            commands.append(("SPAN", (0, index), (-1, index)))
            continue
        data.append([Paragraph(escape(label), styles[style])] + [line.value(c.code, model.month).text for c in columns])
    table = Table(data, colWidths=[label_width] + [value_width] * len(columns), repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _section_rows(lines: Sequence[Line]) -> list[tuple[str, str, Line | None]]:
    """A measure's own line in bold; its breakdowns under a sub-heading per dimension, indented."""
    rows: list[tuple[str, str, Line | None]] = []
    last_heading = ""
    for line in lines:
        if not line.breakdown:
            rows.append((_line_label(line), "cell_bold", line))
            last_heading = ""
            continue
        heading = line.group
        if heading != last_heading:
            rows.append((heading, "", None))
            last_heading = heading
        rows.append((_line_label(line), "cell_indent", line))
    return rows


def _headline_rows(model: MonthlyReturn) -> list[tuple[str, str, Line | None]]:
    rows: list[tuple[str, str, Line | None]] = []
    for line in model.headlines():
        label = line.measure if not line.breakdown else f"{line.measure}: {line.label.lower()}"
        if line.unit == PERCENT:
            label += " (%)"
        elif line.unit == HOURS and "hours" not in label.lower():
            label += " (hours)"
        elif line.unit == MEDIAN_DAYS and "days" not in label.lower():
            label += " (days)"
        rows.append((label, "cell", line))
    return rows


# --- charts -----------------------------------------------------------------------------------------

PALETTE = [
    NAVY,
    TEAL,
    colors.HexColor("#8fb8c9"),
    colors.HexColor("#d08c60"),
    colors.HexColor("#7a6c9d"),
    colors.HexColor("#9aa5ad"),
]


def _style_axes(chart: Any) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = REGULAR
        axis.labels.fontSize = 7
        axis.strokeColor = GREY
        axis.strokeWidth = 0.5
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.forceZero = True
    chart.valueAxis.valueMin = 0


def _title(drawing: Drawing, text: str, note: str = "") -> None:
    drawing.add(String(0, drawing.height - 11, text, fontName=BOLD, fontSize=9.5, fillColor=NAVY))
    if note:
        drawing.add(String(0, drawing.height - 23, note, fontName=REGULAR, fontSize=7, fillColor=GREY))


def _numbers(values: Sequence[Published]) -> list[float | None]:
    return [v.number for v in values]


def _max_value(series: Sequence[Sequence[float | None]]) -> float:
    found = [v for values in series for v in values if v is not None]
    return max(found, default=0.0)


def _value_step(top: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 6:
            return float(step)
    return float(10 ** len(str(int(top))))


def _mark_withheld(
    drawing: Drawing,
    chart: Any,
    values: Sequence[float | None],
    series: int,
    series_count: int,
    horizontal: bool = False,
) -> None:
    """A small * where a withheld value would be."""
    slots = len(values)
    for index, value in enumerate(values):
        if value is not None:
            continue
        if horizontal:  # reportlab puts category 0 at the bottom, as ``values`` is ordered
            slot = chart.height / slots
            y = chart.y + (index + 0.5) * slot - 2.5
            drawing.add(String(chart.x + 3, y, "*", fontName=BOLD, fontSize=8, fillColor=GREY))
        else:
            slot = chart.width / slots
            x = chart.x + (index + (series + 0.5) / series_count) * slot
            drawing.add(String(x, chart.y + 2, "*", fontName=BOLD, fontSize=8, fillColor=GREY, textAnchor="middle"))


def _legend(drawing: Drawing, pairs: list[tuple[Any, str]]) -> None:
    legend = Legend()
    legend.x, legend.y = drawing.width - 125 * len(pairs), drawing.height - 4
    legend.fontName, legend.fontSize = REGULAR, 7
    legend.boxAnchor = "nw"
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 125
    legend.dx = legend.dy = 7
    legend.colorNamePairs = pairs
    drawing.add(legend)


def _paired_bars(
    title: str,
    note: str,
    categories: Sequence[str],
    series: list[list[float | None]],
    width: float,
    height: float,
    bottom: float,
    group_spacing: float,
) -> Drawing:
    """Referrals received and open caseload side by side for each category (month or site)."""
    drawing = Drawing(width, height)
    _title(drawing, title, note)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 28, bottom, width - 40, height - bottom - 38
    chart.data = series
    chart.categoryAxis.categoryNames = list(categories)
    chart.groupSpacing = group_spacing
    chart.barSpacing = 1
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index]
        chart.bars[index].strokeColor = None
    _style_axes(chart)
    chart.valueAxis.valueMax = max(_max_value(series) * 1.1, 10)
    chart.valueAxis.valueStep = _value_step(chart.valueAxis.valueMax)
    drawing.add(chart)
    for index, values in enumerate(series):
        _mark_withheld(drawing, chart, values, index, len(series))
    _legend(drawing, [(PALETTE[0], "Referrals received"), (PALETTE[1], "Open caseload at month end")])
    return drawing


def _trend_chart(model: MonthlyReturn, width: float) -> Drawing:
    received = model.find("Referrals received")
    open_end = model.find("Open caseload at month end")
    overall, months = model.overall.code, model.window.months
    series = [
        _numbers([received.value(overall, m) for m in months]),
        _numbers([open_end.value(overall, m) for m in months]),
    ]
    return _paired_bars(
        "12-month trend",
        f"{_sites_phrase(model)}; * withheld (small number)",
        [m.short_label for m in months],
        series,
        width,
        62 * mm,
        30,
        6,
    )


def _site_chart(model: MonthlyReturn, width: float) -> Drawing:
    received = model.find("Referrals received")
    open_end = model.find("Open caseload at month end")
    series = [
        _numbers([received.value(s.code, model.month) for s in model.sites]),
        _numbers([open_end.value(s.code, model.month) for s in model.sites]),
    ]
    return _paired_bars(
        f"By site, {model.month.label}",
        "* withheld (small number)",
        [s.code for s in model.sites],
        series,
        width,
        52 * mm,
        18,
        8,
    )


def _services_chart(model: MonthlyReturn, width: float) -> Drawing:
    lines = [
        line for line in model.lines() if line.measure == "Referrals sent" and line.breakdown.startswith("Service: ")
    ]
    values = _numbers([line.value(model.overall.code, model.month) for line in lines])
    height = 16 + 11 * len(lines) + 30
    drawing = Drawing(width, height)
    _title(
        drawing, f"Referrals sent by service, {model.month.label}", f"{_sites_phrase(model)}; * withheld (small number)"
    )
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 165, 12, width - 185, 11 * len(lines)
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed([line.label for line in lines]))
    chart.bars[0].fillColor = TEAL
    chart.bars[0].strokeColor = None
    _style_axes(chart)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    top = _max_value([values])
    chart.valueAxis.valueMax = max(top * 1.1, 10)
    chart.valueAxis.valueStep = _value_step(chart.valueAxis.valueMax)
    drawing.add(chart)
    _mark_withheld(drawing, chart, list(reversed(values)), 0, 1, horizontal=True)
    return drawing


# --- trend table and methodology --------------------------------------------------------------------


def _trend_table(model: MonthlyReturn, styles: dict[str, ParagraphStyle]) -> Table:
    months = model.window.months
    value_width = 10.6 * mm
    label_width = WIDTH - value_width * len(months)
    data: list[list[Any]] = [[Paragraph("", styles["cell"])] + [m.short_label for m in months]]
    for line in model.trend_lines():
        label = line.measure if not line.breakdown else f"{line.measure}: {line.label.lower()}"
        label += " (%)" if line.unit == PERCENT else ""
        data.append(
            [Paragraph(escape(label), styles["cell"])] + [line.value(model.overall.code, m).text for m in months]
        )
    table = Table(data, colWidths=[label_width] + [value_width] * len(months), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("FONTNAME", (1, 0), (-1, 0), BOLD),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("BACKGROUND", (-1, 0), (-1, -1), BAND),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (1, 0), (-1, -1), 2),
                ("RIGHTPADDING", (1, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _methodology(model: MonthlyReturn, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("Methodology and definitions", styles["h1"])]
    for note in methodology(model.rule):
        story.append(Paragraph(escape(note.heading), styles["h2"]))
        story += [Paragraph(escape(text), styles["definition"]) for text in note.paragraphs]
        story += [
            Paragraph(f"<b>{escape(title)}.</b> {escape(text)}", styles["definition"])
            for title, text in note.definitions
        ]
    return story


# --- the document -----------------------------------------------------------------------------------


def render_pdf(model: MonthlyReturn) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=model.title,
        author=AUTHOR,
        subject=f"Anonymised monthly return for commissioners: {model.month.label}, {_sites_phrase(model)}",
        creator="youthcase",
        keywords=["monthly return", "anonymised", model.month.key],
        invariant=False,
    )
    frame = Frame(
        MARGIN, 18 * mm, WIDTH, A4[1] - 36 * mm, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
    )
    document.addPageTemplates(
        [
            PageTemplate("cover", [frame], onPage=_decorate(model, cover=True)),
            PageTemplate("body", [frame], onPage=_decorate(model, cover=False)),
        ]
    )
    story: list[Flowable] = [*_cover(model, styles), NextPageTemplate("body"), PageBreak()]

    story.append(Paragraph(f"Headline figures, {escape(model.month.label)}", styles["h1"]))
    for columns in _value_columns(model):
        story += [_figure_table(model, _headline_rows(model), columns, styles), Spacer(1, 6 * mm)]
    story.append(_trend_chart(model, WIDTH))
    if model.sites and model.overall.site_id is None:
        story += [Spacer(1, 4 * mm), _site_chart(model, WIDTH)]
    story.append(PageBreak())

    for number, section in enumerate(model.sections, start=1):
        story.append(CondPageBreak(60 * mm))
        story.append(Paragraph(f"{number}. {escape(section.title)}", styles["h1"]))
        if section.title == REFERRALS_SECTION:
            story += [_services_chart(model, WIDTH), Spacer(1, 4 * mm)]
        for columns in _value_columns(model):
            story += [_figure_table(model, _section_rows(section.lines), columns, styles), Spacer(1, 5 * mm)]

    story += [
        PageBreak(),
        Paragraph(f"12-month trend, {escape(_sites_phrase(model))}", styles["h1"]),
        Paragraph(
            "The same definitions and disclosure control as the rest of the return; the last "
            "column is the month of this return. Figures per site for every month are in the "
            "CSV file.",
            styles["small"],
        ),
        Spacer(1, 3 * mm),
        _trend_table(model, styles),
        PageBreak(),
        *_methodology(model, styles),
    ]
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
