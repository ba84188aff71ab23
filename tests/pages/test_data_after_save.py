"""Data page: a file in another currency than the client's is refused; after a save the file
leaves the upload box, and the same numbers again are refused naming their version."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from kiri_core import generator
from kiri_core.services import datasets

SAVE = "Save dataset version"
SPEND = ["spend_meta", "spend_google", "spend_tiktok", "spend_email"]


def numbers() -> pd.DataFrame:
    """60 weeks of generated data, amounts in whole cents as an export writes them."""
    return generator.generate(60, 2)[0].round(2)


def in_euros(frame: pd.DataFrame) -> bytes:
    """``frame`` as a European export writes amounts: "€833.299,20" (audit: euro.csv)."""
    euros = {c: [f"€{x:,.2f}".translate(str.maketrans(",.", ".,")) for x in frame[c]]
             for c in ["revenue", *SPEND]}
    return frame.assign(**euros).to_csv(index=False).encode()


def in_swedish(frame: pd.DataFrame) -> bytes:
    """``frame`` as Swedish Excel saves it: semicolons, decimal commas (audit: swedish.csv)."""
    return frame.to_csv(sep=";", decimal=",", index=False).encode()


def uploaded(app: AppTest, name: str, data: bytes) -> AppTest:
    """``app`` after ``data`` is put in its (only) file box."""
    return app.file_uploader[0].upload(name, data, "text/csv").run()


def save_button(app: AppTest):
    return next((b for b in app.button if b.label == SAVE), None)


def test_a_file_in_euros_for_a_swedish_client_cannot_be_saved(session, team, open_page):
    app = uploaded(open_page("pages/data.py", team.analyst, team.client), "euro.csv",
                   in_euros(numbers()))
    assert not app.exception
    assert [e.value for e in app.error] == [
        "1 problem must be fixed before this file can be saved:\n\n- columns 'revenue', "
        "'spend_meta', 'spend_google', 'spend_tiktok' and 'spend_email' are in € but Acme AB "
        "reports in SEK: convert the amounts to SEK (or change the client's currency) and "
        "load the data again"]
    assert not app.success  # was "60 rows look good."
    assert save_button(app).disabled
    [chart] = app.get("vega_lite_chart")  # the file as written, in euros, not in kronor
    spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
    assert "'€' + format(" in spec and " kr'" not in spec
    assert datasets.list_datasets(session, team.analyst, team.client.id) == []


def test_a_saved_file_leaves_the_upload_box(session, team, open_page):
    app = uploaded(open_page("pages/data.py", team.analyst, team.client), "acme.csv",
                   in_swedish(numbers()))
    save_button(app).click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Saved as version v1 (60 rows)."]
    assert [link.label for link in app.get("page_link")] == ["Start a run on it"]
    assert save_button(app) is None and not app.text_input  # no form left to save again
    (box,) = app.file_uploader
    assert box.value is None
    assert app.dataframe[-1].value["Dataset"].tolist() == ["v1 · acme.csv"]
    app.run()  # the notice is said once
    assert not app.success and len(datasets.list_datasets(session, team.analyst,
                                                          team.client.id)) == 1


def test_the_same_numbers_written_another_way_are_refused_naming_their_version(
        session, team, open_page):
    """The audit's swedish.csv and euro.csv, for a client in euros: one version, not two."""
    app = uploaded(open_page("pages/data.py", team.outsider, team.other_client), "euro.csv",
                   in_euros(numbers()))
    assert [s.value for s in app.success] == ["60 rows look good."]  # € is Other AB's own
    save_button(app).click().run()
    uploaded(app, "swedish.csv", in_swedish(numbers()))
    assert not app.error
    save_button(app).click().run()
    assert [e.value for e in app.error] == [
        "Nothing was saved: this data is already saved as version v1 (euro.csv), with the "
        "same columns."]
    assert [d.version for d in datasets.list_datasets(session, team.outsider,
                                                      team.other_client.id)] == [1]
