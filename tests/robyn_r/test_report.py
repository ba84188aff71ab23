"""The PDF report renders a Robyn (R) result like a Kiri one (real Robyn 3.12 output)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiri_core.engine.allocator import allocate
from kiri_core.report import build_report
from kiri_core.robyn_r.parse import parse_robyn_outputs

pytestmark = pytest.mark.shared


def test_the_report_of_a_robyn_result_shows_robyns_numbers(
    robyn_r_outputs: Path, demo_config: dict, tmp_path: Path
) -> None:
    result = parse_robyn_outputs(robyn_r_outputs, demo_config)
    plan = allocate(result, scenario="max_response", weeks=4, total_budget=320_000.0)
    pdf = build_report(result, "Demo AB", "EUR", scenarios=[{"name": "Better mix", "plan": plan}],
                       report_date=date(2026, 11, 25))
    (tmp_path / "robyn-report.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 6
    assert "Demo AB" in text and "Better mix" in text
    assert "4.89" in text  # TV's ROAS in Robyn's pareto_aggregated.csv (4.8908)
    assert "10.49" in text  # Print's (10.4863)
    assert "1_846_1" in text and "Robyn template" in text  # the model and why it was picked
