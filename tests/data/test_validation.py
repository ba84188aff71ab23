"""Dataset validation: every problem's message, several problems at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kiri_core.data.validation import (
    DATE_FORMAT_NAMES,
    MAX_CELLS_PER_PROBLEM,
    ColumnMapping,
    DatasetError,
    clean_frame,
    detect_columns,
    is_conversion_name,
    outcome_kind_warning,
    parse_dates,
    read_csv,
    validate_frame,
)
from kiri_core.generator import generate

MAPPING = ColumnMapping(
    date="date",
    dep_var="revenue",
    spend=("spend_meta", "spend_google", "spend_tiktok", "spend_email"),
    context=("promo_flag",),
)
SPEND = "; enter the week's spend (0 if there was none)"  # what an empty spend cell asks


@pytest.fixture(scope="module")
def csv_bytes() -> bytes:
    return generate(60, seed=2)[0].to_csv(index=False).encode()


@pytest.fixture
def frame(csv_bytes: bytes) -> pd.DataFrame:
    return read_csv(csv_bytes)


def messages(frame: pd.DataFrame, mapping: ColumnMapping = MAPPING) -> list[str]:
    return [p.message for p in validate_frame(frame, mapping)]


# --- reading -------------------------------------------------------------------------


def test_generated_csv_reads_detects_and_validates(csv_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(csv_bytes)
    frame = read_csv(path)
    assert detect_columns(frame) == MAPPING
    assert validate_frame(frame, MAPPING) == []
    clean = clean_frame(frame, MAPPING)
    assert pd.api.types.is_datetime64_any_dtype(clean["date"])
    assert clean["spend_meta"].dtype == float
    assert clean["revenue"].iloc[0] == float(frame["revenue"].iloc[0])


def test_semicolon_csv_and_robyn_columns_are_detected() -> None:
    data = "DATE;revenue;tv_S;facebook_S;events;holiday\n2020-01-06;1.5;3;4;na;0\n"
    frame = read_csv(data.encode())
    mapping = detect_columns(frame)
    assert mapping.date == "DATE"
    assert mapping.spend == ("tv_S", "facebook_S")
    assert mapping.context == ("holiday",)


@pytest.mark.parametrize(
    ("header", "spend"),
    [
        ("date,revenue,Google Ads,TikTok cost,Facebook spend,promo",
         ("Google Ads", "TikTok cost", "Facebook spend")),
        ("Datum;Intäkter;Kostnad Meta;Kostnad Google;Meta visningar", ("Kostnad Meta",
                                                                       "Kostnad Google")),
        ("Woche;Umsatz;TV Kosten;Radio Kosten;Budget Plan", ("TV Kosten", "Radio Kosten")),
        ("week,sales,Meta Ad Spend,Search investment,Meta ads clicks,cost per click",
         ("Meta Ad Spend", "Search investment")),
        ("date,revenue_cost_adjusted,media_budget_meta,spend_google", ("media_budget_meta",
                                                                      "spend_google")),
        ("Vecka;Intäkter;Meta kostnad;Google Ads kostnad;TikTok utgifter", (
            "Meta kostnad", "Google Ads kostnad", "TikTok utgifter")),
        ("Uge;Omsætning;Meta forbrug;TV omkostninger;Radio udgifter", (
            "Meta forbrug", "TV omkostninger", "Radio udgifter")),
        ("Woche;Umsatz;TV Ausgaben;Radio Kosten", ("TV Ausgaben", "Radio Kosten")),
    ],
)
def test_spend_columns_are_guessed_from_spend_words_in_any_position(
    header: str, spend: tuple[str, ...]
) -> None:
    delimiter = ";" if ";" in header else ","
    names = header.split(delimiter)
    cells = {names[0]: "2020-01-{:02d}", "Budget Plan": "plan", "promo": "{}"}
    rows = "".join(
        delimiter.join(cells.get(n, "12{}").format(6 + 7 * i if n == names[0] else i % 2)
                       for n in names) + "\n"
        for i in range(3)
    )
    mapping = detect_columns(read_csv(f"{header}\n{rows}".encode()))
    assert (mapping.date, mapping.dep_var) == (names[0], names[1])
    assert mapping.spend == spend


@pytest.mark.parametrize(
    ("header", "date", "dep_var"),
    [
        ("Vecka;Intäkter;spend_meta;spend_google;kampanj", "Vecka", "Intäkter"),
        ("Datum;Omsättning;spend_meta;spend_google;kampanj", "Datum", "Omsättning"),
        ("Woche;Umsatz;spend_meta;spend_google;kampanj", "Woche", "Umsatz"),
        ("Vecka;Ordrar;spend_meta;spend_google;kampanj", "Vecka", "Ordrar"),
        # no known name: the first column of numbers that is not spend or a 0/1 flag
        ("dag;kampanj;resultat;spend_meta;spend_google", "dag", "resultat"),
    ],
)
def test_nordic_and_german_headers_are_detected(header: str, date: str, dep_var: str) -> None:
    cells = {"spend_meta": "3", "spend_google": "4", "kampanj": "1"}
    rows = "".join(
        ";".join(cells.get(name, f"2020-01-{6 + 7 * i:02d}" if name == date else "1234,5")
                 for name in header.split(";")) + "\n"
        for i in range(3)
    )
    mapping = detect_columns(read_csv(f"{header}\n{rows}".encode()))
    assert (mapping.date, mapping.dep_var) == (date, dep_var)
    assert mapping.spend == ("spend_meta", "spend_google")
    assert mapping.context == ("kampanj",)


@pytest.mark.parametrize(
    ("column", "counts"),
    [("conversions", True), ("Conversion", True), ("Orders", True), ("leads_total", True),
     ("web signups", True), ("Purchases", True), ("app_installs", True), ("Ordrar", True),
     ("Konverteringer", True), ("Buchungen", True), ("Antal köp", True),
     ("revenue", False), ("Intäkter", False), ("conversion value", False),
     ("order_revenue", False), ("Ordervärde", False), ("resultat", False), (None, False)],
)
def test_an_outcome_column_named_for_a_count_is_read_as_conversions(
    column: str | None, counts: bool
) -> None:
    assert is_conversion_name(column) is counts


@pytest.mark.parametrize(
    ("outcome_total", "spend_total", "conversion", "says"),
    [(40_000.0, 900_000.0, False, "less than the media spend of 900 000 kr"),
     (9_000_000.0, 900_000.0, True, "more than the media spend of 900 000 kr"),
     (9_000_000.0, 900_000.0, False, None), (40_000.0, 900_000.0, True, None),
     (40_000.0, 0.0, False, None)],
)
def test_an_outcome_whose_size_says_the_other_kind_is_named(
    outcome_total: float, spend_total: float, conversion: bool, says: str | None
) -> None:
    """Revenue below the media spend looks like a count, conversions above it like money."""
    warning = outcome_kind_warning("sales", outcome_total, spend_total, conversion, "SEK")
    if says is None:
        assert warning is None
    else:
        assert warning.startswith("\u201csales\u201d adds up to ") and says in warning
        assert ("Revenue (ROAS)" if conversion else "Conversions (CPA)") in warning


@pytest.mark.parametrize(
    ("cells", "numbers"),
    [
        (["1567327,76", "85608,0"], [1567327.76, 85608.0]),
        (["1 567 327,76", "-12,5"], [1567327.76, -12.5]),
        (["1\u00a0567\u00a0327,76", "0"], [1567327.76, 0.0]),
        (["1.567.327,76", "3,0"], [1567327.76, 3.0]),
        # whole kronor with spaces between thousands, as Excel writes them (no decimal comma)
        (["215 221", "0"], [215221.0, 0.0]),
        (["215\u00a0221", "22\u202f856"], [215221.0, 22856.0]),
        # a currency sign or code before or after the amount
        (["1 567 327,76 kr", "102 831 kr"], [1567327.76, 102831.0]),
        (["1\u00a0200\u00a0kr", "12,5kr"], [1200.0, 12.5]),
        (["1 200 SEK", "-1.200 kr."], [1200.0, -1200.0]),
        (["1.200,50 €", "€950"], [1200.5, 950.0]),
    ],
)
def test_decimal_commas_in_a_semicolon_csv_are_read_as_numbers(
    cells: list[str], numbers: list[float]
) -> None:
    rows = "".join(f"2020-01-{6 + 7 * i:02d};{cell};7\n" for i, cell in enumerate(cells))
    frame = read_csv(f"date;revenue;spend_a\n{rows}".encode())
    assert frame["revenue"].astype(float).tolist() == numbers
    assert frame["spend_a"].tolist() == ["7"] * len(cells)


@pytest.mark.parametrize(
    ("cells", "kept"),
    [
        (["1,5", "2.5"], ["1,5", "2.5"]),  # mixed marks: reported cell by cell, not guessed
        (["1.5", "2.25"], ["1.5", "2.25"]),  # decimal points stay as they are
        (["1,5", "n/a"], ["1,5", "n/a"]),
        (["1 200", "12 st"], ["1 200", "12 st"]),  # a unit: named, not read away
        (["123 45", "1 200"], ["123 45", "1 200"]),  # "123 45" has no thousands
    ],
)
def test_columns_that_are_not_all_decimal_comma_numbers_are_left_alone(
    cells: list[str], kept: list[str]
) -> None:
    rows = "".join(f"2020-01-{6 + 7 * i:02d};{cell}\n" for i, cell in enumerate(cells))
    assert read_csv(f"date;revenue\n{rows}".encode())["revenue"].tolist() == kept


def test_a_comma_separated_file_is_never_read_with_decimal_commas() -> None:
    frame = read_csv(b'date,revenue\n2020-01-06,"1,5"\n')
    assert frame["revenue"].tolist() == ["1,5"]


@pytest.mark.parametrize(("cells", "kept"), [
    (['"146,264"', '"1,234,567.5"', "12"], ["146264", "1234567.5", "12"]),
    (['"$1,234.50"', "$99", '"-€1,000"'], ["1234.50", "99", "-1000"]),
    (['"1,5"', '"146,264"'], ["1,5", "146,264"]),  # "1,5" is no thousands: left to be named
    (['"0,125"', '"146,264"'], ["0,125", "146,264"]),  # a decimal comma, not 125
])
def test_a_us_export_with_thousands_commas_is_read_as_numbers(cells: list[str],
                                                              kept: list[str]) -> None:
    """A spend column of "146,264" was left out of the guessed spend columns without a word;
    adding it back gave a "not a number" line per row."""
    rows = "".join(f"2020-01-{6 + 7 * i:02d},{cell}\n" for i, cell in enumerate(cells))
    assert read_csv(f"date,spend_meta\n{rows}".encode())["spend_meta"].tolist() == kept


@pytest.mark.parametrize(("cells", "kept"), [
    (["€1.200", "€950", '"-€1.000"'], ["1200", "950", "-1000"]),
    (["1.250.000", "12.500", "7"], ["1250000", "12500", "7"]),
    (['"€1.200,50"', '"950,5"'], ["1200.50", "950.5"]),
    (["1.200", "3.450"], ["1.200", "3.450"]),  # no cell shows thousands: decimals, as before
    (["€1.200", "€12.50"], ["€1.200", "€12.50"]),  # points mixed: left to be named
])
def test_a_european_export_with_thousands_points_is_read_as_numbers(cells: list[str],
                                                                    kept: list[str]) -> None:
    """A comma-separated file's "€1.200" was read as 1.2 without a word."""
    rows = "".join(f"2020-01-{6 + 7 * i:02d},{cell}\n" for i, cell in enumerate(cells))
    assert read_csv(f"date,spend_meta\n{rows}".encode())["spend_meta"].tolist() == kept


