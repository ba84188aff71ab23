"""The report's page furniture: numbers never break across lines."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from kiri_core.formatting import unbreakable_numbers
from kiri_core.report.content import channel_columns, plan_columns
from kiri_core.report.document import HEADER_FONT_SIZE, HEADER_LINE, MARGIN, SUBHEADING, ReportPDF


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("versus 1 479 988 kr today", "versus 1\u00a0479\u00a0988\u00a0kr today"),
        ("+4,9 % expected", "+4,9\u00a0% expected"),
        ("over 4 weeks in 2024 and 2025", "over 4 weeks in 2024 and 2025"),
        ("12 345 678", "12\u00a0345\u00a0678"),
        ("week 12 1234", "week 12 1234"),  # not a digit group of three
    ],
)
def test_spaces_inside_numbers_and_before_units_do_not_break(text: str, kept: str) -> None:
    assert unbreakable_numbers(text) == kept


def test_a_paragraph_wraps_around_a_number_not_inside_it(tmp_path: Path) -> None:
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    for width in range(60, 110):  # the number lands on every position of the line's end
        pdf.paragraph("a" * width + " b versus 1 479 988 kr today")
    path = tmp_path / "wrap.pdf"
    path.write_bytes(bytes(pdf.output()))
    lines = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert len([line for line in lines if line.strip()]) > 50  # some paragraphs wrapped
    assert not [line for line in lines if line.rstrip().endswith(("versus 1", "479"))]
    assert not [line for line in lines if line.startswith(("479", "988", "kr"))]


def test_a_channel_name_of_twenty_characters_is_not_cut_off(tmp_path: Path) -> None:
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    names = ["LinkedIn Sponsored Ad", "Google Ads Performance", "Meta"]
    rows = [[name, "12 345 678 kr", "33,3 %", "23 456 789 kr", "41,2 %", "1,90", "0,85",
             "1,10 – 2,80"] for name in names]
    pdf.table(channel_columns({}), rows, widths=(20, 22, 15, 22, 15, 11, 17, 20))
    path = tmp_path / "table.pdf"
    path.write_bytes(bytes(pdf.output()))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "\u2026" not in text
    assert all(name in text for name in names), text
    assert all(cell in text for cell in rows[0][1:]), text


@pytest.mark.parametrize("dep_var_type", ["revenue", "conversion"])
def test_a_plan_tables_headings_take_two_lines_at_most(dep_var_type: str,
                                                       tmp_path: Path) -> None:
    """The audits' renamed returns ("Return on the planned spend") in the report's plan table
    widths: each heading wraps onto two lines at most, not a word a line, and no figure is
    cut."""
    cpa = 12.34 if dep_var_type == "conversion" else None  # what marks a conversion plan
    header = plan_columns({"channels": {"spend_google": {"optimized_cpa": cpa}}})
    widths = (24, 21, 21, 12, 21, 11, 17)  # the report's plan table
    rows = [["Google Ads Performance", "1 413 946 kr", "1 307 364 kr", "+100 %",
             "1 069 012 kr", "12,34 kr", "123,45 kr"]]
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    fitted = pdf._fitted_widths(header, rows, widths)
    pdf.set_font("InterSemiBold", size=HEADER_FONT_SIZE)
    lines = {heading: len(pdf.multi_cell(width, HEADER_LINE, heading, dry_run=True,
                                         output="LINES"))
             for heading, width in zip(header, fitted, strict=True)}
    assert max(lines.values()) == 2, lines
    pdf.table(header, rows, widths=widths)
    path = tmp_path / "plan.pdf"
    path.write_bytes(bytes(pdf.output()))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "\u2026" not in text and all(cell in text for cell in rows[0]), text


@pytest.mark.parametrize(("lines", "split"), [(3, False), (12, True)])
def test_a_short_paragraph_is_not_split_across_pages(tmp_path: Path, lines: int,
                                                     split: bool) -> None:
    """A PDF's method section ended with one line alone on a page of its own: a short
    paragraph that does not fit moves whole to the next page; a long one still flows on."""
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_y(pdf.page_break_trigger - 13)  # room for two lines and a half
    words = [f"word{i}" for i in range(lines * 14)]
    pdf.paragraph(" ".join(words))
    path = tmp_path / "kept.pdf"
    path.write_bytes(bytes(pdf.output()))
    first = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert pdf.page == 2
    assert ("word0" in first) is split


def chart_png(share: float) -> bytes:
    """A chart 1400 px wide: a plot of 400 px at ``share`` of its height under 200 px of
    axes and legend."""
    out = io.BytesIO()
    Image.new("RGB", (1400, 200 + round(400 * share)), "white").save(out, format="PNG")
    return out.getvalue()


WIDTH = 210 - 2 * MARGIN  # mm: A4 between the margins, the width of every chart
FULL, PLOT = WIDTH * 600 / 1400, WIDTH * 400 / 1400  # mm: the chart drawn, its plot


def placed_chart(room: float, keep: float = 0.0, drawn_at: Callable[[float], bytes] = chart_png
                 ) -> tuple[ReportPDF, list[tuple[float, float]]]:
    """A report page with ``room`` mm left below a chart's title for the chart, the chart
    (``drawn_at(share)``) placed there, and each image's drawn width and height (mm)."""
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_y(pdf.page_break_trigger - SUBHEADING - room)
    drawn: list[tuple[float, float]] = []
    image = pdf.image

    def spied(*args, **kwargs):
        drawn.append((kwargs["w"], kwargs["h"]))
        return image(*args, **kwargs)

    pdf.image = spied
    pdf.chart(drawn_at(1.0), "Title", shorter=drawn_at, keep=keep)
    return pdf, drawn


