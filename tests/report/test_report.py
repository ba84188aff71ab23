"""The client PDF: its text carries the run's numbers, it renders cleanly, it is reproducible."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pypdf
import pytest
from fitted import Fitted, fitted_run
from PIL import Image

from kiri_core import charts
from kiri_core import formatting as fmt
from kiri_core.db.base import utcnow
from kiri_core.report import (
    CHART_PX,
    RIGHT_LEGEND_PX,
    artifact,
    build_report,
    content,
    write_report,
)
from kiri_core.report.content import paid_totals
from kiri_core.report.render import chart_png

CLIENT = "Acme Nordic AB"
DAY = date(2026, 11, 25)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"


@pytest.fixture(scope="module")
def fit() -> Fitted:
    return fitted_run()


@pytest.fixture(scope="module")
def scenarios(fit: Fitted) -> list[dict]:
    return [{"name": "Spring reallocation", "plan": fit.plan}]


@pytest.fixture(scope="module")
def pdf_bytes(fit: Fitted, scenarios: list[dict]) -> bytes:
    return build_report(fit.result, CLIENT, "SEK", scenarios, fit.truth, agency="Fjord Media",
                        report_date=DAY)


@pytest.fixture(scope="module")
def text(pdf_bytes: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_text_names_client_agency_period_and_every_channel(text: str, fit: Fitted) -> None:
    assert CLIENT in text
    assert "Fjord Media" in text
    window = fit.result["window"]
    last_day = date.fromisoformat(window["end"]) + timedelta(days=6)  # the last week's Sunday
    assert f"{fmt.format_date(window['start'], 'SEK')} – {fmt.format_date(last_day, 'SEK')}" in text
    assert fmt.format_date(DAY, "SEK") in text
    for column in fit.result["spend_columns"]:
        assert fmt.channel_name(column) in text


def test_the_channel_table_numbers_equal_the_runs(text: str, fit: Fitted) -> None:
    for ch in fit.result["channels"].values():
        assert fmt.money(ch["spend"], "SEK") in text
        assert fmt.money(ch["contribution"], "SEK") in text
        assert fmt.roas(ch["roas"], "SEK") in text
        assert fmt.roas(ch["mroas"], "SEK") in text


def test_the_summary_and_appendix_carry_totals_and_fit(text: str, fit: Fitted) -> None:
    spend, contribution = paid_totals(fit.result, fit.result["model_id"])
    assert fmt.money(spend, "SEK") in text
    assert fmt.money(contribution, "SEK") in text
    assert fmt.money(sum(fit.result["actual"]), "SEK") in text
    assert fmt.number(fit.result["metrics"]["rsq"], "SEK", 3) in text
    assert fmt.number(fit.result["metrics"]["nrmse"], "SEK", 3) in text
    assert "Executive summary" in text and "Model quality and method" in text


def test_the_model_is_named_in_words_and_its_id_given_once_in_the_appendix(
        pdf_bytes: bytes, fit: Fitted) -> None:
    """The audit found the internal id ("Model 2_1849_1 · recommended") on the cover and in
    the appendix's note: the client reads "The recommended model", the analyst finds the id
    once, as the appendix's model reference."""
    model_id = fit.result["model_id"]
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]
    assert "The recommended model" in pages[0]
    assert len(re.findall(rf"\b{model_id}\b", "\n".join(pages))) == 1  # not in 11_2_3
    [appendix] = [page for page in pages if "Model quality and method" in page]
    assert f"Model reference: {model_id} · Engine: Kiri" in appendix
    assert ("The figures come from the recommended model. Chosen because"
            in " ".join(appendix.split()))


def test_the_saved_scenario_and_the_truth_appear(text: str, fit: Fitted) -> None:
    assert "Spring reallocation" in text
    totals = fit.plan["totals"]
    assert fmt.money(totals["optimized_response"], "SEK") in text
    assert fmt.signed_percent(totals["uplift"], "SEK") in text
    assert "Estimated versus true effects" in text


def test_the_plan_page_names_its_roas_and_says_why_it_is_not_the_periods(text: str,
                                                                        fit: Fitted) -> None:
    """The plan's figure is "Return on the planned spend", explained in the app's words
    (content.py)."""
    words = " ".join(text.split())
    assert "Return on the planned spend" in words
    assert " ".join(content.plan_note(fit.plan).split()) in words
    assert "Current versus planned spend" in words  # a plan, which may lose money
    assert "recommended spend" not in words.lower()


