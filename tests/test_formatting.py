"""Money, numbers, percentages and dates per client currency."""

from __future__ import annotations

import pytest

from kiri_core import formatting as fmt


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        ("SEK", "1 234 567 kr"),
        ("NOK", "1 234 567 kr"),
        ("DKK", "1.234.567 kr."),
        ("EUR", "€1,234,567"),
        ("GBP", "£1,234,567"),
        ("USD", "$1,234,567"),
        ("sek", "1 234 567 kr"),
    ],
)
def test_money_per_currency(currency: str, expected: str) -> None:
    assert fmt.money(1234567.4, currency) == expected


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (-1500.0, "SEK", "-1 500 kr"),
        (-1500.0, "USD", "-$1,500"),
        (-0.4, "SEK", "0 kr"),
        (999.5, "SEK", "1 000 kr"),
        (None, "SEK", "–"),
        (float("nan"), "USD", "–"),
    ],
)
def test_money_edge_values(value: float | None, currency: str, expected: str) -> None:
    assert fmt.money(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [(1_234_567, "SEK", "1,2 M kr"), (1_234_567, "USD", "$1.2M"), (45_000, "EUR", "€45.0k"),
     (2.5e9, "NOK", "2,5 bn kr"), (950, "SEK", "950 kr")],
)
def test_money_compact(value: float, currency: str, expected: str) -> None:
    assert fmt.money_compact(value, currency) == expected


def test_percent_roas_and_change_follow_the_locale() -> None:
    assert fmt.percent(0.314, "SEK") == "31 %"
    assert fmt.percent(0.314, "USD", 1) == "31.4%"
    assert fmt.roas(1.9, "SEK") == "1,90"
    assert fmt.roas(1.9, "GBP") == "1.90"
    assert fmt.signed_percent(0.125, "SEK") == "+12,5 %"
    assert fmt.signed_percent(-0.03, "USD") == "-3.0%"


@pytest.mark.parametrize(
    ("currency", "expected"),
    [("SEK", "2016-01-04"), ("NOK", "04.01.2016"), ("USD", "Jan 04, 2016"),
     ("EUR", "04 Jan 2016")],
)
def test_dates_as_the_client_writes_them(currency: str, expected: str) -> None:
    assert fmt.format_date("2016-01-04", currency) == expected


def test_period_joins_two_dates() -> None:
    assert fmt.period("2016-01-04", "2018-12-31", "SEK") == "2016-01-04 – 2018-12-31"


def test_unknown_currency_names_the_problem() -> None:
    with pytest.raises(ValueError, match="Unsupported currency 'XYZ'.*SEK"):
        fmt.money(1.0, "XYZ")
