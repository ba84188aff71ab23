"""Data page: CSV upload with mapping, problems and preview; generated data; viewer read-only."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1.element_tree import Dataframe

from kiri_core import generator
from kiri_core.db.models import ModelRun
from kiri_core.services import datasets, runs
from ui.data_preview import NO_CHART, PROBLEM_CELL
from ui.tables import preview_columns, preview_frame


def csv_bytes(weeks: int = 60, seed: int = 2) -> bytes:
    frame, _ = generator.generate(weeks, seed)
    return frame.to_csv(index=False).encode()


def marked_cells(table: Dataframe) -> set[tuple[int, str]]:
    """``(row of the file, column)`` of every cell the preview's style sheet marks."""
    frame, marked = table.value, set()
    for selectors, style in re.findall(r"([^{}]+)\{([^}]*)\}",
                                       table.proto.arrow_data.styler.styles):
        if PROBLEM_CELL.split(";")[0] in style:
            for row, col in re.findall(r"_row(\d+)_col(\d+)", selectors):
                marked.add((int(frame.index[int(row)]), frame.columns[int(col)]))
    return marked


def test_valid_upload_is_previewed_mapped_and_saved(session, team, open_page, text_of):
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("acme.csv", csv_bytes(), "text/csv").run()
    assert not app.exception
    assert app.success[0].value == "60 rows look good."
    assert len(app.get("vega_lite_chart")) == 1 and NO_CHART not in text_of(app)
    spend = next(m for m in app.multiselect if m.label.startswith("Spend"))
    assert spend.value == ["spend_meta", "spend_google", "spend_tiktok", "spend_email"]
    spend.set_value(["spend_meta", "spend_google"]).run()
    next(b for b in app.button if b.label == "Save dataset version").click().run()
    assert "Saved as version v1 (60 rows)" in app.success[-1].value
    assert [(link.label, link.proto.page) for link in app.get("page_link")] == [
        ("Start a run on it", "runs")]  # the next step, where the audit found none
    (saved,) = datasets.list_datasets(session, team.analyst, team.client.id)
    assert saved.column_mapping["spend"] == ["spend_meta", "spend_google"]
    versions = app.dataframe[-1].value
    assert versions.iloc[0][["Dataset", "Source", "Weeks"]].tolist() == [
        f"v1 · {saved.name}", "acme.csv", 60]


def test_invalid_upload_lists_every_problem_and_cannot_be_saved(session, team, open_page,
                                                                text_of):
    text = csv_bytes().decode().splitlines()
    text[3] = text[3].replace(text[3].split(",")[2], "-100", 1)  # negative spend_meta, row 4
    text[5] = ",".join(["2022-13-45", *text[5].split(",")[1:]])  # bad date, row 6
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("bad.csv", "\n".join(text).encode()).run()
    message = app.error[0].value
    assert "row 4, column 'spend_meta': spend -100 is negative" in message
    assert "row 6, column 'date': '2022-13-45' is not a date" in message
    save = next(b for b in app.button if b.label == "Save dataset version")
    assert save.disabled
    assert datasets.list_datasets(session, team.analyst, team.client.id) == []
    preview = app.dataframe[0]
    assert preview.value.index[0] == 2  # the file's rows, from the top: both problems show
    assert marked_cells(preview) == {(4, "spend_meta"), (6, "date")}
    assert "Rows 2–21 of the file: the cells with a problem are marked." in text_of(app)


