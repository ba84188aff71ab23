"""The client PDF report of a model run (fpdf2; charts drawn with vl-convert in Inter).

``build_report`` returns the PDF bytes: the same inputs (including ``report_date``) give the
same bytes. ``write_report`` writes them to a file (the CLI's ``report`` command).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kiri_core import charts, config
from kiri_core import formatting as fmt
from kiri_core.report import content
from kiri_core.report.document import MUTED, PRIMARY, SUBHEADING, TEXT, ReportPDF
from kiri_core.report.render import chart_png

CHART_PX = 640  # chart width in CSS pixels; drawn at 2x for print
RIGHT_LEGEND_PX = 90  # a legend right of the plot: the plot is that much narrower, so the
#                       image, scaled to the page like the others, keeps their text size
COVER_FOOT = 36.0  # mm from the bottom of the cover to the "prepared by" line
# mm per column of the saved plans compared: conversion plans, revenue plans (with the net)
PLANS_COMPARED_WIDTHS = {7: (48, 11, 24, 20, 24, 22, 17), 8: (34, 10, 22, 18, 22, 18, 22, 20)}


def build_report(result: dict, client: str, currency: str, scenarios: list[dict] | None = None,
                 truth: dict | None = None, agency: str = "Kiri",
                 report_date: date | None = None, model_id: str | None = None) -> bytes:
    """The PDF report of ``result`` for ``client``, as bytes.

    Parameters
    ----------
    result
        The run's result document (docs/result-format.md).
    client, currency
        The client's name and currency code (SEK, EUR, USD, NOK, DKK, GBP).
    scenarios
        Saved budget scenarios of the model, each ``{"name": str, "plan": <plan dict>,
        "notes": [str, ...]}`` (oldest first; notes for the client, optional,
        :func:`kiri_core.planner.client_notes`): with more than one, a table compares them
        before each plan's page.
    truth
        The generator's known truth, when the data was generated (estimated vs true page).
    agency
        Who prepared the report (cover and footer).
    report_date
        The date on the cover and in the PDF metadata (default: today in the agency's time
        zone, ``KIRI_TIME_ZONE``: the PDF is built once in the worker and downloaded by
        everyone, so it carries the agency's date rather than one viewer's).
    model_id
        The model to report (default: the run's recommended model).
    """
    fmt.style_for(currency)  # an unknown currency fails before anything is drawn
    model_id = model_id or result["model_id"]
    report_date = report_date or fmt.today(config.time_zone())
    created = datetime(report_date.year, report_date.month, report_date.day, tzinfo=UTC)
    pdf = ReportPDF(f"{client} · Marketing mix report · {agency}", created)
    pdf.set_title(f"Marketing mix report – {client}")
    pdf.set_author(agency)
    _cover(pdf, result, model_id, client, currency, agency, report_date)
    _summary(pdf, result, model_id, currency, scenarios)
    _channels(pdf, result, model_id, currency)
    _key_charts(pdf, result, model_id, currency, scenarios)
    if scenarios:
        _budget(pdf, result, currency, scenarios)
    if truth:
        _truth(pdf, result, model_id, currency, truth)
    _appendix(pdf, result, model_id, currency)
    return bytes(pdf.output())


def write_report(result: dict, out: Path, client: str, currency: str,
                 scenarios: list[dict] | None = None, truth: dict | None = None,
                 agency: str = "Kiri", report_date: date | None = None) -> None:
    """Write the PDF report of ``result`` to ``out`` (see :func:`build_report`)."""
    Path(out).write_bytes(build_report(result, client, currency, scenarios, truth, agency,
                                       report_date))


def _cover(pdf: ReportPDF, result: dict, model_id: str, client: str, currency: str,
           agency: str, report_date: date) -> None:
    pdf.add_page()
    pdf.set_font("InterSemiBold", size=11)
    pdf.set_text_color(*PRIMARY)
    pdf.cell(0, 8, agency)
    pdf.set_fill_color(*PRIMARY)
    pdf.rect(pdf.l_margin, 112, 14, 1.6, style="F")
    pdf.set_xy(pdf.l_margin, 120)
    pdf.set_font("InterSemiBold", size=10)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 6, "MARKETING MIX REPORT", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Inter", "B", size=32)
    pdf.set_text_color(*TEXT)
    pdf.multi_cell(0, 14, client, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Inter", size=13)
    pdf.set_text_color(*MUTED)
    window = result["window"]
    pdf.cell(0, 7, f"{fmt.weeks_period(window['start'], window['end'], currency)} · "
                   f"{fmt.weeks(window['periods'])}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Inter", size=10)
    pdf.cell(0, 6, content.model_in_words(result, model_id), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-COVER_FOOT)
    pdf.set_font("Inter", size=9)
    pdf.cell(0, 5, f"Prepared by {agency} · {fmt.format_date(report_date, currency)}",
             new_x="LMARGIN", new_y="NEXT")


def _summary(pdf: ReportPDF, result: dict, model_id: str, currency: str,
             scenarios: list[dict] | None) -> None:
    pdf.section("Executive summary", "Summary")
    heads = content.headlines(result, model_id, currency)
    pdf.tiles([(h.label, h.value, h.note) for h in heads])
    pdf.ln(4)
    for warning in content.client_cautions(result, model_id, currency):
        pdf.paragraph(warning, size=9.5, color=PRIMARY)
    if note := content.client_quick_search_note(result):
        pdf.paragraph(note, size=9.5, color=PRIMARY)
    pdf.subheading("Key findings")
    pdf.bullets(content.findings(result, model_id, currency, scenarios or ()))


def _channels(pdf: ReportPDF, result: dict, model_id: str, currency: str) -> None:
    pdf.section("Channel performance", "Results")
    pdf.paragraph(content.channel_table_note(result, currency), size=9, color=MUTED)
    pdf.table(content.channel_columns(result, currency),
              content.channel_rows(result, model_id, currency),
              widths=(20, 22, 15, 22, 15, 11, 17, 20))
    _chart(pdf, charts.spend_vs_effect(result, model_id, currency),
           *content.chart_text(result, "spend_vs_effect"))


def _key_charts(pdf: ReportPDF, result: dict, model_id: str, currency: str,
                scenarios: list[dict] | None) -> None:
    pdf.section(f"Where the {content.outcome(result)} came from", "Results")
    _chart(pdf, charts.waterfall(result, model_id, currency),
           *content.chart_text(result, "waterfall"))
    _chart(pdf, charts.decomposition_over_time(result, model_id, currency),
           *content.chart_text(result, "decomposition_over_time"),
           width=CHART_PX - RIGHT_LEGEND_PX)
    _chart(pdf, charts.actual_vs_predicted(result, model_id, currency),
           *content.chart_text(result, "actual_vs_predicted"))
    plan = scenarios[0]["plan"] if scenarios else None
    _chart(pdf, charts.response_curves(result, model_id, currency, plan, added=True),
           "Diminishing returns per channel",
           content.curves_caption(result, scenarios[0]["name"] if scenarios else None))
    _chart(pdf, charts.roas_intervals(result, model_id, currency),
           *content.chart_text(result, "roas_intervals", currency=currency))
    _chart(pdf, charts.adstock_decay(result, model_id, currency),
           *content.chart_text(result, "adstock_decay"))
    _chart(pdf, charts.immediate_vs_carryover(result, model_id, currency),
           *content.chart_text(result, "immediate_vs_carryover"))


def _budget(pdf: ReportPDF, result: dict, currency: str, scenarios: list[dict]) -> None:
    """The saved plans compared (when there are several), then a page per plan; each with
    its table and chart on one page."""
    if len(scenarios) > 1:
        @functools.cache
        def drawn(share: float) -> bytes:  # each plan's bar a ``share`` of its height
            return chart_png(charts.plans_compared(scenarios, currency,
                                                   row=round(charts.PLAN_ROW * share)), CHART_PX)

        pdf.section("Saved budget plans compared", "Budget plans")
        pdf.paragraph(" ".join(["Each plan against today's spend over its horizon; the pages "
                                "after this one show how each plan splits its budget.",
                                content.plans_note(scenarios), content.net_note(scenarios)]),
                      size=9, color=MUTED)

        def compared() -> None:
            columns = content.scenario_columns(scenarios)
            pdf.table(columns, content.scenario_rows(scenarios, currency),
                      widths=PLANS_COMPARED_WIDTHS[len(columns)])
            pdf.chart(drawn(1.0), "The plans per week",
                      f"Each plan's weekly spend by channel, today's first, and the "
                      f"{content.plan_outcome(scenarios[0]['plan'])} media add in a week, "
                      "with the change against today.", shorter=drawn)

        pdf.together(compared, continued="Saved budget plans compared, continued")
    for i, scenario in enumerate(scenarios, start=1):
        kicker = ("Budget plan" if len(scenarios) == 1
                  else f"Budget plan {i} of {len(scenarios)}")
        _plan_section(pdf, result, currency, scenario, kicker)


def _plan_section(pdf: ReportPDF, result: dict, currency: str, scenario: dict,
                  kicker: str) -> None:
    """A plan's summary, then its table, their note, its chart and its notes on one page."""
    plan = scenario["plan"]
    drawn = _drawn(charts.budget_reallocation(plan, currency))
    notes = [f"Note: {note}" for note in scenario.get("notes", [])]

    def figures() -> None:
        pdf.table(content.plan_columns(plan), content.plan_rows(plan, currency),
                  widths=(24, 21, 21, 12, 21, 11, 17), total_row=True)
        pdf.paragraph(content.plan_note(plan), size=8.5, color=MUTED)
        pdf.chart(drawn(1.0), "Current versus planned spend", shorter=drawn,
                  keep=pdf.paragraphs_height(notes, 8.5) if notes else 0.0)
        for note in notes:
            pdf.paragraph(note, size=8.5, color=MUTED)

    pdf.section(scenario["name"], kicker)
    pdf.paragraph(content.plan_summary(plan, currency, result), size=9.5)
    pdf.together(figures, continued=f"{kicker}: {scenario['name']}, continued")


def _truth(pdf: ReportPDF, result: dict, model_id: str, currency: str, truth: dict) -> None:
    """The estimated and true effects, the two charts on one page."""
    measures = (("roas", "ROAS"), ("contribution", "Contribution"))
    drawers = [(_drawn(charts.estimated_vs_true(result, model_id, truth, currency, measure)),
                title) for measure, title in measures]

    def figures() -> None:
        for drawn, title in drawers:
            pdf.chart(drawn(1.0), title, shorter=drawn)

    pdf.section("Estimated versus true effects", "Validation")
    pdf.paragraph("The data of this run was generated with known channel effects, so the "
                  "model's estimates can be checked against the truth.", size=9, color=MUTED)
    pdf.together(figures)


def _appendix(pdf: ReportPDF, result: dict, model_id: str, currency: str) -> None:
    pdf.section("Model quality and method", "Appendix", new_page=True)
    pdf.table(("Measure", "Value", "What it means"),
              content.quality_rows(result, model_id, currency), widths=(20, 10, 70),
              aligns="LRL")
    pdf.paragraph(content.appendix_selection_note(result, model_id, currency), size=9,
                  color=MUTED)
    pdf.paragraph(content.model_reference(result, model_id), size=8.5, color=MUTED)
    method = content.method_text(result, currency)
    _chart(pdf, charts.fitted_vs_residual(result, model_id, currency),
           *content.chart_text(result, "fitted_vs_residual", model_id), height=220,
           keep=SUBHEADING + pdf.paragraphs_height(method, 9.5))  # no page of a stray tail
    pdf.ensure_space(SUBHEADING + pdf.paragraphs_height(method, 9.5))  # else all on the next
    pdf.subheading("Method")
    for text in method:
        pdf.paragraph(text, size=9.5)


def _chart(pdf: ReportPDF, chart: Any, title: str, caption: str | None = None,
           width: int = CHART_PX, height: int | None = None, keep: float = 0.0) -> None:
    """``chart`` (a chart builder's) ``width`` px wide with its plot ``height`` px tall
    (default: the chart's own), drawn shorter where that keeps it on the page
    (:meth:`ReportPDF.chart`)."""
    drawn = _drawn(chart, width, height)
    pdf.chart(drawn(1.0), title, caption, shorter=drawn, keep=keep)


def _drawn(chart: Any, width: int = CHART_PX,
           height: int | None = None) -> Callable[[float], bytes]:
    """``drawn(share)``: ``chart`` as a PNG ``width`` px wide with its plot at ``share`` of
    ``height`` px (default: the chart's own), each share drawn once (a section measured
    before it is drawn draws its charts twice)."""
    plot = height or chart.height

    @functools.cache
    def drawn(share: float) -> bytes:
        return chart_png(chart, width, round(plot * share))

    return drawn
