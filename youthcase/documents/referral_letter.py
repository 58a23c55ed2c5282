"""The referral letter: a PDF for the receiving service, built in memory.

It carries personal data by design, so it is returned as bytes and never written anywhere except
where the user chooses to save it (``ReferralService.save_letter``, which audits the save).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from youthcase.documents.fonts import BOLD, REGULAR, register_fonts


@dataclass(frozen=True)
class LetterContent:
    service_name: str
    service_address: str | None
    referral_reference: str
    urgency: str
    written_on: dt.date
    person_rows: tuple[tuple[str, str], ...]  # label, value: only what the service needs
    reason: str
    risk_level: str | None
    risk_factors: tuple[str, ...]
    safeguarding: tuple[str, ...]
    consent_statement: str
    worker_name: str
    worker_site: str


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=4),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colors.HexColor("#1f3b57"),
        ),
        "banner": ParagraphStyle(
            "banner", parent=body, fontName=BOLD, fontSize=9, textColor=colors.HexColor("#9b1c1c")
        ),
    }


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(escape(line), style) for line in text.splitlines() if line.strip()] or [Paragraph("-", style)]


def render_referral_letter(content: LetterContent) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Referral {content.referral_reference}",
        author=f"{content.worker_name}, youth worker, {content.worker_site}",
        subject="Referral of a young person",
        creator="youthcase",
    )
    story: list[Flowable] = [
        Paragraph(
            "OFFICIAL-SENSITIVE: PERSONAL. Contains personal data about a young person; store and share securely.",
            styles["banner"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(f"Referral to {escape(content.service_name)}", styles["title"]),
        Paragraph(
            f"Reference {escape(content.referral_reference)} · urgency: {escape(content.urgency)} · "
            f"written {content.written_on.strftime('%d %B %Y')}",
            styles["body"],
        ),
    ]
    if content.service_address:
        story.append(Paragraph(escape(content.service_address), styles["body"]))
    story.append(Paragraph("The young person", styles["heading"]))
    table = Table(
        [[Paragraph(escape(k), styles["body"]), Paragraph(escape(v), styles["body"])] for k, v in content.person_rows],
        colWidths=[50 * mm, 120 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d3dd")),
                ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#44546a")),
            ]
        )
    )
    story += [
        table,
        Paragraph("Reason for referral", styles["heading"]),
        *_paragraphs(content.reason, styles["body"]),
        Paragraph("Risks", styles["heading"]),
    ]
    risk = f"Current risk level: {content.risk_level}." if content.risk_level else "No risk assessment yet."
    story.append(Paragraph(escape(risk), styles["body"]))
    if content.risk_factors:
        story.append(Paragraph("Risk factors: " + escape("; ".join(content.risk_factors)) + ".", styles["body"]))
    if content.safeguarding:
        story.append(
            Paragraph("Open safeguarding concerns: " + escape("; ".join(content.safeguarding)) + ".", styles["body"])
        )
    story += [
        Paragraph("Consent", styles["heading"]),
        Paragraph(escape(content.consent_statement), styles["body"]),
        Paragraph("Referring worker", styles["heading"]),
        Paragraph(
            f"{escape(content.worker_name)}, hospital youth worker, {escape(content.worker_site)}", styles["body"]
        ),
    ]
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _page_number(canvas, document) -> None:  # type: ignore[no-untyped-def]
    canvas.saveState()
    canvas.setFont(REGULAR, 8)
    canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {document.page}")
    canvas.restoreState()