def test_a_date_column_of_week_labels_gets_one_line_and_no_empty_chart(session, team,
                                                                       open_page, text_of):
    """The audit's file: ten "is not a date" lines, "94 more rows" and an empty chart."""
    frame, _ = generator.generate(104, 2)
    weeks = frame.rename(columns={"date": "vecka"}).assign(
        vecka=[f"v{i + 1}" for i in range(len(frame))])
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("veckor.csv", weeks.to_csv(index=False).encode(),
                                                "text/csv").run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "1 problem must be fixed before this file can be saved:\n\n- Column 'vecka' has no "
        "readable dates (104 of 104 rows, e.g. 'v1', 'v2'): is it the date column? Dates must "
        "look like 2024-01-29 or 29/01/2024."]
    assert not app.get("vega_lite_chart")
    assert NO_CHART in [c.value for c in app.caption]
    assert list(app.dataframe[0].value["vecka"][:2]) == ["v1", "v2"]  # the preview stays
    assert next(b for b in app.button if b.label == "Save dataset version").disabled
    assert datasets.list_datasets(session, team.analyst, team.client.id) == []


def test_a_bad_cell_past_the_first_rows_is_shown_and_marked(session, team, open_page,
                                                             text_of):
    lines = csv_bytes().decode().splitlines()
    cells = lines[39].split(",")  # row 40 of the file: the header is row 1
    cells[2] = '"12,5kr"'  # spend_meta as an export with the currency in the cell writes it
    lines[39] = ",".join(cells)
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("bad.csv", "\n".join(lines).encode()).run()
    assert not app.exception
    assert "row 40, column 'spend_meta': '12,5kr' is not a number" in app.error[0].value
    preview = app.dataframe[0]
    assert list(preview.value.index) == list(range(35, 55))  # around row 40, not rows 2-21
    assert preview.value.loc[40, "spend_meta"] == "12,5kr"
    assert marked_cells(preview) == {(40, "spend_meta")}
    assert ("Rows 35–54 of the file, around row 40, the first with a problem: the cells with "
            "a problem are marked.") in text_of(app)
    assert next(b for b in app.button if b.label == "Save dataset version").disabled
    assert datasets.list_datasets(session, team.analyst, team.client.id) == []


def test_problem_rows_below_the_preview_are_named_under_it(session, team, open_page, text_of):
    lines = csv_bytes().decode().splitlines()
    for row in (30, 58):
        cells = lines[row - 1].split(",")
        cells[3] = "-5"  # a negative spend_google
        lines[row - 1] = ",".join(cells)
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("bad.csv", "\n".join(lines).encode()).run()
    assert marked_cells(app.dataframe[0]) == {(30, "spend_google")}
    assert "Rows with a problem below these: 58." in text_of(app)


def test_an_upload_without_problems_marks_nothing_and_shows_no_row_numbers(session, team,
                                                                            open_page):
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("acme.csv", csv_bytes()).run()
    preview = app.dataframe[0]
    assert marked_cells(preview) == set()
    hidden = json.loads(preview.proto.columns)["_index"]["hidden"]
    assert hidden is True  # the width the row numbers take would hide a column at 1024 px
    assert not [c for c in app.caption if c.value.startswith("Rows ")]


def test_a_swedish_excel_export_is_mapped_by_its_swedish_names(session, team, open_page):
    frame, _ = generator.generate(60, 2)
    swedish = frame.rename(columns={"date": "Vecka", "revenue": "Intäkter"})
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload(
        "export.csv", swedish.to_csv(sep=";", decimal=",", index=False).encode()).run()
    assert not app.exception
    picked = {box.label: box.value for box in app.selectbox}
    assert picked["Date column (week start)"] == "Vecka"
    assert picked["Outcome column (revenue or conversions)"] == "Intäkter"
    assert "Runs read it as Revenue (ROAS) by default." in [c.value for c in app.caption]
    assert app.success[0].value == "60 rows look good."


def test_an_outcome_column_of_orders_is_read_as_conversions(session, team, open_page):
    frame, _ = generator.generate(60, 2)
    orders = frame.rename(columns={"revenue": "Orders"})
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload(
        "orders.csv", orders.to_csv(index=False).encode()).run()
    assert not app.exception
    outcome = next(b for b in app.selectbox if b.label.startswith("Outcome column"))
    assert (outcome.label, outcome.value) == ("Outcome column (revenue or conversions)",
                                              "Orders")
    assert "Runs read it as Conversions (CPA) by default." in [c.value for c in app.caption]