def swedish_export(data: pd.DataFrame, space: str, suffix: str) -> str:
    """``data`` as Swedish Excel saves it: Swedish headers, semicolons, decimal commas and
    ``space`` between thousands; revenue and Meta's spend carry the ``suffix`` (" kr")."""
    def kronor(values: pd.Series, decimals: int, end: str = "") -> list[str]:
        return [f"{x:,.{decimals}f}".replace(",", space).replace(".", ",") + end for x in values]

    written = data.assign(revenue=kronor(data["revenue"], 2, suffix),
                          spend_meta=kronor(data["spend_meta"], 0, suffix),
                          **{c: kronor(data[c], 0) for c in SWEDISH_SPEND[1:]})
    return written.rename(columns=SWEDISH_NAMES).to_csv(sep=";", index=False)


SWEDISH_SPEND = ("spend_meta", "spend_google", "spend_tiktok", "spend_email")
SWEDISH_NAMES = {"date": "Vecka", "revenue": "Intäkter", "spend_meta": "Meta kostnad",
                 "spend_google": "Google Ads kostnad", "spend_tiktok": "TikTok kostnad",
                 "spend_email": "E-post kostnad", "promo_flag": "Kampanj"}


@pytest.mark.parametrize(("space", "encoding"), [(" ", "cp1252"), ("\u00a0", "cp1252"),
                                                 ("\u202f", "utf-8-sig")])
