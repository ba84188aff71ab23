"""Money, numbers, percentages and dates per client currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [(1_234_567, "SEK", "1,2 M"), (1_234_567, "USD", "1.2M"), (950, "SEK", "950"),
     (None, "SEK", "–")],
)
def test_number_compact_is_money_compact_without_the_currency(value: float | None,
                                                              currency: str,
                                                              expected: str) -> None:
    assert fmt.number_compact(value, currency) == expected


def test_percent_roas_and_change_follow_the_locale() -> None:
    assert fmt.percent(0.314, "SEK") == "31 %"
    assert fmt.percent(0.314, "USD", 1) == "31.4%"
    assert fmt.roas(1.9, "SEK") == "1,90"
    assert fmt.roas(1.9, "GBP") == "1.90"
    assert fmt.signed_percent(0.125, "SEK") == "+12,5 %"
    assert fmt.signed_percent(-0.03, "USD") == "-3.0%"
    assert [fmt.interval_name(c) for c in ("SEK", "EUR")] == ["90 % interval", "90% interval"]


@pytest.mark.parametrize(
    ("currency", "expected"),
    [("SEK", "2016-01-04"), ("NOK", "04.01.2016"), ("DKK", "04.01.2016"),
     ("USD", "Jan 4, 2016"), ("EUR", "4 Jan 2016"), ("GBP", "4 Jan 2016")],
)
def test_dates_as_the_client_writes_them(currency: str, expected: str) -> None:
    assert fmt.format_date("2016-01-04", currency) == expected


@pytest.mark.parametrize(("first", "last", "currency", "shown"), [
    ("2016-01-04", "2018-12-24", "SEK", "2016-01-04 – 2018-12-30"),  # 156 weeks to a Sunday
    ("2022-01-03", "2023-12-25", "SEK", "2022-01-03 – 2023-12-31"),  # not "– 2023-12-25"
    ("2023-12-25", "2023-12-25", "EUR", "25 Dec 2023 – 31 Dec 2023"),
])
def test_a_period_of_weeks_runs_to_its_last_week_s_end(first: str, last: str, currency: str,
                                                       shown: str) -> None:
    """The cover read "2022-01-03 – 2023-12-25 · 104 weeks": a reader counted 103."""
    assert fmt.weeks_period(first, last, currency) == shown


def test_unknown_currency_names_the_problem() -> None:
    with pytest.raises(ValueError, match="Unsupported currency 'XYZ'.*SEK"):
        fmt.money(1.0, "XYZ")


@pytest.mark.parametrize(
    ("currency", "text", "expected"),
    [
        # plain digits and space-grouped thousands read the same in every currency
        *[(currency, "1250000", 1_250_000.0) for currency in fmt.CURRENCIES],
        *[(currency, "1 250 000", 1_250_000.0) for currency in fmt.CURRENCIES],
        # each currency's own separators
        ("SEK", "1 250 000,50", 1_250_000.5),
        ("NOK", "1 250 000,5", 1_250_000.5),
        ("DKK", "1.250.000", 1_250_000.0),
        ("DKK", "1.250.000,75", 1_250_000.75),
        ("EUR", "1,250,000", 1_250_000.0),
        ("GBP", "1,250,000.25", 1_250_000.25),
        ("USD", "1,250,000", 1_250_000.0),
        ("USD", "12.5", 12.5),
        ("SEK", "12,5", 12.5),
        # shorthands, in any case, with or without a space
        ("SEK", "250k", 250_000.0),
        ("SEK", "1,25m", 1_250_000.0),
        ("NOK", "2 mn", 2_000_000.0),
        ("DKK", "1,5bn", 1_500_000_000.0),
        ("EUR", "0.5M", 500_000.0),
        ("GBP", "250K", 250_000.0),
        ("USD", "1.25m", 1_250_000.0),
        ("USD", "1.255m", 1_255_000.0),
        # the currency's sign or code, non-breaking spaces, surrounding spaces, any case
        ("SEK", "1 250 000 kr", 1_250_000.0),
        ("SEK", "SEK 1250000", 1_250_000.0),
        ("SEK", "1,25 mkr", 1_250_000.0),
        ("DKK", "1.250.000 kr.", 1_250_000.0),
        ("USD", "$1,250,000", 1_250_000.0),
        ("EUR", "€1,250,000", 1_250_000.0),
        ("GBP", "£250k", 250_000.0),
        ("SEK", "1\u00a0250\u202f000\u00a0kr", 1_250_000.0),
        ("sek", "  1 250 000  ", 1_250_000.0),
        ("SEK", "0", 0.0),
        # the Nordic thousands shorthand, for kr only ("12t" is refused for USD, EUR, GBP)
        ("SEK", "12,5 tkr", 12_500.0),
        ("SEK", "12,5tkr", 12_500.0),
        ("SEK", "12,5 t kr", 12_500.0),
        ("SEK", "250 TSEK", 250_000.0),
        ("NOK", "250 tkr", 250_000.0),
        ("DKK", "12,5 t.kr.", 12_500.0),
        ("DKK", "12,5 t. kr.", 12_500.0),
    ],
)
def test_parse_money_reads_what_users_type(currency: str, text: str, expected: float) -> None:
    assert fmt.parse_money(text, currency) == expected


@pytest.mark.parametrize("currency", fmt.CURRENCIES)
@pytest.mark.parametrize("amount", [0.0, 950.0, 1_234_567.0, 1_250_000.5, 12_000_000_000.0])
def test_parse_money_reads_back_what_money_prints(currency: str, amount: float) -> None:
    decimals = 0 if amount.is_integer() else 2
    assert fmt.parse_money(fmt.money(amount, currency, decimals), currency) == amount
    assert fmt.parse_money(fmt.number(amount, currency, decimals), currency) == amount


@pytest.mark.parametrize("currency", fmt.CURRENCIES)
def test_parse_money_reads_back_compact_money(currency: str) -> None:
    assert fmt.parse_money(fmt.money_compact(1_200_000, currency), currency) == 1_200_000
    assert fmt.parse_money(fmt.money_compact(45_000, currency), currency) == 45_000


SEK_SEPARATORS = ("does not read as an amount in SEK; group thousands with spaces (or not at "
                  "all) and mark at most two decimals with \u201c,\u201d, for example "
                  "1 250 000, 250k or 1,25m.")
USD_SEPARATORS = ("does not read as an amount in USD; group thousands with \u201c,\u201d (or not "
                  "at all) and mark at most two decimals with \u201c.\u201d, for example "
                  "1,250,000, 250k or 1.25m.")


@pytest.mark.parametrize(
    ("currency", "text", "message"),
    [
        ("SEK", "", "Enter an amount, for example 1 250 000."),
        ("USD", "   ", "Enter an amount, for example 1,250,000."),
        ("DKK", None, "Enter an amount, for example 1.250.000."),
        ("SEK", "abc", "\u201cabc\u201d is not an amount; type digits, for example 1 250 000, "
                       "250k or 1,25m."),
        ("USD", "abc", "\u201cabc\u201d is not an amount; type digits, for example 1,250,000, "
                       "250k or 1.25m."),
        ("EUR", "1e6", "\u201c1e6\u201d is not an amount"),
        ("GBP", "inf", "\u201cinf\u201d is not an amount"),
        ("SEK", "kr", "\u201ckr\u201d is not an amount"),
        ("SEK", "5 000 $", "\u201c5 000 $\u201d is not an amount"),
        ("SEK", "-5000", "\u201c-5000\u201d is negative; an amount must be zero or more."),
        ("SEK", "\u22125 000 kr", "\u201c\u22125 000 kr\u201d is negative"),
        ("USD", "-$1,500", "\u201c-$1,500\u201d is negative"),
        ("USD", "$-1,500", "\u201c$-1,500\u201d is negative"),
        # comma marks decimals for SEK, so a comma-grouped amount is refused, not misread
        ("SEK", "1,250,000", f"\u201c1,250,000\u201d {SEK_SEPARATORS}"),
        ("SEK", "1,250", f"\u201c1,250\u201d {SEK_SEPARATORS}"),
        ("SEK", "1.5m", f"\u201c1.5m\u201d {SEK_SEPARATORS}"),
        ("SEK", "1 25 000", f"\u201c1 25 000\u201d {SEK_SEPARATORS}"),
        ("SEK", "1 250,", f"\u201c1 250,\u201d {SEK_SEPARATORS}"),
        ("NOK", "1.250.000",
         "\u201c1.250.000\u201d does not read as an amount in NOK; group thousands with spaces"),
        ("DKK", "1.25m", "\u201c1.25m\u201d does not read as an amount in DKK; group thousands "
                         "with \u201c.\u201d (or not at all) and mark at most two decimals with "
                         "\u201c,\u201d, for example 1.250.000, 250k or 1,25m."),
        ("USD", "1.250.000", f"\u201c1.250.000\u201d {USD_SEPARATORS}"),
        ("USD", "1.250", f"\u201c1.250\u201d {USD_SEPARATORS}"),
        ("EUR", "12,50",
         "\u201c12,50\u201d does not read as an amount in EUR; group thousands with \u201c,\u201d"),
        ("GBP", "1,25m", "\u201c1,25m\u201d does not read as an amount in GBP"),
    ],
)
def test_parse_money_says_what_is_wrong(currency: str, text: str | None, message: str) -> None:
    with pytest.raises(fmt.AmountError) as error:
        fmt.parse_money(text, currency)
    assert str(error.value).startswith(message)


def test_parse_money_with_an_unknown_currency_is_not_an_input_error() -> None:
    with pytest.raises(ValueError, match="Unsupported currency 'XYZ'") as error:
        fmt.parse_money("1 000", "XYZ")
    assert not isinstance(error.value, fmt.AmountError)


@pytest.mark.parametrize(
    ("fraction", "elapsed", "expected"),
    [(0.5, None, None), (0.04, 60.0, None), (0.5, 9.0, None), (1.0, 60.0, None),
     (0.05, 10.0, "about 3 min left"), (0.5, 12.0, "about 10 s left"),
     (0.15, 8.6, None), (0.15, 10.0, "about 1 min left"), (0.35, 60.0, "about 2 min left"),
     (0.6, 30.0, "about 20 s left"), (0.1, 600.0, "about 1 h 30 min left"),
     (0.2, 900.0, "about 1 h left")],
)
def test_time_left_at_the_pace_so_far(fraction: float, elapsed: float | None,
                                      expected: str | None) -> None:
    assert fmt.time_left(fraction, elapsed) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(None, "–"), (0.4, "0 s"), (45.0, "45 s"), (59.6, "1 min 0 s"), (125.0, "2 min 5 s")],
)
def test_duration_in_minutes_and_seconds(seconds: float | None, expected: str) -> None:
    assert fmt.duration(seconds) == expected


@pytest.mark.parametrize(
    ("stored", "zone", "expected"),
    [
        (datetime(2026, 1, 15, 9, 5, 59), "Europe/Stockholm", "2026-01-15 10:05"),  # CET, +1
        (datetime(2026, 7, 15, 9, 5), "Europe/Stockholm", "2026-07-15 11:05"),  # CEST, +2
        (datetime(2026, 3, 29, 0, 59), "Europe/Stockholm", "2026-03-29 01:59"),  # last CET
        (datetime(2026, 3, 29, 1, 0), "Europe/Stockholm", "2026-03-29 03:00"),  # first CEST
        (datetime(2026, 11, 30, 23, 30), "Europe/Stockholm", "2026-12-01 00:30"),  # next day
        (datetime(2026, 1, 15, 9, 5), "America/New_York", "2026-01-15 04:05"),  # EST, -5
        (datetime(2026, 12, 1, 3, 0), "America/New_York", "2026-11-30 22:00"),  # day before
        (datetime(2026, 1, 15, 9, 5), "UTC", "2026-01-15 09:05"),
        (datetime(2026, 1, 15, 9, 5, tzinfo=UTC), "Europe/Stockholm", "2026-01-15 10:05"),
        (None, "Europe/Stockholm", "–"),
    ],
)
def test_timestamp_shows_a_stored_utc_moment_on_the_zones_clock(
        stored: datetime | None, zone: str, expected: str) -> None:
    assert fmt.timestamp(stored, zone) == expected


@pytest.mark.parametrize(("currency", "expected"), [
    ("SEK", "2026-12-01 00:30"), ("NOK", "01.12.2026 00:30"), ("USD", "Dec 1, 2026 00:30"),
    ("EUR", "1 Dec 2026 00:30")])
def test_a_timestamp_for_a_client_writes_its_day_as_the_clients_dates(
        currency: str, expected: str) -> None:
    """The UX audit: a US client's Presentation read "Dec 01, 2026" beside
    "2026-11-30 14:05". One client's calendar dates, stored moments' days and timestamps
    now read alike."""
    stored = datetime(2026, 11, 30, 23, 30)  # 00:30 on 1 December in Stockholm
    shown = fmt.timestamp(stored, "Europe/Stockholm", currency)
    assert shown == expected
    day = fmt.moment_date(stored, "Europe/Stockholm", currency)
    assert shown.startswith(day) and day == fmt.format_date("2026-12-01", currency)
    assert fmt.weeks_period("2026-12-01", "2026-11-25", currency).endswith(f" – {day}")


@pytest.mark.parametrize(
    ("stored", "zone", "currency", "expected"),
    [
        (datetime(2026, 11, 30, 22, 59), "Europe/Stockholm", "SEK", "2026-11-30"),  # 23:59 CET
        (datetime(2026, 11, 30, 23, 0), "Europe/Stockholm", "SEK", "2026-12-01"),  # 00:00 CET
        (datetime(2026, 6, 30, 22, 0), "Europe/Stockholm", "SEK", "2026-07-01"),  # 00:00 CEST
        (datetime(2026, 11, 30, 23, 0), "UTC", "SEK", "2026-11-30"),
        (datetime(2026, 12, 1, 4, 59), "America/New_York", "USD", "Nov 30, 2026"),
        (datetime(2026, 12, 1, 5, 0), "America/New_York", "USD", "Dec 1, 2026"),
    ],
)
def test_moment_date_is_the_day_in_the_zone_written_the_clients_way(
        stored: datetime, zone: str, currency: str, expected: str) -> None:
    assert fmt.moment_date(stored, zone, currency) == expected


def test_today_is_the_date_on_the_zones_clock() -> None:
    east, west = fmt.today("Pacific/Kiritimati"), fmt.today("Pacific/Pago_Pago")  # +14, -11
    assert (east - west) in (timedelta(days=1), timedelta(days=2))
    assert fmt.today("UTC") == datetime.now(UTC).date()


@pytest.mark.parametrize(
    ("name", "known"),
    [("Europe/Stockholm", True), ("America/New_York", True), ("UTC", True),
     ("Europe/Stokholm", False), ("europe/stockholm", False), ("Europe", False), ("", False),
     ("../etc/passwd", False)],
)
def test_is_time_zone_knows_iana_names_only(name: str, known: bool) -> None:
    assert fmt.is_time_zone(name) is known


def test_counted_says_one_problem_and_two_problems() -> None:
    assert (fmt.counted(1, "problem"), fmt.counted(2, "problem")) == ("1 problem", "2 problems")


def test_a_horizon_of_one_week_is_not_1_weeks() -> None:
    assert (fmt.weeks(1), fmt.weeks(4)) == ("1 week", "4 weeks")


@pytest.mark.parametrize(("typed", "currency", "value"), [
    ("0,5", "SEK", 0.5), ("0.5", "SEK", 0.5), ("2", "SEK", 2.0), (" 1,25x ", "SEK", 1.25),
    ("1 250,5", "SEK", 1250.5), ("1.25", "USD", 1.25), ("0,5", "DKK", 0.5),
])
def test_a_decimal_is_read_the_client_s_way(typed, currency, value) -> None:
    assert fmt.parse_decimal(typed, currency) == value


@pytest.mark.parametrize(("typed", "currency", "message"), [
    ("", "SEK", "Enter a number, for example 1,50."),
    ("abc", "SEK", "\u201cabc\u201d is not a number; type one like 1,50."),
    ("-1", "SEK", "\u201c-1\u201d is negative; type the amount without a minus."),
    ("1,5", "USD", "\u201c1,5\u201d is not a number; type one like 1.50."),
    ("1.250", "DKK", "\u201c1.250\u201d is not a number; type one like 1,50."),
])
def test_what_is_no_decimal_is_explained(typed, currency, message) -> None:
    with pytest.raises(fmt.NumberError) as error:
        fmt.parse_decimal(typed, currency)
    assert str(error.value) == message


@pytest.mark.parametrize(("column", "name"), [
    ("spend_meta", "Meta"), ("spend_tiktok", "TikTok"), ("tv_S", "TV"), ("ooh_S", "OOH"),
    ("facebook_I", "Facebook"), ("competitor_sales_B", "Competitor sales"),
    ("spend_paid_social", "Paid social"), ("email_spend", "Email"), ("newsletter", "Newsletter"),
    ("Google Ads", "Google Ads"), ("TikTok cost", "TikTok"), ("Facebook spend", "Facebook"),
    ("Kostnad Meta", "Meta"), ("TV Kosten", "TV"), ("Youtube budget", "YouTube"),
    ("LinkedIn Sponsored Content", "LinkedIn Sponsored Content"), ("spend", "Spend"),
    ("Kostnad E-post", "E-post"), ("Click-and-collect ads", "Click-and-collect ads"),
    ("spend-paid-social", "Paid social"), ("e-mail_spend", "E-mail"),
])
def test_a_channel_keeps_the_users_casing_and_brands_are_written_their_way(column: str,
                                                                          name: str) -> None:
    assert fmt.channel_name(column) == name


@pytest.mark.parametrize(("now", "new", "decimals", "expected"), [
    (0.5449, 0.5351, 2, 0.0),  # both show 0,54: no change, not -0,01
    (0.5449, 0.5551, 2, 0.02),  # 0,54 -> 0,56, not +0,01
    (1000.4, 1000.6, 0, 1.0),  # 1 000 -> 1 001, not 0
    (2.0, 1.6, 2, -0.4),
    (None, 1.0, 2, None),
])
def test_a_shown_difference_is_that_of_the_figures_as_shown(now, new, decimals,
                                                            expected) -> None:
    difference = fmt.shown_difference(now, new, decimals)
    assert difference == expected
    if expected is not None:
        shown = [float(fmt.number(v, "USD", decimals).replace(",", "")) for v in (now, new)]
        assert fmt.number(difference, "USD", decimals) == fmt.number(shown[1] - shown[0],
                                                                     "USD", decimals)


@pytest.mark.parametrize(("items", "text"), [
    (["Meta"], "Meta"), (["Meta", "Google"], "Meta and Google"),
    (["Meta", "Google", "TikTok"], "Meta, Google and TikTok"),
])
def test_items_are_joined_as_in_a_sentence(items: list[str], text: str) -> None:
    assert fmt.joined(items) == text


@pytest.mark.parametrize(("text", "kept"), [
    ("seed 2 · finished 2026-12-01 12:46", "seed 2 · finished 2026\u201112\u201101\u00a012:46"),
    ("finished Dec 1, 2026 12:46", "finished Dec 1, 2026\u00a012:46"),
    ("2022-01-03 – 2023-12-25 (104 weeks)",
     "2022\u201101\u201103 – 2023\u201112\u201125 (104 weeks)"),
    ("Meta -26 %, seed 2 · 12 weeks", "Meta -26 %, seed 2 · 12 weeks"),  # no date: as it was
])
def test_dates_and_times_are_kept_on_one_line(text: str, kept: str) -> None:
    """The audit: "finished 2026-12-" at a line's end and "01 12:46" on the next."""
    assert fmt.unbreakable_moments(text) == kept


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


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP"])
def test_a_t_is_no_thousand_where_english_reads_a_trillion(currency: str) -> None:
    with pytest.raises(fmt.AmountError, match="is not an amount"):
        fmt.parse_money("12t", currency)


def test_the_hint_names_the_k_shorthand() -> None:
    with pytest.raises(fmt.AmountError) as error:
        fmt.parse_money("lots", "SEK")
    assert str(error.value).endswith("for example 1 250 000, 250k or 1,25m.")
