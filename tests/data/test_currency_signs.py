"""Amounts written with a currency sign: read as numbers, and a problem when the sign is not
the client's currency (a EUR file for a SEK client was read as kronor without a word)."""

from __future__ import annotations

import pandas as pd
import pytest

from kiri_core.data.validation import (
    SIGNS,
    ColumnMapping,
    read_csv,
    validate_frame,
    written_currency,
)
from kiri_core.generator import generate

MAPPING = ColumnMapping(date="date", dep_var="revenue",
                        spend=("spend_meta", "spend_google", "spend_tiktok", "spend_email"),
                        context=("promo_flag",))


def signed(frame: pd.DataFrame, sign: str, columns: list[str]) -> bytes:
    """``frame`` as a comma-separated file whose ``columns`` are written "€71.293"."""
    written = {c: [f"{sign}{x:,.0f}".replace(",", ".") for x in frame[c]] for c in columns}
    return frame.assign(**written).to_csv(index=False).encode()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate(60, seed=2)[0]


def test_read_csv_keeps_which_columns_carried_which_sign(frame: pd.DataFrame) -> None:
    euros = read_csv(signed(frame, "€", ["revenue", "spend_meta"]))
    assert euros.attrs[SIGNS] == {"revenue": ("€",), "spend_meta": ("€",)}
    assert euros["spend_meta"].iloc[0] == f"{frame['spend_meta'].iloc[0]:.0f}"  # read as now
    dollars = read_csv('date,spend_meta\n2020-01-06,"$1,234.50"\n2020-01-13,-€99\n'.encode())
    assert dollars.attrs[SIGNS] == {"spend_meta": ("$", "€")}
    assert read_csv(frame.to_csv(index=False).encode()).attrs[SIGNS] == {}


def test_amounts_in_another_currency_than_the_clients_are_one_problem(frame) -> None:
    euros = read_csv(signed(frame, "€", ["spend_meta"]))
    assert [str(p) for p in validate_frame(euros, MAPPING, currency="SEK", client="Acme AB")] \
        == ["column 'spend_meta' is in € but Acme AB reports in SEK: convert the amounts to "
            "SEK (or change the client's currency) and load the data again"]


def test_every_column_in_the_other_currency_is_named_on_one_line(frame) -> None:
    data = read_csv(signed(frame, "$", ["revenue", "spend_meta", "spend_google"]))
    (problem,) = validate_frame(data, MAPPING, currency="EUR", client="Other AB")
    assert problem.message.startswith("columns 'revenue', 'spend_meta' and 'spend_google' are "
                                      "in $ but Other AB reports in EUR: convert the amounts to "
                                      "EUR")
    assert problem.row is None  # a whole column: no cell of the preview is marked


@pytest.mark.parametrize(("sign", "currency"), [("€", "EUR"), ("$", "USD"), ("£", "GBP")])
def test_the_clients_own_sign_is_read_as_before(frame, sign: str, currency: str) -> None:
    data = read_csv(signed(frame, sign, ["revenue", "spend_meta"]))
    assert validate_frame(data, MAPPING, currency=currency, client="Acme") == []


def test_without_a_currency_signs_are_read_as_before(frame) -> None:
    """The CLI knows no client: its files are read as they were."""
    assert validate_frame(read_csv(signed(frame, "€", ["spend_meta"])), MAPPING) == []


def test_a_column_left_out_of_the_model_may_be_in_any_currency(frame) -> None:
    data = read_csv(signed(frame.assign(spend_print=frame["spend_meta"]), "€", ["spend_print"]))
    assert validate_frame(data, MAPPING, currency="SEK", client="Acme AB") == []


def test_a_file_is_shown_in_the_currency_its_signs_name(frame) -> None:
    """A refused file in euros was previewed and charted in kronor under its refusal."""
    euros = read_csv(signed(frame, "€", ["revenue", "spend_meta"]))
    mixed = read_csv('date,spend_meta\n2020-01-06,"$1,234.50"\n2020-01-13,-€99\n'.encode())
    assert written_currency(euros, "SEK") == "EUR"
    assert written_currency(read_csv(frame.to_csv(index=False).encode()), "SEK") == "SEK"
    assert written_currency(mixed, "SEK") == "SEK"  # two signs: the client's, as before


def suffixed(frame: pd.DataFrame, sign: str, columns: list[str]) -> bytes:
    """``frame`` as a Nordic Excel export whose ``columns`` are written "1 567 327,76 kr"."""
    written = {c: [f"{x:,.2f}".replace(",", " ").replace(".", ",") + sign for x in frame[c]]
               for c in columns}
    return frame.assign(**written).to_csv(sep=";", index=False).encode()


@pytest.mark.parametrize(("sign", "currency", "problem"), [
    (" kr", "SEK", None), (" kr", "NOK", None), (" kr.", "DKK", None), (" SEK", "SEK", None),
    (" €", "EUR", None),
    (" kr", "EUR", "columns 'revenue' and 'spend_meta' are in kr but Acme reports in EUR"),
    (" SEK", "NOK", "columns 'revenue' and 'spend_meta' are in SEK but Acme reports in NOK"),
    (" €", "SEK", "columns 'revenue' and 'spend_meta' are in € but Acme reports in SEK"),
])
def test_a_sign_after_the_amount_is_read_and_checked_like_one_before(
    frame, sign: str, currency: str, problem: str | None
) -> None:
    """A Swedish export's "1 567 327,76 kr" was no number: now read, and kept like "€1.200"
    to compare with the client's currency ("kr" is any of the kronor)."""
    data = read_csv(suffixed(frame, sign, ["revenue", "spend_meta"]))
    written = sign.strip().removesuffix(".")
    assert data.attrs[SIGNS] == {"revenue": (written,), "spend_meta": (written,)}
    found = [str(p) for p in validate_frame(data, MAPPING, currency=currency, client="Acme")]
    assert found == ([] if problem is None else [
        f"{problem}: convert the amounts to {currency} (or change the client's currency) and "
        "load the data again"])


@pytest.mark.parametrize(("sign", "client", "shown"), [
    (" kr", "SEK", "SEK"), (" kr", "NOK", "NOK"), (" SEK", "EUR", "SEK"),
    (" kr", "EUR", "EUR"),  # kronor, but which: shown in the client's currency
])
def test_a_file_in_kronor_is_shown_in_the_kronor_its_signs_name(frame, sign: str,
                                                                client: str, shown: str) -> None:
    data = read_csv(suffixed(frame, sign, ["revenue", "spend_meta"]))
    assert written_currency(data, client) == shown