@pytest.mark.parametrize(("short", "page"), [(0.2, 1), (0.4, 2)])
def test_a_chart_short_of_room_by_a_little_of_its_plot_is_drawn_shorter_on_the_page(
        short: float, page: int) -> None:
    """A chart short of room by 20 % of its plot stays on the page with a shorter plot; one
    short by 40 % starts the next page in full. Its width, so its text, never changes."""
    room = FULL - short * PLOT
    pdf, [(width, height)] = placed_chart(room)
    assert pdf.page == page
    assert width == pytest.approx(WIDTH, abs=0.01)
    if page == 1:
        assert room - 1 < height <= room
    else:
        assert height == pytest.approx(FULL, abs=0.01)


def test_a_chart_a_little_taller_than_a_straight_line_says_is_drawn_shorter_still() -> None:
    """A chart whose plot above 80 % of its height gets 6 px more axis (ticks added) is
    taller than the share read off a straight line: it still fits the page, a step shorter."""
    def ticked(share: float) -> bytes:
        out = io.BytesIO()
        height = 200 + round(400 * share) + (6 if share > 0.8 else 0)
        Image.new("RGB", (1400, height), "white").save(out, format="PNG")
        return out.getvalue()

    room = FULL - 0.1 * PLOT  # a straight line says: the plot at 90 %
    pdf, [(_, height)] = placed_chart(room, drawn_at=ticked)
    assert pdf.page == 1
    assert height <= room


def test_a_chart_is_drawn_shorter_to_keep_what_follows_on_its_page() -> None:
    pdf, [(_, height)] = placed_chart(FULL + 5, keep=10)
    assert height < FULL
    assert pdf.page == 1
    assert pdf.get_y() + 10 <= pdf.page_break_trigger
    pdf, [(_, height)] = placed_chart(FULL + 5, keep=100)  # no plot is short enough for it
    assert height == pytest.approx(FULL, abs=0.01)


@pytest.mark.parametrize(("fill", "new_page", "page"),
                         [(0.3, False, 1), (0.6, False, 2), (0.3, True, 2)])
def test_a_section_shares_a_page_less_than_half_full(fill: float, new_page: bool,
                                                     page: int) -> None:
    """Unless it opens a new page (the appendix)."""
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_y(pdf.t_margin + fill * pdf.eph)
    pdf.section("Channel performance", "Results", new_page=new_page)
    assert pdf.page == page


@pytest.mark.parametrize("new_page", [False, True])
def test_a_section_at_the_top_of_a_page_opens_it_without_a_gap(new_page: bool) -> None:
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.section("Channel performance", "Results", new_page=new_page)
    assert pdf.page == 1
    assert pdf.get_y() == pytest.approx(pdf.t_margin + 5 + 11 + 4)  # kicker, title, space


@pytest.mark.parametrize(("room", "page"), [(60.0, 1), (45.0, 2)])
def test_a_block_kept_together_moves_whole_to_the_next_page(room: float, page: int) -> None:
    """A table of five rows (47 mm) and a line below it: here when the two fit, else both
    from the top of the next page, where the table alone would have been split."""
    pdf = ReportPDF("footer", datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_y(pdf.page_break_trigger - room)
    drawn: list[tuple[int, float]] = []

    def block() -> None:
        drawn.append((pdf.page, pdf.get_y()))
        pdf.table(("Channel", "Spend"), [["Meta", "1"]] * 5, widths=(1, 1))
        pdf.cell(0, 5, "Below the table")

    pdf.together(block, continued="Budget plan: Q1, continued")
    top = pdf.t_margin + 5 + 2 if page == 2 else pdf.page_break_trigger - room  # the kicker
    assert drawn[-1] == (page, pytest.approx(top))
    assert pdf.page == len(pdf.pages) == page  # nothing of it on a page after
    last = pypdf.PdfReader(io.BytesIO(bytes(pdf.output()))).pages[-1].extract_text()
    said = "BUDGET PLAN: Q1, CONTINUED" in last
    assert said == (page == 2)  # the kicker only where the block moved