def test_without_an_outcome_column_nothing_is_guessed_and_saving_waits(session, team,
                                                                       open_page):
    frame, _ = generator.generate(60, 2)
    only_spend = frame[["date", "spend_meta", "spend_google", "promo_flag"]]
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload(
        "spend.csv", only_spend.to_csv(index=False).encode()).run()
    assert not app.exception
    outcome = next(b for b in app.selectbox if b.label.startswith("Outcome column"))
    assert outcome.value is None
    assert "no outcome column (revenue or conversions) is chosen" in app.error[0].value
    assert next(b for b in app.button if b.label == "Save dataset version").disabled


def test_not_a_csv_is_refused_with_its_reason(session, team, open_page):
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("x.csv", bytes(range(256)) * 4).run()
    assert "not a CSV text file" in app.error[0].value


def test_generate_test_data_saves_a_version_with_truth(session, team, open_page, cut_cells):
    """The new version is listed, its name and source whole in a 1024 px window (audit 11:
    "v2 · Test data, seed 7, steady s" and "Generated (known" were cut there); its known
    truth is told in the Source column's help."""
    app = open_page("pages/data.py", team.analyst, team.client)
    app.number_input[0].set_value(80)
    next(b for b in app.button if b.label == "Generate test data").click().run()
    assert "Saved generated data as version v1" in app.success[0].value
    assert [link.label for link in app.get("page_link")] == ["Start a run on it"]
    table = app.dataframe[-1].value
    assert list(table["Source"]) == ["Generated"] and list(table["Weeks"]) == [80]
    assert "known truth" in json.loads(app.dataframe[-1].proto.columns)["Source"]["help"]
    for window in (1024, 1440):
        assert cut_cells(app.dataframe[-1], window, list(table.columns)) == []


def test_generate_with_varied_always_on_spend(session, team, open_page):
    app = open_page("pages/data.py", team.analyst, team.client)
    app.radio[0].set_value("varied")
    next(b for b in app.button if b.label == "Generate test data").click().run()
    assert not app.exception
    saved = datasets.list_datasets(session, team.analyst, team.client.id)[0]
    assert saved.ground_truth["spend_profile"] == "varied"
    expected, _ = generator.generate(156, 7, spend_profile="varied")
    stored = datasets.load_frame(session, team.analyst, saved.id)
    assert stored["spend_google"].tolist() == expected["spend_google"].tolist()


def test_viewer_cannot_upload_or_generate(session, team, open_page, text_of):
    app = open_page("pages/data.py", team.viewer, team.client)
    assert not app.exception
    assert "uploading needs the analyst role" in text_of(app)
    assert not app.button


def test_spend_columns_named_the_users_way_are_guessed(session, team, open_page):
    frame, _ = generator.generate(60, 2)
    own_names = frame.rename(columns={"spend_meta": "Facebook spend",
                                      "spend_google": "Google Ads",
                                      "spend_tiktok": "TikTok cost"}).drop(columns="spend_email")
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload(
        "own.csv", own_names.to_csv(index=False).encode()).run()
    assert not app.exception
    spend = next(m for m in app.multiselect if m.label == "Spend columns (paid media)")
    assert spend.value == ["Facebook spend", "Google Ads", "TikTok cost"]
    assert app.success[0].value == "60 rows look good."
    spend.set_value([]).run()
    assert ("no spend columns are chosen: pick at least 2 in \u201cSpend columns (paid media)"
            "\u201d") in app.error[0].value


def test_the_preview_writes_numbers_the_clients_way(session, team, open_page):
    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-08"],
                          "revenue": [1416294.63, 98000.5],
                          "spend_meta": [12000.0, None], "promo_flag": [0, 1]})
    app = open_page("pages/data.py", team.analyst, team.client)
    app.file_uploader(key="upload_file").upload("acme.csv", frame.to_csv(index=False).encode(),
                                                "text/csv").run()
    shown = app.dataframe[0].value
    assert list(shown["revenue"]) == ["1 416 294,63", "98 000,50"]
    assert list(shown["spend_meta"]) == ["12 000", ""]
    assert list(shown["promo_flag"]) == ["0", "1"]
    assert list(shown["date"]) == ["2024-01-01", "2024-01-08"]