@pytest.mark.parametrize("suffix", ["", " kr", "\u00a0kr", " SEK"])
def test_a_swedish_excel_export_with_spaces_between_thousands_is_read(
    space: str, encoding: str, suffix: str
) -> None:
    """Whole kronor written "215 221" were "not a number", so no spend column was guessed
    and, picked by hand, each was refused and called one "without spend in any week"."""
    data, _ = generate(156, seed=7)
    frame = read_csv(swedish_export(data, space, suffix).encode(encoding))
    mapping = detect_columns(frame)
    assert mapping == ColumnMapping("Vecka", "Intäkter",
                                    spend=tuple(SWEDISH_NAMES[c] for c in SWEDISH_SPEND),
                                    context=("Kampanj",))
    assert validate_frame(frame, mapping, currency="SEK", client="Acme AB") == []
    clean = clean_frame(frame, mapping)
    assert np.allclose(clean["Intäkter"], data["revenue"].round(2))
    for column in SWEDISH_SPEND:
        assert np.allclose(clean[SWEDISH_NAMES[column]], data[column].round())


def test_a_swedish_excel_export_validates_like_its_comma_separated_twin() -> None:
    data, _ = generate(60, seed=3)
    swedish = data.to_csv(sep=";", decimal=",", index=False).encode()
    frame = read_csv(swedish)
    mapping = detect_columns(frame)
    assert validate_frame(frame, mapping) == []
    clean = clean_frame(frame, mapping)
    assert np.allclose(clean["revenue"], data["revenue"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"PK\x03\x04\x00\x00binary", "the file is an Excel workbook, not a CSV: in Excel, "
                                      "save it as \u201cCSV UTF-8\u201d"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "the file is an Excel workbook, not a CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "the file is not a CSV text file (it holds binary data)"),
        (
            b"just some words\nand more\n",
            "the file is not a CSV table: its first line has a single",
        ),
        (b"date,revenue,spend_a\n", "the file has a header but no data rows"),
        (b"date,revenue,revenue\n2020-01-06,1,2\n", "column 'revenue' appears more than once"),
        (b'date,revenue\n2020-01-06,"1\n', "the file is not a valid CSV"),
    ],
)
def test_unreadable_files_are_named(content: bytes, message: str) -> None:
    with pytest.raises(DatasetError) as error:
        read_csv(content)
    assert str(error.value).startswith(message)


