"""The report's page furniture: numbers never break across lines."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiri_core.formatting import unbreakable_numbers
from kiri_core.report.content import channel_columns
from kiri_core.report.document import ReportPDF


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