@pytest.mark.parametrize(("currency", "expected"), [("SEK", "1 234,50"),
                                                    ("USD", "1,234.50"), ("DKK", "1.234,50")])
def test_preview_frame_follows_the_currency_style(currency, expected):
    frame = pd.DataFrame({"revenue": [1234.5, 10.0]})
    assert preview_frame(frame, currency)["revenue"].iloc[0] == expected


def test_preview_frame_keeps_only_the_first_rows():
    frame = pd.DataFrame({"revenue": range(50)})
    assert list(preview_frame(frame, "SEK", rows=3)["revenue"]) == ["0", "1", "2"]


def test_preview_frame_shows_a_cell_that_is_not_a_number_as_written():
    frame = pd.DataFrame({"spend_meta": ["12000.5", "12 k", ""]})
    assert list(preview_frame(frame, "USD")["spend_meta"]) == ["12,000.50", "12 k", ""]


def test_preview_columns_put_number_columns_to_the_right():
    frame = pd.DataFrame({"date": ["2024-01-01"], "revenue": ["1416294.63"],
                          "note": ["launch"]})
    assert list(preview_columns(frame)) == ["revenue"]


def test_an_analyst_deletes_a_version_after_being_asked(session, team, open_page, text_of):
    for seed in (1, 2):
        datasets.generate_dataset(session, team.analyst, team.client.id, 60, seed)
    assert not open_page("pages/data.py", team.viewer, team.client).get("popover")
    app = open_page("pages/data.py", team.analyst, team.client)
    app.selectbox(key="delete_version").select_index(1).run()  # v1, the older
    [ask] = [p for p in app.get("popover") if p.proto.popover.label == "Delete v1"]
    assert "Delete v1 (Test data, seed 1" in ask.markdown[0].value
    assert "Runs already made on it keep their results" in ask.markdown[0].value
    assert len(datasets.list_datasets(session, team.viewer, team.client.id)) == 2  # only asked
    ask.button[0].click().run()
    assert not app.exception
    assert "Deleted v1 (Test data, seed 1" in text_of(app)
    assert app.dataframe[-1].value["Dataset"].str.startswith("v2 · ").tolist() == [True]
    assert [d.version for d in datasets.list_datasets(session, team.viewer, team.client.id)] \
        == [2]


def test_a_refused_delete_closes_its_popover_and_says_why(session, team, open_page):
    first = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 1)
    datasets.generate_dataset(session, team.analyst, team.client.id, 60, 2)
    run = ModelRun(client_id=team.client.id, dataset_id=first.id, status="queued",
                   config=runs.default_config(first), created_by_id=team.analyst.id)
    session.add(run)
    session.commit()
    app = open_page("pages/data.py", team.analyst, team.client)
    app.selectbox(key="delete_version").select_index(1).run()  # v1, the one with the run
    [ask] = [p for p in app.get("popover") if p.proto.popover.label == "Delete v1"]
    ask.button[0].click().run()
    assert not app.exception
    refusal = re.compile(r"Nothing was deleted: run #\d+ on dataset v1 .* is still in progress")
    assert [e for e in app.error if refusal.match(e.value)]
    [again] = [p for p in app.get("popover") if p.proto.popover.label == "Delete v1"]
    assert again.proto.id != ask.proto.id  # a new popover: the browser shows it closed
    assert app.dataframe[-1].value["Dataset"].str[:2].tolist() == ["v2", "v1"]
    assert [d.version for d in datasets.list_datasets(session, team.viewer, team.client.id)] \
        == [2, 1]
    app.run()
    assert not [e for e in app.error if refusal.match(e.value)]  # said once