def test_huge_file_is_refused_before_reading(csv_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes)
    for source in (csv_bytes, path):
        with pytest.raises(
            DatasetError, match=r"the file is too large \(.*\); the limit is 1.0 kB"
        ):
            read_csv(source, max_bytes=1000)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="file not found"):
        read_csv(tmp_path / "nope.csv")


# --- one problem at a time -----------------------------------------------------------


def _set(column: str, index: int, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[index, column] = value
        return frame

    return change


CASES = [
    (lambda f: f.head(30), "only 30 rows of data; at least 52 weeks are needed"),
    (lambda f: f.drop(columns="spend_email"), "column 'spend_email' is missing from the data"),
    (_set("spend_meta", 3, "abc"), f"row 5, column 'spend_meta': 'abc' is not a number{SPEND}"),
    (_set("spend_google", 4, "1,5"), f"row 6, column 'spend_google': '1,5' is not a number{SPEND}"),
    (_set("spend_tiktok", 0, "-20"), f"row 2, column 'spend_tiktok': spend -20 is negative{SPEND}"),
    (_set("revenue", 9, ""), "row 11, column 'revenue': missing value; enter the week's revenue"),
    (_set("promo_flag", 2, ""), "row 4, column 'promo_flag': missing value; enter the week's "
                                "value"),
    (_set("date", 5, "14/02/2022"), "row 7, column 'date': '14/02/2022' is written DD/MM/YYYY, "
                                       "the column's other dates YYYY-MM-DD"),
    (_set("date", 6, "NA"), "row 8, column 'date': missing value; enter the week's start date "
                            "(YYYY-MM-DD), or delete the row"),
    (
        lambda f: pd.concat([f, f.iloc[[7]]], ignore_index=True),
        "row 62, column 'date': date 2022-02-21 appears again (first in row 9); keep one row per "
        "week",
    ),
    (
        lambda f: f.drop(index=20),
        "row 22, column 'date': date 2022-05-30 is 14 days after the previous date; "
        "add a row for the missing week",
    ),
    (
        lambda f: f.drop(index=[20, 21, 22]),
        "row 22, column 'date': date 2022-06-13 is 28 days after the previous date; "
        "add rows for the 3 missing weeks",
    ),
    (
        _set("date", 59, "2023-02-16"),
        "row 61, column 'date': date 2023-02-16 is 3 days after the previous date; "
        "rows must be weekly",
    ),
    (
        lambda f: f.assign(revenue="1000"),
        "column 'revenue' is constant (every value is 1000); the model needs it to vary",
    ),
]


@pytest.mark.parametrize(("corrupt", "message"), CASES)
def test_each_problem_has_its_message(
    frame: pd.DataFrame, corrupt: Callable[[pd.DataFrame], pd.DataFrame], message: str
) -> None:
    found = messages(corrupt(frame.copy()))
    assert any(m.startswith(message) for m in found), found
    assert len(found) == 1, found


def _day_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(date=pd.to_datetime(frame["date"]).dt.strftime("%d/%m/%Y"))


@pytest.mark.parametrize(("change", "mapping", "expected"), [
    # the usability audit's broken.csv: each line now ends in what to do about it
    (lambda f: _set("date", 19, "")(_set("spend_meta", 9, "n/a")(f)), MAPPING, [
        f"row 11, column 'spend_meta': 'n/a' is not a number{SPEND}",
        "row 21, column 'date': missing value; enter the week's start date (YYYY-MM-DD), or "
        "delete the row"]),
    (lambda f: _set("date", 4, "")(_day_first(f)), MAPPING, [
        "row 6, column 'date': missing value; enter the week's start date (DD/MM/YYYY), or "
        "delete the row"]),
    (lambda f: _set("revenue", 2, "")(f).rename(columns={"revenue": "orders"}),
     ColumnMapping("date", "orders", MAPPING.spend, MAPPING.context),
     ["row 4, column 'orders': missing value; enter the week's conversions"]),
    (_set("revenue", 2, "lots"), MAPPING,
     ["row 4, column 'revenue': 'lots' is not a number; enter the week's revenue"]),
    (lambda f: _set("promo_flag", 3, "many")(f).rename(columns={"promo_flag": "newsletters"}),
     ColumnMapping("date", "revenue", MAPPING.spend, organic=("newsletters",)),
     ["row 5, column 'newsletters': 'many' is not a number; enter the week's value (0 if there "
      "was none)"]),
])
def test_a_bad_cell_says_what_to_enter(
    csv_bytes: bytes, change: Callable[[pd.DataFrame], pd.DataFrame], mapping: ColumnMapping,
    expected: list[str],
) -> None:
    """A cell's problem named the cell but not what to do about it."""
    written = change(read_csv(csv_bytes)).to_csv(index=False).encode()
    assert messages(read_csv(written), mapping) == expected


def test_problems_carry_row_and_column(frame: pd.DataFrame) -> None:
    frame.loc[3, "spend_meta"] = "x"
    [problem] = validate_frame(frame, MAPPING)
    assert (problem.row, problem.column) == (5, "spend_meta")
    assert frame.iloc[problem.row - 2]["spend_meta"] == "x"


def test_fewer_than_two_spend_columns(frame: pd.DataFrame) -> None:
    mapping = ColumnMapping("date", "revenue", spend=("spend_meta",))
    box = "\u201cSpend columns (paid media)\u201d, one per paid channel"
    assert messages(frame, mapping) == [
        f"only 'spend_meta' is chosen as a spend column: pick at least 2 in {box}"]
    assert messages(frame, ColumnMapping("date", "revenue")) == [
        f"no spend columns are chosen: pick at least 2 in {box}"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"context": ("spend_meta",)},
     "column 'spend_meta' is chosen twice, as a spend column and as a context column: give it "
     "one part"),
    ({"organic": ("revenue",)},
     "column 'revenue' is chosen twice, as the outcome and as an organic column: give it one "
     "part"),
])
def test_a_column_chosen_twice_names_both_parts(frame: pd.DataFrame, changes: dict,
                                                message: str) -> None:
    assert messages(frame, ColumnMapping(**{**MAPPING.__dict__, **changes})) == [message]