def test_every_page_but_the_cover_is_numbered(pdf_bytes: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    total = len(reader.pages)
    assert total >= 7
    for number, page in enumerate(reader.pages[1:], start=2):
        assert f"Page {number} of {total}" in page.extract_text()


def test_inter_is_embedded(pdf_bytes: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("Inter" in name for name in fonts)


def test_it_renders_with_pdftoppm_without_errors(pdf_bytes: bytes, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("page-*.png"):  # a longer report's pages from an earlier run
        stale.unlink()
    (ARTIFACTS / "report.pdf").write_bytes(pdf_bytes)
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf_bytes)
    done = subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(ARTIFACTS / "page")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stderr == ""
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) == len(pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages)
    for png in pages:
        with Image.open(png) as image:
            low, high = image.convert("L").getextrema()
        assert low < 100 < high, f"{png.name} looks blank"


def test_the_same_input_gives_the_same_bytes(pdf_bytes: bytes, fit: Fitted,
                                              scenarios: list[dict]) -> None:
    again = build_report(fit.result, CLIENT, "SEK", scenarios, fit.truth, agency="Fjord Media",
                         report_date=DAY)
    assert again == pdf_bytes


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # +14, -11
def test_the_cover_date_is_today_in_the_agencys_time_zone(fit: Fitted, monkeypatch,
                                                          zone: str) -> None:
    """Without a report date the cover carries today in ``KIRI_TIME_ZONE``; the two zones are
    always on different days, so a date taken from another clock fails one of them."""
    monkeypatch.setenv("KIRI_TIME_ZONE", zone)
    cover = pypdf.PdfReader(io.BytesIO(build_report(fit.result, CLIENT, "SEK"))).pages[0]
    assert f"Prepared by Kiri · {fmt.format_date(fmt.today(zone), 'SEK')}" in cover.extract_text()


def test_write_report_writes_the_report_in_the_clients_currency(fit: Fitted,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    write_report(fit.result, out, "Acme Inc", "USD", report_date=DAY)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    spend = next(iter(fit.result["channels"].values()))["spend"]
    assert fmt.money(spend, "USD") in text
    assert "Budget plan" not in text  # no saved scenario, no budget page
    assert "Estimated versus true" not in text


def test_an_unknown_currency_fails_before_anything_is_written(fit: Fitted,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    with pytest.raises(ValueError, match="Unsupported currency 'XYZ'"):
        write_report(fit.result, out, "Acme", "XYZ")
    assert not out.exists()


def test_a_weak_model_s_report_says_so_in_its_summary(fit: Fitted) -> None:
    """The summary warns when the reported model explains little (here: R² set to 0.31) or a
    channel's spend hardly moved (Google's), in the client's words: what it means for the
    figures, not the analyst's checks (the audit: "a lift test, more weeks of data")."""
    model_id = fit.result["model_id"]
    models = [{**m, "metrics": {**m["metrics"], "rsq": 0.31}} if m["model_id"] == model_id
              else m for m in fit.result["models"]]
    summary = summary_page(build_report({**fit.result, "models": models}, CLIENT, "SEK",
                                        report_date=DAY))
    assert ("The model explains 31 % of the week-to-week changes in revenue, so treat the "
            "channel figures as indicative.") in summary
    assert ("The spend on Google hardly changed from week to week, so its return is the least "
            "certain figure here.") in summary
    assert not any(advice in summary for advice in ("lift test", "more weeks", "check them"))


def test_a_channel_planned_at_nothing_shows_no_return_on_the_plan_s_page(fit: Fitted) -> None:
    """The audit: TikTok at 0 kr read "–" in one plan and "0,00" in another; on the plan's
    page both its returns are "–"."""
    plan = {**fit.plan, "channels": {**fit.plan["channels"], "spend_tiktok": {
        **fit.plan["channels"]["spend_tiktok"], "optimized_spend": 0.3, "optimized_roas": 0.1,
        "optimized_mroas": 0.1}}}
    pdf = build_report(fit.result, CLIENT, "SEK", [{"name": "Spring", "plan": plan}],
                       report_date=DAY)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    [plan_page] = [p.extract_text() for p in pages if "Return on extra" in p.extract_text()]
    [tiktok] = [line for line in plan_page.splitlines() if line.startswith("TikTok")]
    assert f"{fmt.money(0.3, 'SEK')} -100 %" in tiktok and tiktok.split()[-2:] == ["–", "–"]


def test_a_plan_s_notes_are_printed_as_given_for_the_client(fit: Fitted) -> None:
    notes = ["Meta: the recommended weekly spend is below the lowest week in the data.",
             "TikTok: the model finds no effect."]
    pdf = build_report(fit.result, CLIENT, "SEK",
                       [{"name": "Spring", "plan": fit.plan, "notes": notes}], report_date=DAY)
    words = " ".join("\n".join(p.extract_text() for p in
                               pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert all(f"Note: {note}" in words for note in notes)
    for warning in fit.plan["warnings"]:  # the planner's wording stays in the planner
        assert f"Note: {' '.join(warning.split())}" not in words


def test_the_carry_over_page_shows_how_long_and_how_much_of_each_effect_comes_later(
        text: str) -> None:
    words = " ".join(text.split())
    assert "How long the effect lasts" in words
    assert "Effect in the week of the spend and after" in words
    assert "the baseline (the sales level and its trend)" in words


def test_several_plans_are_compared_in_a_table_and_a_chart_on_one_page(fit: Fitted) -> None:
    more = {**fit.plan, "weeks": 8}
    pdf = build_report(fit.result, CLIENT, "SEK", [{"name": "Spring", "plan": fit.plan},
                                                   {"name": "Summer", "plan": more}],
                       report_date=DAY)
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    [compared] = [p for p in pages if "Saved budget plans compared" in p]
    assert "The plans per week" in compared
    assert "Spring" in compared and "Summer" in compared
    assert "BUDGET PLAN 1 OF 2" in " ".join(pages).upper()  # then each plan's own page


def summary_page(pdf: bytes) -> str:
    """The text of a report's executive summary page, its words joined by single spaces."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return next(" ".join(p.extract_text().split()) for p in pages
                if "Executive summary" in p.extract_text())


def test_a_quick_search_s_report_tells_the_client_its_figures_are_preliminary(
        fit: Fitted, pdf_bytes: bytes) -> None:
    """A quick search's (here 200 x 1) PDF says on its summary page, in the client's words
    as the Presentation page does, that its figures are preliminary, and not the analyst's
    note on the search; a full search's report has neither."""
    note = content.client_quick_search_note(fit.result)
    assert note and note.startswith("Preliminary figures")
    summary = summary_page(pdf_bytes)
    assert " ".join(note.split()) in summary
    assert "search" not in summary
    full = {**fit.result, "config": {**fit.result["config"], "iterations": 2000, "trials": 5}}
    assert content.quick_search_note(full) is None
    assert "quick search" not in summary_page(build_report(full, CLIENT, "SEK", report_date=DAY))


def test_the_response_curves_show_the_client_what_a_week_s_spend_adds(
        pdf_bytes: bytes, fit: Fitted) -> None:
    """UX audit: the PDF's "Diminishing returns" drew the curves with the carry-over of
    earlier weeks (TikTok a flat line well above zero, read as "TikTok does nothing"). It
    draws what a week's spend adds, as the plan's figures count it, not the analyst's
    curves of Results."""
    [page] = [p for p in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages
              if "Diminishing returns per channel" in p.extract_text()]
    drawn = [np.asarray(image.image.convert("RGB")) for image in page.images]

    def curves(added: bool) -> np.ndarray:
        chart = charts.response_curves(fit.result, fit.result["model_id"], "SEK", fit.plan,
                                       added=added)
        return np.asarray(Image.open(io.BytesIO(chart_png(chart, CHART_PX))).convert("RGB"))

    def shown(image: np.ndarray) -> bool:
        return any(d.shape == image.shape and np.array_equal(d, image) for d in drawn)

    assert shown(curves(added=True))
    assert not shown(curves(added=False))


def test_the_decomposition_with_its_legend_aside_is_as_wide_as_the_other_charts(
        fit: Fitted) -> None:
    """The PDF scales every chart image to the page's width: an image made wider by its
    legend would print its text smaller than the charts around it."""
    model_id = fit.result["model_id"]
    widths = [Image.open(io.BytesIO(chart_png(chart, px))).width for chart, px in (
        (charts.decomposition_over_time(fit.result, model_id), CHART_PX - RIGHT_LEGEND_PX),
        (charts.actual_vs_predicted(fit.result, model_id), CHART_PX))]
    assert widths[0] == pytest.approx(widths[1], rel=0.02)


def test_the_report_layout_date_is_not_in_the_future() -> None:
    """A PDF stored before :data:`REPORT_LAYOUT` is built again on every request: a layout
    date still to come would rebuild every report, every time, until it passed."""
    assert utcnow() >= artifact.REPORT_LAYOUT
