"""The report's pages: none but the last mostly empty, the last not a stray tail, every
chart on one page with its title and caption, a plan's chart on its table's page and the
appendix on pages of its own (measured on real reports, rendered)."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import pypdf
import pytest
from fitted import SEED, WEEKS, fit_config, fitted_run
from PIL import Image

from kiri_core import generator
from kiri_core.engine.allocator import allocate
from kiri_core.engine.fit import fit_model
from kiri_core.report import build_report
from kiri_core.report.content import per_unit_name, plan_columns, scenario_columns

DPI = 30
TOP, BOTTOM = 18.0, 271.0  # mm: the body of a page, between the margin and the footer
FULL_ENOUGH = 0.5  # every page but the cover and the last is at least half full
LAST_PAGE = 0.15  # the last holds more than a few lines
#: Reports an audit found a chart alone on a page of (a quick search's long summary), a
#: paragraph alone on a page of (a calibrated model's appendix) or a plan's chart apart from
#: its table (one plan, or three), and one without plans:
#: id: (outcome, search, saved plans, currency).
SHAPES = {"revenue-quick-3-plans": ("revenue", "quick", 3, "SEK"),
          "conversion-quick-2-plans": ("conversion", "quick", 2, "SEK"),
          "revenue-calibrated-2-plans": ("revenue", "calibrated", 2, "SEK"),
          "revenue-full-no-plan": ("revenue", "full", 0, "SEK"),
          "revenue-quick-1-plan": ("revenue", "quick", 1, "SEK"),
          "conversion-quick-1-plan-eur": ("conversion", "quick", 1, "EUR")}


def conversion_run() -> dict:
    """The generated data fitted as conversions (the search of :func:`fitted_run`)."""
    data, _ = generator.generate(WEEKS, SEED)
    config = {**fit_config(list(generator.CHANNELS), ["promo_flag"]),
              "dep_var_type": "conversion"}
    return fit_model(data, config, workers=1)


def full_search(result: dict, calibrated: bool) -> dict:
    """``result`` as a full search (no quick-search note, the method's larger count), its
    models calibrated on lift tests (one more quality row) with ``calibrated``."""
    models = [{**m, "metrics": {**m["metrics"], "mape_lift": 0.12}} for m in result["models"]]
    return {**result, "config": {**result["config"], "iterations": 2000, "trials": 5},
            "models": models if calibrated else result["models"]}


def plans(result: dict, count: int) -> list[dict]:
    """``count`` saved plans: today's budget over 4 weeks, +20 % over 8, -10 % over 6."""
    today = 4 * sum(ch["mean_spend"] for ch in result["channels"].values())
    shapes = [("Q1 flat budget", 1.0, 4), ("Q1 +20%", 1.2, 8), ("Summer push -10%", 0.9, 6)]
    return [{"name": name, "plan": allocate(result, total_budget=share * today, weeks=weeks)}
            for name, share, weeks in shapes[:count]]


@pytest.fixture(scope="module", params=list(SHAPES))
def report(request) -> bytes:
    outcome, search, count, currency = SHAPES[request.param]
    fit = fitted_run()
    result = fit.result if outcome == "revenue" else conversion_run()
    if search != "quick":
        result = full_search(result, calibrated=search == "calibrated")
    return build_report(result, "Acme Nordic AB", currency, plans(result, count), fit.truth,
                        agency="Fjord Media", report_date=date(2026, 12, 1))


def page_fill(pdf: bytes, folder: Path) -> list[float]:
    """How far down each page's body its content reaches (0 empty, 1 full), from the pages
    rendered by pdftoppm: the lowest row with ink darker than the light grey of tiles."""
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(source),
                    str(folder / "page")], check=True)
    fills = []
    for png in sorted(folder.glob("page-*.png")):
        with Image.open(png) as image:
            mm = image.height / 297
            top, bottom = round(TOP * mm), round(BOTTOM * mm)
            body = image.crop((0, top, image.width, bottom + 1)).point(lambda v: v < 200)
            inked = body.getbbox()
        fills.append(inked[3] / (bottom - top) if inked else 0.0)
    return fills


def test_no_page_but_the_last_is_mostly_empty_and_the_last_is_no_stray_tail(
        report: bytes, tmp_path: Path) -> None:
    fills = [round(fill, 2) for fill in page_fill(report, tmp_path)]
    assert len(fills) == len(pypdf.PdfReader(io.BytesIO(report)).pages)
    assert all(fill >= FULL_ENOUGH for fill in fills[1:-1]), fills
    assert fills[-1] >= LAST_PAGE, fills