def test_unmapped_roles_are_named(frame: pd.DataFrame) -> None:
    mapping = ColumnMapping(None, None, spend=MAPPING.spend)
    assert messages(frame, mapping) == [
        "no date column is chosen",
        "no outcome column (revenue or conversions) is chosen",
    ]


@pytest.mark.parametrize("pattern", ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y",
                                     "%m/%d/%Y"])
def test_dates_written_the_common_ways_are_read_and_stored_as_iso(frame: pd.DataFrame,
                                                                  pattern: str) -> None:
    dates = pd.to_datetime(frame["date"])
    written = frame.assign(date=dates.dt.strftime(pattern))
    assert validate_frame(written, MAPPING) == []
    assert clean_frame(written, MAPPING)["date"].tolist() == dates.tolist()
    assert detect_columns(written).date == "date"


def test_an_unreadable_day_first_date_is_the_one_named(frame: pd.DataFrame) -> None:
    written = frame.assign(date=pd.to_datetime(frame["date"]).dt.strftime("%d/%m/%Y"))
    written.loc[5, "date"] = "31/02/2022"
    assert parse_dates(written["date"]).isna().tolist() == [i == 5 for i in range(len(written))]
    [problem] = validate_frame(written, MAPPING)
    assert str(problem) == ("row 7, column 'date': '31/02/2022' is not a date (expected "
                            "YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY or MM/DD/YYYY)")


