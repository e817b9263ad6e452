"""PDF documents, one layout for all (reportlab): the platform's name, the document's title, reference and
date at the top; details as label and value; tables that repeat their header on each page; notes; a footer
with the platform's name and "Page n of N" on every page.

Chinese is written with reportlab's built-in CID fonts (no font file to ship): STSong-Light for Simplified,
MSung-Light for Traditional (also for any CJK text in an English document, as in Hong Kong names).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

SIMPLIFIED_FONT = "STSong-Light"
TRADITIONAL_FONT = "MSung-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
BRAND = colors.HexColor("#0b5563")
LINE = colors.HexColor("#d3dae4")
SHADE = colors.HexColor("#f3f6f9")


@cache
def _cid_fonts() -> None:
    for name in (SIMPLIFIED_FONT, TRADITIONAL_FONT):
        pdfmetrics.registerFont(UnicodeCIDFont(name))


@dataclass
class PdfTable:
    """A table: its heading, column titles, rows (already text), which columns are numbers (right-aligned),
    an optional total row and the relative column widths."""

    heading: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    numeric: Sequence[int] = ()
    total: Sequence[Any] | None = None
    widths: Sequence[float] | None = None
    empty: str = ""


@dataclass
class PdfDocument:
    """What a document says: title, reference, details (label, value), tables and closing notes."""

    title: str
    reference: str
    details: Sequence[tuple[str, Any]] = ()
    tables: Sequence[PdfTable] = ()
    notes: Sequence[str] = ()
    issued_at: datetime = field(default_factory=timezone.now)


def _has_cjk(text: str) -> bool:
    return any(
        "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef" for ch in text
    )


def _fonts(doc: PdfDocument) -> tuple[str, str]:
    """(regular, bold) for the document's language; a CJK font when any text needs one."""
    language = (get_language() or "").lower()
    if language.startswith("zh-hans") or language in ("zh-cn", "zh-sg"):
        _cid_fonts()
        return SIMPLIFIED_FONT, SIMPLIFIED_FONT
    if language.startswith("zh"):
        _cid_fonts()
        return TRADITIONAL_FONT, TRADITIONAL_FONT
    texts = [doc.title, doc.reference, *doc.notes]
    texts += [f"{k} {v}" for k, v in doc.details]
    for table in doc.tables:
        texts += [table.heading, *map(str, table.columns)]
        texts += [str(cell) for row in table.rows for cell in row]
    if any(_has_cjk(t) for t in texts):
        _cid_fonts()
        return TRADITIONAL_FONT, TRADITIONAL_FONT
    return LATIN_FONT, LATIN_BOLD


def _escape(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(doc: PdfDocument) -> bytes:
    """The document as PDF bytes (A4 portrait)."""
    regular, bold = _fonts(doc)
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#4a5568"))
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    cell_right = ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT)
    head = ParagraphStyle("head", parent=cell, fontName=bold, textColor=colors.white)
    head_right = ParagraphStyle("head_right", parent=head, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20, textColor=BRAND)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=6)

    issued = timezone.localtime(doc.issued_at)
    story: list[Any] = [
        Paragraph(_escape(doc.title), title),
        Spacer(1, 2 * mm),
        Paragraph(
            _escape(
                _("Reference: %(reference)s · Issued %(date)s")
                % {
                    "reference": doc.reference,
                    "date": issued.strftime("%Y-%m-%d %H:%M %Z"),
                }
            ),
            small,
        ),
        Spacer(1, 5 * mm),
    ]
    width = A4[0] - 36 * mm
    if doc.details:
        rows = [
            [Paragraph(_escape(k), head_left_dark(bold)), Paragraph(_escape(v), cell)] for k, v in doc.details
        ]
        details = LongTable(rows, colWidths=[width * 0.32, width * 0.68])
        details.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, LINE),
                    ("BACKGROUND", (0, 0), (0, -1), SHADE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [details, Spacer(1, 5 * mm)]
    for table in doc.tables:
        story.append(Paragraph(_escape(table.heading), heading))
        story.append(Spacer(1, 2 * mm))
        if not table.rows:
            story += [Paragraph(_escape(table.empty), body), Spacer(1, 4 * mm)]
            continue
        numeric = set(table.numeric)
        header = [
            Paragraph(_escape(c), head_right if i in numeric else head) for i, c in enumerate(table.columns)
        ]
        data = [header]
        for row in [*table.rows, *([table.total] if table.total else [])]:
            data.append(
                [Paragraph(_escape(v), cell_right if i in numeric else cell) for i, v in enumerate(row)]
            )
        ratios = table.widths or [1] * len(table.columns)
        grid = LongTable(data, colWidths=[width * r / sum(ratios) for r in ratios], repeatRows=1)
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), BRAND),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]),
        ]
        if table.total:
            style += [("LINEABOVE", (0, -1), (-1, -1), 1, BRAND), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]
        grid.setStyle(TableStyle(style))
        story += [grid, Spacer(1, 5 * mm)]
    for note in doc.notes:
        story += [Paragraph(_escape(note), small), Spacer(1, 2 * mm)]

    platform = settings.PLATFORM_NAME
    footer = _("%(platform)s · Tokenized financing for Greater Bay Area SMEs") % {"platform": platform}
    page_words = _("Page %(page)s of %(pages)s")

    class NumberedCanvas(Canvas):
        """Writes each page once all are known, so the footer can say "Page n of N"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            page_width, page_height = A4
            self.setFillColor(BRAND)
            self.setFont(bold, 10)
            self.drawString(18 * mm, page_height - 12 * mm, platform)
            self.setFont(regular, 8)
            self.drawRightString(
                page_width - 18 * mm, page_height - 12 * mm, f"{doc.title} · {doc.reference}"
            )
            self.setStrokeColor(LINE)
            self.line(18 * mm, page_height - 14 * mm, page_width - 18 * mm, page_height - 14 * mm)
            self.line(18 * mm, 14 * mm, page_width - 18 * mm, 14 * mm)
            self.setFillColor(colors.HexColor("#4a5568"))
            self.drawString(18 * mm, 9 * mm, footer)
            self.drawRightString(page_width - 18 * mm, 9 * mm, page_words % {"page": number, "pages": total})

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=doc.title,
        author=platform,
        subject=doc.reference,
    ).build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def head_left_dark(bold: str) -> ParagraphStyle:
    return ParagraphStyle(
        "label", fontName=bold, fontSize=8, leading=10, textColor=colors.HexColor("#1a202c")
    )


def pdf_response(doc: PdfDocument, filename: str) -> HttpResponse:
    """The document as a download named `filename`."""
    response = HttpResponse(render_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def day(value: date | datetime | None) -> str:
    """A date as the documents write it (ISO: unambiguous in every language)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