def test_a_chart_is_on_one_page_with_its_title_and_caption(report: bytes) -> None:
    """Drawn shorter or moved on, a chart keeps its title and caption (five of them here)."""
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(report)).pages]
    captions = {"What made up the": "Each source's total over the period",
                "Contribution over time": "stacked by source",
                "Actual versus modelled": "How closely the model follows",
                "How long the effect lasts": "still working in the weeks after",
                "Fitted versus residual": "the model flattens peaks and troughs"}
    for title, caption in captions.items():
        [page] = [p for p in pages if title in p]
        assert caption in page, title


def test_each_plan_page_explains_its_two_returns_once(report: bytes, request) -> None:
    """Two UX audits: a client's plan named four ROAS-type figures ("Incremental ROAS",
    "Marginal ROAS in plan" beside the channels' ROAS and marginal ROAS), explained only in
    notes. Each plan's page explains its two returns in one note, in the app's words."""
    saved = SHAPES[request.node.callspec.params["report"]][2]
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(report)).pages]
    note = "Both leave out what earlier spend still brings in"  # the plan table's note
    assert sum(page.count(note) for page in pages) == saved
    assert not [page for page in pages if "Incremental" in page or " in plan" in page]


def test_the_summary_s_tiles_and_notes_speak_of_the_figures(report: bytes, request) -> None:
    """UX audit 11, a conversion client's page 2: the CPA tile's caption gave the model's fit
    ("model explains 50 % of the weekly variation"), and a note named the raw column
    (\u201crevenue\u201d) and the analyst's to-do ("Your analyst is checking this."). The
    efficiency tile says what it divides; the generated revenue fitted as conversions is
    called plainly larger than a count."""
    outcome, _, _, currency = SHAPES[request.node.callspec.params["report"]]
    summary = " ".join(pypdf.PdfReader(io.BytesIO(report)).pages[1].extract_text().split())
    if outcome == "conversion":
        assert "Media CPA" in summary and "spend per conversion driven by media" in summary
        assert ("The conversions in this report add up to more than the media spend, as an "
                "amount of money would") in summary
    else:
        assert f"revenue driven by media per {per_unit_name(currency)} spent" in summary
    assert not any(words in summary for words in (
        "of the weekly variation", "\u201crevenue\u201d", "analyst is checking"))


def test_a_plan_s_chart_is_on_the_page_of_its_table(report: bytes, request) -> None:
    """UX audit 10: a plan's table ended a page and its chart opened the next, above the
    appendix's heading, where a reader took it for the appendix's. Each plan's chart "Current
    versus planned spend" is on its table's page, the plans compared on their table's too."""
    saved = SHAPES[request.node.callspec.params["report"]][2]
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(report)).pages]
    two = plans(fitted_run().result, 2)
    plan_header = " ".join(plan_columns(two[0]["plan"])[:2])  # "Channel Current spend"
    compared_header = " ".join(scenario_columns(two)[:3])  # "Plan Weeks Budget"

    def on(text: str) -> list[int]:  # the page of each time ``text`` is printed
        return [i for i, page in enumerate(pages) for _ in range(page.count(text))]

    assert on(plan_header) == on("Current versus planned spend")
    assert len(on(plan_header)) == saved
    assert on(compared_header) == on("The plans per week")
    assert len(on(compared_header)) == (saved > 1)


def test_the_appendix_opens_a_page(report: bytes) -> None:
    """Nothing before the appendix shares its first page (a chart there reads as its own)."""
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(report)).pages]
    [appendix] = [page for page in pages if "Model quality and method" in page]
    assert appendix.startswith("APPENDIX Model quality and method")


def test_the_method_stays_whole_under_its_heading() -> None:
    """An audit's PDF (search seed 9, a plan at today's budget and one at 5x) left the
    method's last paragraph alone on the last page: the method now moves whole."""
    data, truth = generator.generate(WEEKS, SEED)
    result = fit_model(data, {**fit_config(list(generator.CHANNELS), ["promo_flag"]),
                              "seed": 9}, workers=1)
    today = 4 * sum(ch["mean_spend"] for ch in result["channels"].values())
    stretch = [{"name": name, "plan": allocate(result, total_budget=share * today, weeks=4)}
               for name, share in (("Today's budget", 1.0), ("Stretch", 5.0))]
    pdf = build_report(result, "Acme AB", "SEK", stretch, truth, report_date=date(2026, 12, 1))
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    [method] = [page for page in pages if "The model follows Meta's" in page]
    assert "What it cannot say" in method