NO_SPEND = "column 'spend_tiktok' has no spend in any week: leave it out of the spend columns"


@pytest.mark.parametrize(("unread", "said"), [
    ([], True), ([""], True),  # an empty cell is named, the zeros around it still say it
    (["n/a"], False), (["22 856"] * 40, False),  # cells that could not be read may hold spend
])
def test_no_spend_is_claimed_only_when_every_filled_cell_was_read(
    frame: pd.DataFrame, unread: list[str], said: bool
) -> None:
    """A column whose cells the reader could not read was told it had no spend in any
    week, and to leave it out."""
    cells = [*unread, *["0"] * (len(frame) - len(unread))]
    found = messages(frame.assign(spend_tiktok=cells))
    assert (NO_SPEND in found) is said, found
    assert len(found) == said + bool(unread)  # the unread or empty cells are named


def test_a_spend_column_without_spend_is_named(frame: pd.DataFrame) -> None:
    assert messages(frame.assign(spend_tiktok=0.0), MAPPING) == [
        "column 'spend_tiktok' has no spend in any week: leave it out of the spend columns"]
    assert messages(frame.assign(spend_tiktok=[0.0] * (len(frame) - 1) + [5.0]), MAPPING) == []


def test_a_file_without_dates_is_told_to_add_them(frame: pd.DataFrame) -> None:
    without = frame.drop(columns="date")
    mapping = ColumnMapping(None, "revenue", spend=MAPPING.spend)
    assert messages(without, mapping) == [
        "no column of the file holds dates: add one with the first day of each week "
        "(YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY or MM/DD/YYYY)"]


def test_typed_frames_from_bigquery_validate_the_same(frame: pd.DataFrame) -> None:
    typed = clean_frame(frame, MAPPING)
    assert validate_frame(typed, MAPPING) == []
    typed.loc[4, "spend_email"] = float("nan")
    typed.loc[6, "spend_meta"] = -1.0
    assert messages(typed) == [
        f"row 6, column 'spend_email': missing value{SPEND}",
        f"row 8, column 'spend_meta': spend -1 is negative{SPEND}",
    ]


