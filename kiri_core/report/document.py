"""The report's page furniture with fpdf2: Inter, the design colors, headings, tables, tiles."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from io import BytesIO

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kiri_core.formatting import unbreakable_numbers
from kiri_core.report.fonts import truetype_fonts

PRIMARY = (0, 102, 255)
TEXT = (17, 17, 17)
MUTED = (102, 102, 102)
SECONDARY = (245, 245, 245)
RULE = (220, 220, 220)
MARGIN = 18.0  # mm
HEADER_LINE = 3.4  # mm: one line of a table heading
ROW_FONT_SIZE = 8.5  # pt: a table row
HEADER_FONT_SIZE = 7.5  # pt: a table heading
KEEP_TOGETHER_LINES = 6  # a paragraph up to this long moves whole to the next page
SUBHEADING = 10.0  # mm: a subheading with the space around it
#: The shortest a chart's plot is drawn (a share of its own height) to stay on a page: its
#: text keeps its size, only the plot between the axes gets shorter.
MIN_PLOT = 0.7
#: A section starts on the page before, below what is there, when that is less full than this
#: (a chart that did not fit the page before it, say): no page stays mostly empty.
SHARED_PAGE = 0.5


class ReportPDF(FPDF):
    """An A4 report with a quiet footer (``footer_text`` left, page x of y right)."""

    def __init__(self, footer_text: str, created: datetime) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for (family, style), path in truetype_fonts().items():
            self.add_font(family, style, str(path))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 8)
        self.set_creation_date(created)
        self.set_producer("Kiri")
        self.footer_text = footer_text
        self.alias_nb_pages()

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        if self.page_no() == 1:
            return  # the cover stays clean
        self.set_y(-MARGIN)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() - 2, self.w - self.r_margin, self.get_y() - 2)
        self.set_font("Inter", size=8)
        self.set_text_color(*MUTED)
        self.cell(self.content_width / 2, 5, self.footer_text)
        self.cell(self.content_width / 2, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def section(self, title: str, kicker: str | None = None, new_page: bool = False) -> None:
        """A small blue kicker and a large title opening a new page, or opening the rest of a
        page less than :data:`SHARED_PAGE` full (unless ``new_page``), or the page it is at
        the top of."""
        if self.get_y() <= self.t_margin:
            pass  # the top of a page already
        elif new_page or self.get_y() - self.t_margin >= SHARED_PAGE * self.eph:
            self.add_page()
        else:
            self.ln(12)  # a gap, then the kicker
        if kicker:
            self.kicker(kicker)
        self.set_font("Inter", "B", size=20)
        self.set_text_color(*TEXT)
        self.multi_cell(0, 11, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def kicker(self, text: str) -> None:
        """A small blue line in capitals: what a section, or the rest of one, is about."""
        self.set_font("InterSemiBold", size=8.5)
        self.set_text_color(*PRIMARY)
        self.cell(0, 5, text.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def subheading(self, text: str) -> None:
        self.ensure_space(30)
        self.ln(2)
        self.set_font("InterSemiBold", size=11.5)
        self.set_text_color(*TEXT)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text: str, size: float = 10, color: tuple[int, int, int] = TEXT) -> None:
        """A paragraph; one of up to :data:`KEEP_TOGETHER_LINES` lines is not split across
        pages (no line of it left alone at a page's top or bottom)."""
        text, height = unbreakable_numbers(text), size * 0.52
        lines = self._lines(text, size)
        self.set_text_color(*color)
        self.ensure_space(height * (lines if lines <= KEEP_TOGETHER_LINES else 2))
        self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def paragraphs_height(self, texts: Sequence[str], size: float) -> float:
        """The height in mm of :meth:`paragraph` ``texts`` at ``size`` pt, from the first
        line's top to the last line's foot."""
        lines = sum(self._lines(unbreakable_numbers(text), size) for text in texts)
        return lines * size * 0.52 + 2 * (len(texts) - 1)

    def _lines(self, text: str, size: float) -> int:
        """How many lines ``text`` takes across the page in Inter at ``size`` pt (the font
        it sets)."""
        self.set_font("Inter", size=size)
        return len(self.multi_cell(0, size * 0.52, text, dry_run=True, output="LINES"))

    def bullets(self, items: Sequence[str]) -> None:
        """Numbered findings with a blue number and the text hanging beside it."""
        for i, item in enumerate(items, start=1):
            self.ensure_space(18)
            y = self.get_y()
            self.set_font("Inter", "B", size=11)
            self.set_text_color(*PRIMARY)
            self.cell(9, 6, f"{i:02d}")
            self.set_xy(self.l_margin + 10, y)
            self.set_font("Inter", size=10.5)
            self.set_text_color(*TEXT)
            self.multi_cell(self.content_width - 10, 5.6, unbreakable_numbers(item), align="L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(3.5)

    def tiles(self, items: Sequence[tuple[str, str, str]]) -> None:
        """A row of headline numbers on the light grey: (label, value, note)."""
        gap = 4.0
        width = (self.content_width - gap * (len(items) - 1)) / len(items)
        top = self.get_y()
        for i, (label, value, note) in enumerate(items):
            x = self.l_margin + i * (width + gap)
            self.set_fill_color(*SECONDARY)
            self.rect(x, top, width, 30, style="F")
            self.set_xy(x + 4, top + 4)
            self.set_font("Inter", size=8)
            self.set_text_color(*MUTED)
            self.cell(width - 8, 4, label)
            self.set_xy(x + 4, top + 10)
            self.set_font("Inter", "B", size=14 if len(value) < 14 else 11.5)
            self.set_text_color(*TEXT)
            self.cell(width - 8, 8, value)
            self.set_xy(x + 4, top + 19)
            self.set_font("Inter", size=7.5)
            self.set_text_color(*MUTED)
            self.multi_cell(width - 8, 3.6, note, align="L")
        self.set_xy(self.l_margin, top + 36)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float], total_row: bool = False,
              aligns: str | None = None) -> None:
        """A quiet table: bold header over a blue rule, thin grey rules.

        ``aligns`` has one letter (L/R) per column; default: first column left, numbers right.
        """
        widths = self._fitted_widths(header, rows, widths)
        aligns = aligns or "L" + "R" * (len(widths) - 1)
        self.ensure_space(10 + 7 * min(len(rows), 4))
        self._table_header(header, widths, aligns)
        for i, row in enumerate(rows):
            last = total_row and i == len(rows) - 1
            self._table_row(row, widths, aligns, bold=last)
        self.ln(4)

    def _fitted_widths(self, header: Sequence[str], rows: Sequence[Sequence[str]],
                       weights: Sequence[float]) -> list[float]:
        """Column widths across the content width in proportion to ``weights``, where a
        column too narrow for its longest cell (a channel name of 20 characters) takes the
        room from columns that have more than they need."""
        scale = self.content_width / sum(weights)
        widths = [w * scale for w in weights]
        needed = [self._needed_width(heading, [row[i] for row in rows])
                  for i, heading in enumerate(header)]
        short = sum(max(n - w, 0.0) for n, w in zip(needed, widths, strict=True))
        spare = sum(max(w - n, 0.0) for n, w in zip(needed, widths, strict=True))
        if not short or not spare:
            return widths
        grow, shrink = min(1.0, spare / short), min(1.0, short / spare)
        return [w + (n - w) * (grow if n > w else shrink)
                for n, w in zip(needed, widths, strict=True)]

    def _needed_width(self, heading: str, cells: Sequence[str]) -> float:
        """The width a column needs: its longest cell in bold, its heading on at most two
        lines (a plan's "Return on the planned spend" is not stacked a word a line)."""
        self.set_font("InterSemiBold", size=HEADER_FONT_SIZE)
        words = heading.split()
        two_lines = min((max(self.get_string_width(" ".join(words[:i])),
                             self.get_string_width(" ".join(words[i:])))
                         for i in range(1, len(words))),
                        default=self.get_string_width(heading))
        self.set_font("Inter", "B", size=ROW_FONT_SIZE)
        cell = max((self.get_string_width(c) for c in cells), default=0.0)
        return max(two_lines, cell) + 2 * self.c_margin

    def _table_header(self, cells: Sequence[str], widths: Sequence[float], aligns: str) -> None:
        """The header row: a heading too long for its column wraps onto a second line, the
        others sit on the last line, above the blue rule."""
        self.set_font("InterSemiBold", size=HEADER_FONT_SIZE)
        self.set_text_color(*MUTED)
        lines = [self.multi_cell(width, HEADER_LINE, cell, dry_run=True, output="LINES")
                 for cell, width in zip(cells, widths, strict=True)]
        most = max(len(cell_lines) for cell_lines in lines)
        height = 8.0 + (most - 1) * HEADER_LINE
        self.ensure_space(height)
        top, x = self.get_y(), self.l_margin
        for cell_lines, width, align in zip(lines, widths, aligns, strict=True):
            self.set_xy(x, top + height - 2.0 - len(cell_lines) * HEADER_LINE)
            self.multi_cell(width, HEADER_LINE, "\n".join(cell_lines), align=align)
            x += width
        self.set_y(top + height)
        self._rule(PRIMARY, 0.4)

    def _table_row(self, cells: Sequence[str], widths: Sequence[float], aligns: str,
                   bold: bool = False) -> None:
        height = 7.0
        self.ensure_space(height)
        self.set_font("Inter", "B" if bold else "", size=ROW_FONT_SIZE)
        self.set_text_color(*TEXT)
        for cell, width, align in zip(cells, widths, aligns, strict=True):
            self.cell(width, height, self._fitted(cell, width), align=align)
        self.ln(height)
        self._rule(RULE, 0.4 if bold else 0.15)

    def _rule(self, color: tuple[int, int, int], width: float) -> None:
        """A line across the content width at the current height."""
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)

    def _fitted(self, text: str, width: float) -> str:
        """``text`` in the current font, shortened with an ellipsis to fit a cell ``width`` mm
        wide (a long scenario name never runs into the next column)."""
        room = width - 2 * self.c_margin
        if self.get_string_width(text) <= room:
            return text
        while text and self.get_string_width(f"{text}\u2026") > room:
            text = text[:-1]
        return f"{text.rstrip()}\u2026"

    def chart(self, png: bytes, title: str, caption: str | None = None,
              shorter: Callable[[float], bytes] | None = None, keep: float = 0.0) -> None:
        """A chart image across the content width, with a title above and a caption below,
        on one page.

        ``shorter(share)`` draws the chart with its plot at ``share`` of its height: a chart
        that fits the rest of the page with a plot of at least :data:`MIN_PLOT` of its height
        is drawn that much shorter there, rather than leave the rest empty. ``keep`` (mm):
        what follows the chart, kept on its page too when a shorter plot makes the room.
        """
        gap = 3.0
        frame = SUBHEADING + (1 + self.paragraphs_height([caption], 8.5) if caption else 0.0)
        room = self.page_break_trigger - self.get_y() - frame
        if shorter:
            after = gap + (2 if caption else 0)  # below the caption, then below the chart
            png = self._fitted_png(png, shorter, room, keep + after if keep else 0.0)
        height = self._image_height(png)
        self.ensure_space(height + frame)
        self.subheading(title)
        self.image(BytesIO(png), x=self.l_margin, w=self.content_width, h=height)
        if caption:
            self.ln(1)
            self.paragraph(caption, size=8.5, color=MUTED)
        self.ln(gap)

    def _fitted_png(self, png: bytes, shorter: Callable[[float], bytes], room: float,
                    keep: float) -> bytes:
        """``png``, or the chart drawn shorter to fit ``room`` mm with ``keep`` mm below it,
        else to fit ``room`` alone; ``png`` when it fits as it is or no plot of
        :data:`MIN_PLOT` would."""
        tall = self._image_height(png)
        if tall + keep <= room:
            return png
        low = self._image_height(shorter(MIN_PLOT))  # the image is about linear in the plot
        for target in (room - keep, room):
            if target >= tall:
                return png
            if target >= low:
                share = MIN_PLOT + (1 - MIN_PLOT) * (target - low) / (tall - low)
                return self._shorter_within(shorter, math.floor(share * 100) / 100, target)
        return png

    def _shorter_within(self, shorter: Callable[[float], bytes], share: float,
                        target: float) -> bytes:
        """``shorter(share)``, a hundredth of the plot shorter at a time (not below
        :data:`MIN_PLOT`) while it is taller than ``target`` mm: a real chart is not quite
        linear in its plot (its pixels are rounded, its axes may change), so the share read
        off a straight line can draw it a hair too tall for the page."""
        png = shorter(share)
        while self._image_height(png) > target and share > MIN_PLOT:
            share = round(share - 0.01, 2)
            png = shorter(share)
        return png

    def _image_height(self, png: bytes) -> float:
        """The height in mm of ``png`` drawn across the content width."""
        from PIL import Image

        with Image.open(BytesIO(png)) as image:
            return self.content_width * image.height / image.width

    def together(self, draw: Callable[[], None], continued: str | None = None) -> None:
        """``draw()`` here when all it draws fits on this page, else from the top of the next
        (a plan's table and its chart on one page), there under the kicker ``continued``
        (the section it goes on with): measured by drawing it once with fpdf2's offset
        rendering, which is then undone."""
        page = self.page
        with self.offset_rendering():
            draw()
            moved = self.page > page  # the space after its last line may pass the foot
        if moved and self.get_y() > self.t_margin:
            self.add_page()
            if continued:
                self.kicker(continued)
                self.ln(2)
        draw()

    def ensure_space(self, height: float) -> None:
        """Start a new page when less than ``height`` mm are left above the footer."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
