"""The UX audit 7: a percentage never reads 0 % or ±100 % when it is not (a 1 000 kr budget
read "Budget -100 %"), and the money boxes read the Nordic thousands shorthand "tkr" as they
read "mkr" (finding 13)."""

from __future__ import annotations

import pytest

from kiri_core import formatting as fmt


@pytest.mark.parametrize(("change", "decimals", "shown"), [
    (-0.998922, 0, "-99,9 %"),  # 1 000 kr on 927 994 kr
    (-0.9999989, 0, "-99,9999 %"),
    (0.003, 0, "+0,3 %"),
    (0.0004, 1, "+0,04 %"),
    (0.9996, 0, "+99,96 %"),
    (-1.0, 0, "-100 %"),
    (1.0, 1, "+100,0 %"),
    (0.0, 0, "+0 %"),
    (1e-12, 1, "+0,0 %"),  # rounding noise reads as none
    (-0.26, 0, "-26 %"),
    (4.388, 0, "+439 %"),
])
def test_a_change_reads_0_or_100_percent_only_when_it_is(change: float, decimals: int,
                                                         shown: str) -> None:
    assert fmt.signed_percent(change, "SEK", decimals) == shown


def test_a_share_reads_0_or_100_percent_only_when_it_is() -> None:
    assert [fmt.percent(share, "USD") for share in (0.002, 0.9996, 1.0, 0.0, 0.314)] == [
        "0.2%", "99.96%", "100%", "0%", "31%"]


@pytest.mark.parametrize(("currency", "text", "amount"), [
    ("SEK", "12,5 tkr", 12_500.0),
    ("SEK", "12,5tkr", 12_500.0),
    ("SEK", "12,5 t kr", 12_500.0),
    ("SEK", "250 TSEK", 250_000.0),
    ("NOK", "250 tkr", 250_000.0),
    ("DKK", "12,5 t.kr.", 12_500.0),
    ("DKK", "12,5 t. kr.", 12_500.0),
])
def test_the_nordic_thousands_shorthand_is_read(currency: str, text: str, amount: float) -> None:
    assert fmt.parse_money(text, currency) == amount


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP"])
def test_a_t_is_no_thousand_where_english_reads_a_trillion(currency: str) -> None:
    with pytest.raises(fmt.AmountError, match="is not an amount"):
        fmt.parse_money("12t", currency)


def test_the_hint_names_the_k_shorthand() -> None:
    with pytest.raises(fmt.AmountError) as error:
        fmt.parse_money("lots", "SEK")
    assert str(error.value).endswith("for example 1 250 000, 250k or 1,25m.")