# --- several at once -----------------------------------------------------------------


def test_all_problems_are_reported_at_once(frame: pd.DataFrame) -> None:
    broken = frame.head(40).drop(columns="spend_email")
    broken.loc[1, "spend_meta"] = "n/a"
    broken.loc[2, "spend_google"] = "-3"
    broken.loc[3, "revenue"] = ""
    broken.loc[4, "date"] = broken.loc[3, "date"]
    found = messages(broken)
    assert found == [
        "column 'spend_email' is missing from the data",
        "only 40 rows of data; at least 52 weeks are needed",
        f"row 3, column 'spend_meta': 'n/a' is not a number{SPEND}",
        f"row 4, column 'spend_google': spend -3 is negative{SPEND}",
        "row 5, column 'revenue': missing value; enter the week's revenue",
        "row 6, column 'date': date 2022-01-24 appears again (first in row 5); keep one row per "
        "week",
        "row 7, column 'date': date 2022-02-07 is 14 days after the previous date; "
        "add a row for the missing week",
    ]


def test_problems_of_a_newest_first_file_come_in_row_order(frame: pd.DataFrame) -> None:
    newest_first = frame.drop(index=[10, 20, 30]).iloc[::-1].reset_index(drop=True)
    rows = [p.row for p in validate_frame(newest_first, MAPPING)]
    assert len(rows) == 3 and rows == sorted(rows), rows


def test_many_bad_cells_are_summarised(frame: pd.DataFrame) -> None:
    frame.loc[:29, "spend_meta"] = "?"  # half the rows: still named row by row
    found = [m for m in messages(frame) if "spend_meta" in m]
    assert len(found) == MAX_CELLS_PER_PROBLEM + 1
    assert found[-1] == "column 'spend_meta': 20 more rows with a non-numeric value"


def test_clean_frame_raises_every_problem(frame: pd.DataFrame) -> None:
    frame.loc[1, "spend_meta"] = "n/a"
    frame.loc[2, "spend_google"] = "-3"
    with pytest.raises(DatasetError) as error:
        clean_frame(frame, MAPPING)
    assert str(error.value) == (f"row 3, column 'spend_meta': 'n/a' is not a number{SPEND} "
                                "(and 1 more problem)")
    assert len(error.value.problems) == 2


def test_categorical_context_stays_text(frame: pd.DataFrame) -> None:
    frame["events"] = ["na"] * (len(frame) - 1) + ["event1"]
    mapping = ColumnMapping("date", "revenue", MAPPING.spend, context=("promo_flag", "events"))
    clean = clean_frame(frame, mapping)
    assert clean["events"].iloc[-1] == "event1"
    assert clean["promo_flag"].dtype == float


@pytest.mark.parametrize(("extra", "clash"), [
    ("Meta spend", "'spend_meta' and 'Meta spend' both read as the channel 'Meta'"),
    ("google_S", "'spend_google' and 'google_S' both read as the channel 'Google'"),
    ("Meta ads spend", None),  # "Meta ads" is a channel of its own name
])
def test_two_spend_columns_that_read_as_one_channel_are_refused_at_upload(
    frame: pd.DataFrame, extra: str, clash: str | None
) -> None:
    """Charts, tables and the report name channels, so a data set whose spend columns read
    as one channel would be saved and then refused by every run."""
    frame = frame.assign(**{extra: frame["spend_meta"]})
    mapping = ColumnMapping(**{**MAPPING.__dict__, "spend": (*MAPPING.spend, extra)})
    messages = [p.message for p in validate_frame(frame, mapping)]
    if clash is None:
        assert messages == []
    else:
        assert messages == [f"spend columns {clash}; rename one of them in the file"]


def test_a_date_written_another_way_than_the_column_is_named_so(frame: pd.DataFrame) -> None:
    """'01/08/2022' is a date, just not written as the column's other dates are: saying it
    is no date (expected ... DD/MM/YYYY ...) contradicted the cell."""
    dates = pd.to_datetime(frame["date"])
    written = frame.assign(date=dates.dt.strftime("%Y-%m-%d"))
    written.loc[3, "date"] = dates[3].strftime("%d/%m/%Y")
    written.loc[5, "date"] = "soon"
    messages = [p.message for p in validate_frame(written, MAPPING)]
    assert messages == [
        f"row 5, column 'date': '{dates[3]:%d/%m/%Y}' is written DD/MM/YYYY, the column's "
        "other dates YYYY-MM-DD: write every date the same way",
        f"row 7, column 'date': 'soon' is not a date (expected {DATE_FORMAT_NAMES})",
    ]


def test_empty_rows_excel_saves_after_the_table_are_left_out(csv_bytes: bytes) -> None:
    """Excel's trailing ",,,," rows gave a "missing value" line per cell; an empty row inside
    the table is still named."""
    trailing = csv_bytes + b",,,,,,\n" * 12
    assert validate_frame(read_csv(trailing), MAPPING) == []
    assert len(read_csv(trailing)) == len(read_csv(csv_bytes))
    lines = csv_bytes.decode().splitlines(keepends=True)
    inside = "".join([*lines[:4], ",,,,,,\n", *lines[4:]]).encode() + b",,,,,,\n"
    messages = [p.message for p in validate_frame(read_csv(inside), MAPPING)]
    assert messages[0] == ("row 5, column 'date': missing value; enter the week's start date "
                           "(YYYY-MM-DD), or delete the row")
    assert all(m.startswith("row 5,") for m in messages[:3])


# --- a column that is mostly not what it was taken for ---------------------------------


def test_a_date_column_of_week_labels_gets_one_line(frame: pd.DataFrame) -> None:
    """'v1', 'v2', ... gave ten lines of "is not a date" and "50 more rows"."""
    weeks = frame.rename(columns={"date": "vecka"}).assign(
        vecka=[f"v{i + 1}" for i in range(len(frame))])
    mapping = detect_columns(weeks)
    assert mapping.date == "vecka"
    assert messages(weeks, mapping) == [
        "Column 'vecka' has no readable dates (60 of 60 rows, e.g. 'v1', 'v2'): is it the "
        "date column? Dates must look like 2024-01-29 or 29/01/2024."]


def test_a_date_column_mostly_unreadable_says_so_once(frame: pd.DataFrame) -> None:
    frame.loc[:39, "date"] = "vecka 1"
    frame.loc[40, "date"] = ""
    assert messages(frame) == [
        "row 42, column 'date': missing value; enter the week's start date (YYYY-MM-DD), or "
        "delete the row",
        "Column 'date' has mostly unreadable dates (40 of 60 rows, e.g. 'vecka 1'): is it the "
        "date column? Dates must look like 2024-01-29 or 29/01/2024."]


@pytest.mark.parametrize(("sep", "mark"), [(";", ","), ("\t", ","), (",", ".")])
def test_a_spend_column_of_unit_text_gets_one_line_with_the_files_decimal_mark(
    sep: str, mark: str
) -> None:
    """A Swedish file was told to write 1200.50, a number its own reader does not take."""
    frame = generate(60, seed=2)[0]
    thousands = frame.assign(spend_meta=[f"{x / 1000:.0f} tkr" for x in frame["spend_meta"]])
    text = read_csv(thousands.to_csv(sep=sep, index=False).encode())
    first, second = text["spend_meta"].iloc[:2]
    assert messages(text) == [
        f"Column 'spend_meta' has no numbers (60 of 60 rows, e.g. {first!r}, {second!r}): is it "
        f"a spend column? Numbers must be plain, such as 1200 or 1200{mark}50, without units or "
        "words."]


def test_a_text_column_mapped_as_the_outcome_is_named_with_its_part(frame: pd.DataFrame) -> None:
    frame["campaign"] = ["Brand", "Sale"] * 29 + ["12", "15"]
    mapping = ColumnMapping(**{**MAPPING.__dict__, "dep_var": "campaign"})
    assert messages(frame, mapping) == [
        "Column 'campaign' is mostly text, not numbers (58 of 60 rows, e.g. 'Brand', 'Sale'): "
        "is it the outcome? Numbers must be plain, such as 1200 or 1200.50, without units or "
        "words."]
