"""Dataset validation shared by CSV upload, BigQuery import and the CLI.

Every check reports *all* problems at once as :class:`Problem` objects, each a one-line
message that names the row and column where it applies. Row numbers are those of the CSV
file as a spreadsheet shows it: the header is row 1, the first data row is row 2.

Typical use::

    frame = read_csv(upload_bytes)            # raises DatasetError: not CSV, empty, huge
    mapping = detect_columns(frame)           # the user may change it
    problems = validate_frame(frame, mapping) # [] when the data set can be modelled
    clean = clean_frame(frame, mapping)       # typed and sorted, or DatasetError
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kiri_core import formatting as fmt
from kiri_core.formatting import SPEND_WORD, channel_name

MIN_ROWS = 52
MIN_SPEND_COLUMNS = 2
MAX_BYTES = 50 * 1024 * 1024
MAX_CELLS_PER_PROBLEM = 10
# A column whose cells fail the same way in more than this share of its rows is named once,
# as likely not the column it was taken for ("v1", "v2" as dates; "€1.200" as spend).
MOSTLY_BAD = 0.5
DATE_HINT = "is it the date column? Dates must look like 2024-01-29 or 29/01/2024."
# What to enter in an empty or unreadable cell, by the part its column plays
# (:meth:`ColumnMapping.parts`); an outcome column of conversions asks for conversions.
CELL_STEPS = {"the outcome": "enter the week's revenue",
              "a spend column": "enter the week's spend (0 if there was none)",
              "an organic column": "enter the week's value (0 if there was none)",
              "a context column": "enter the week's value"}
DELIMITERS = ",;\t"
# The currencies an amount's sign or code says it is in ("€1.200" is in EUR, "1 200 kr" in
# any of the kronor). The columns whose signs were read away are in a read frame's
# ``attrs[SIGNS]``: {column: ("€",)}.
SIGN_CURRENCIES = {"€": ("EUR",), "$": ("USD",), "£": ("GBP",), "kr": ("SEK", "NOK", "DKK"),
                   **{code: (code,) for code in fmt.CURRENCIES}}
SIGNS = "currency_signs"
SIGN = re.compile("|".join(map(re.escape, SIGN_CURRENCIES)))
WRITTEN_SIGN = rf"(?:kr\.|{SIGN.pattern})"  # Danish amounts end in "kr."
# The decimal mark a read frame's file wrote numbers with, in ``attrs[DECIMAL_MARK]``: ","
# for a semicolon- or tab-separated file (read with decimal commas), else ".".
DECIMAL_MARK = "decimal_mark"
# A number written with a decimal comma or spaces between thousands (maybe points), maybe
# with a currency sign before or after it, as Excel saves it in Sweden, Germany and most of
# Europe: "1567327,76", "1 567 327,76", "215 221", "1 567 327,76 kr", "1.200,50 €". Spaces
# may be Excel's no-break ones (U+00A0, U+202F).
SPACE = "[ \u00a0\u202f]"
THOUSANDS = "[ .\u00a0\u202f]"
DECIMAL_COMMA = re.compile(rf"-?(?:{WRITTEN_SIGN}{SPACE}?)?(\d{{1,3}}({THOUSANDS}\d{{3}})+|\d+)"
                           rf"(,\d+)?(?:{SPACE}?{WRITTEN_SIGN})?")
DECIMAL_COMMA_MARK = rf",|\d{SPACE}\d{{3}}|{SIGN.pattern}"  # what plain numbers never hold
# A number as US-style exports write it in a comma-separated file (the cell quoted): commas
# between thousands, maybe a currency sign before it: "146,264", "$1,234.50", "-€12.5".
# A first group of 0 ("0,125") is a decimal comma, not thousands: left to be named.
# "€1.200" is left to be named: three decimals after a currency sign are thousands.
THOUSANDS_COMMA = re.compile(r"-?(?![$€£]\d{1,3}\.\d{3}$)[$€£]?([1-9]\d{0,2}(,\d{3})+|\d+)(\.\d+)?")
CURRENCY_MARKS = "[,$€£]"  # what such a number holds besides digits, sign and point
# A number as European exports write it in a comma-separated file: points between thousands,
# maybe a currency sign before it and a decimal comma after (the cell quoted): "€1.200",
# "1.250.000", "€1.200,50". Read so only when a cell shows it (POINT_GROUPED_MARK): a single
# "1.200" alone may be a decimal.
POINT_GROUPED = re.compile(r"-?[$€£]?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?")
POINT_GROUPED_MARK = r"^-?[$€£]\d{1,3}\.|\.\d{3}\.|\.\d{3},"
# The ways a whole date column may be written, as named in messages and as parsed.
DATE_FORMATS = (("YYYY-MM-DD", "ISO8601"), ("DD/MM/YYYY", "%d/%m/%Y"), ("DD.MM.YYYY", "%d.%m.%Y"),
                ("DD-MM-YYYY", "%d-%m-%Y"), ("MM/DD/YYYY", "%m/%d/%Y"))
DATE_FORMAT_NAMES = ", ".join(name for name, _ in DATE_FORMATS[:-1]) + f" or {DATE_FORMATS[-1][0]}"
# Names the column detection recognises, in English and the Nordic/German words agencies'
# clients export with (case-insensitive).
DATE_NAMES = ("date", "week", "week_start", "ds", "period", "datum", "vecka", "uke", "uge",
              "woche")
REVENUE_NAMES = ("revenue", "sales", "intäkter", "omsättning", "försäljning", "omsetning",
                 "omsætning", "salg", "umsatz")
# Counts an outcome column may hold (a conversion model, results in CPA): plural, as exported
CONVERSION_NAMES = ("conversions", "orders", "leads", "signups", "registrations", "purchases",
                    "transactions", "installs", "bookings", "konverteringar", "konverteringer",
                    "konvertierungen", "ordrar", "ordrer", "bestellungen", "beställningar",
                    "bestillinger", "bokningar", "buchungen", "transaktioner", "transaksjoner",
                    "transaktionen", "köp", "kjøp", "køb", "käufe")
DEP_VAR_NAMES = REVENUE_NAMES + CONVERSION_NAMES
# Words that make a column money, not a count: "conversion value", "Order value"
MONEY_NAMES = (*REVENUE_NAMES, "value", "värde", "verdi", "værdi", "wert")


def _word(names: Iterable[str], suffix: str = "") -> re.Pattern[str]:
    """Any of ``names`` (each may end in ``suffix``) as a word of a column's name: ``_``,
    spaces and other marks part words; case is ignored."""
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(names)}){suffix}(?![^\W_])", re.IGNORECASE)


# Besides a spend word (formatting.SPEND_WORD): "Google Ads", "Meta ads" name an ad account's
# cost too, unless an activity word says the column counts something else.
ADS_WORD = _word(["ads"])
ACTIVITY_WORD = _word(["impressions?", "impr", "clicks?", "views?", "reach", "grps?", "trps?",
                       "sessions?", "visits?", "per", "cp[acmv]"])
DEP_VAR_WORD = _word(DEP_VAR_NAMES)
CONVERSION_WORD = _word((n.removesuffix("s") for n in CONVERSION_NAMES), "s?")  # or singular
MONEY_WORD = _word(MONEY_NAMES)
HEADER_ROW = 1
FIRST_DATA_ROW = HEADER_ROW + 1  # a frame's row at position 0, as the messages name it
SPEND_BOX = "Spend columns (paid media)"  # the Data page's label of the spend columns


@dataclass(frozen=True)
class Problem:
    """One problem with a data set or a config: a one-line message and where it is."""

    message: str
    column: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        return self.message


class DatasetError(ValueError):
    """A data set or config that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(f"{self.problems[0].message}{suffix}")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column plays which part in the model."""

    date: str | None
    dep_var: str | None
    spend: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    organic: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping) -> ColumnMapping:
        """The mapping a fit config (``config.json``) describes; a bare name where a list
        belongs is one column (the config check names that mistake; the data checks then
        speak of the column, not of its letters)."""

        def names(key: str) -> tuple[str, ...]:
            value = config.get(key) or ()
            return (value,) if isinstance(value, str) else tuple(value)

        return cls(
            date=config.get("date_column"),
            dep_var=config.get("revenue_column"),
            spend=names("spend_columns"),
            context=names("context_columns"),
            organic=names("organic_columns"),
        )

    def columns(self) -> list[str]:
        return [column for column, _ in self.parts()]

    def parts(self) -> list[tuple[str, str]]:
        """Every chosen column with the part it plays, in words: ``("promo", "a context
        column")``."""
        named = [(self.date, "the date"), (self.dep_var, "the outcome"),
                 *((c, "a spend column") for c in self.spend),
                 *((c, "a context column") for c in self.context),
                 *((c, "an organic column") for c in self.organic)]
        return [(column, part) for column, part in named if column is not None]


# --- reading -------------------------------------------------------------------------


def read_csv(source: bytes | str | Path, *, max_bytes: int = MAX_BYTES) -> pd.DataFrame:
    """Read an uploaded CSV (bytes) or a CSV file (path) with every cell as text.

    Raises
    ------
    DatasetError
        The file is missing, empty, larger than ``max_bytes``, binary, or not a table of
        comma-, semicolon- or tab-separated columns.

    In a semicolon- or tab-separated file, a column whose every filled cell is a number
    written with a decimal comma or spaces between thousands (maybe a currency sign or code
    before or after it: "1 567 327,76 kr", "215 221") is read as numbers with a decimal
    point, as Excel writes them in most of Europe; ``attrs[DECIMAL_MARK]`` keeps the file's
    own decimal mark, for messages to write numbers as the file does. In a comma-separated
    file, a column of numbers with commas between thousands or a currency sign ("146,264",
    "$1,234.50", as US exports write them) is read as plain numbers, and so is a column
    whose cells show points between thousands ("€1.200", "1.250.000", "€1.200,50"); which
    columns carried which currency sign is kept in ``attrs[SIGNS]`` (in either kind of file) for
    :func:`validate_frame` to compare with the client's currency.
    """
    raw = _read_bytes(Path(source), max_bytes) if isinstance(source, str | Path) else source
    if len(raw) > max_bytes:
        raise DatasetError([_too_big(len(raw), max_bytes)])
    text = _decode(raw)
    if not text.strip():
        raise DatasetError([Problem("the file is empty")])
    delimiter = _sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    problems = _header_problems(header)
    if problems:
        raise DatasetError(problems)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise DatasetError([Problem(f"the file is not a valid CSV: {first_line}")]) from exc
    frame = without_trailing_empty_rows(frame)
    if frame.empty:
        raise DatasetError([Problem("the file has a header but no data rows")])
    if delimiter == ",":
        return with_plain_thousands(with_point_thousands(frame))
    read = with_decimal_points(frame)
    read.attrs[DECIMAL_MARK] = ","
    return read


def with_decimal_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of decimal-comma or space-grouped numbers rewritten as plain numbers:
    "1 234,5" -> "1234.5", "215 221" -> "215221", "1 234,5 kr" -> "1234.5"."""
    return _with_numbers_rewritten(
        frame,
        DECIMAL_COMMA_MARK,
        DECIMAL_COMMA,
        lambda cells: cells.str.replace(f"{WRITTEN_SIGN}|{THOUSANDS}", "", regex=True)
        .str.replace(",", "."),
    )


def without_trailing_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows up to the last one with a value: Excel often saves rows of empty cells
    (",,,,") after the table. Empty rows inside it stay, to be named with their row."""
    filled = (frame.apply(lambda column: column.str.strip()) != "").any(axis=1).to_numpy()
    return frame.iloc[: int(filled.nonzero()[0][-1]) + 1 if filled.any() else 0]


def with_point_thousands(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of numbers with points between thousands rewritten as plain numbers:
    "€1.200" -> "1200", "1.250.000" -> "1250000", "€1.200,50" -> "1200.50"."""
    return _with_numbers_rewritten(
        frame,
        POINT_GROUPED_MARK,
        POINT_GROUPED,
        lambda cells: cells.str.replace(r"[.$€£]", "", regex=True).str.replace(",", "."),
    )


def with_plain_thousands(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of numbers with commas between thousands or a currency sign rewritten as
    plain numbers: "146,264" -> "146264", "$1,234.50" -> "1234.50"."""
    return _with_numbers_rewritten(
        frame,
        CURRENCY_MARKS,
        THOUSANDS_COMMA,
        lambda cells: cells.str.replace(CURRENCY_MARKS, "", regex=True),
    )


def _with_numbers_rewritten(
    frame: pd.DataFrame,
    mark: str,
    number: re.Pattern,
    rewrite: Callable[[pd.Series], pd.Series],
) -> pd.DataFrame:
    """``frame`` with ``rewrite`` applied to each column whose filled cells all match
    ``number`` and at least one holds ``mark`` (a regex); the currency signs read away are
    kept by column in ``attrs[SIGNS]``."""
    out = frame.copy()
    signs = dict(frame.attrs.get(SIGNS, {}))
    for column in frame.columns:
        cells = frame[column].str.strip()
        filled = cells[cells != ""]
        if filled.str.contains(mark).any() and filled.str.fullmatch(number).all():
            out[column] = rewrite(cells)
            if written := tuple(sorted(set(SIGN.findall(" ".join(filled))))):
                signs[column] = written
    out.attrs[SIGNS] = signs
    return out


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise DatasetError([Problem(f"file not found: {path}")])
    size = path.stat().st_size
    if size > max_bytes:
        raise DatasetError([_too_big(size, max_bytes)])
    return path.read_bytes()


def _too_big(size: int, max_bytes: int) -> Problem:
    return Problem(f"the file is too large ({_size(size)}); the limit is {_size(max_bytes)}")


def _size(n_bytes: int) -> str:
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1e6:.1f} MB"
    return f"{n_bytes / 1e3:.1f} kB" if n_bytes >= 1_000 else f"{n_bytes} bytes"


SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip), .xls (OLE)


def _decode(raw: bytes) -> str:
    if raw.startswith(SPREADSHEET_MAGIC):
        raise DatasetError([Problem("the file is an Excel workbook, not a CSV: in Excel, save "
                                    "it as \u201cCSV UTF-8\u201d and upload that file")])
    if b"\x00" in raw[:65536]:
        raise DatasetError([Problem("the file is not a CSV text file (it holds binary data)")])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DatasetError([Problem("the file is not a CSV text file (unknown text encoding)")])


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _header_problems(header: list[str]) -> list[Problem]:
    if len(header) < 2:
        return [
            Problem(
                "the file is not a CSV table: its first line has a single column "
                "(expected columns such as date, revenue and one spend column per paid channel)"
            )
        ]
    names = [name.strip() for name in header]
    problems = [
        Problem(f"column {name!r} appears more than once in the header", column=name)
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += [
        Problem(f"column {i + 1} has no name in the header", row=HEADER_ROW)
        for i, name in enumerate(names)
        if not name
    ]
    return problems


# --- column detection ----------------------------------------------------------------


def detect_columns(frame: pd.DataFrame) -> ColumnMapping:
    """Guess the mapping: columns of numbers named for spend (:func:`is_spend_name`) are
    spend, 0/1 columns are flags.

    Flags become context columns; other columns stay unassigned for the user to map.
    """
    columns = list(frame.columns)
    date = _first_named(columns, DATE_NAMES) or _first_date_like(frame)
    named_dep_var = _first_named(columns, DEP_VAR_NAMES)
    spend = tuple(c for c in columns if c not in {date, named_dep_var}
                  and is_spend_name(c) and _is_numbers(frame[c]))
    flags = tuple(c for c in columns if c not in {date, *spend} and _is_flag(frame[c]))
    dep_var = named_dep_var or _first_measure(frame, exclude={date, *spend, *flags})
    context = tuple(c for c in flags if c != dep_var)
    return ColumnMapping(date=date, dep_var=dep_var, spend=spend, context=context)


def is_spend_name(column: str) -> bool:
    """Whether a column's name says spend: Robyn's ``*_S``, a spend word before, after or
    inside it (``"spend_meta"``, ``"TikTok cost"``, ``"Kostnad Meta"``) or ``"Google Ads"``;
    never a count such as ``"Meta ads clicks"`` or ``"cost per click"``, nor revenue."""
    if column.endswith("_S"):
        return True
    named = SPEND_WORD.search(column) or ADS_WORD.search(column)
    return bool(named) and not (ACTIVITY_WORD.search(column) or DEP_VAR_WORD.search(column))


def is_conversion_name(column: str | None) -> bool:
    """Whether an outcome column's name says it counts conversions (``"conversions"``,
    ``"Orders"``, ``"leads_total"``, ``"Ordrar"``, ``"Buchungen"``), not money (never
    ``"conversion value"`` nor ``"order_revenue"``)."""
    return bool(column and CONVERSION_WORD.search(column) and not MONEY_WORD.search(column))


def outcome_kind_warning(column: str, outcome_total: float, spend_total: float,
                         conversion: bool, currency: str = "SEK") -> str | None:
    """A warning when the outcome's size contradicts what the model takes it for, else None.

    Revenue that adds up to less than the paid media spend is most likely a count of
    conversions (every ROAS would then read as conversions per unit of money), and more
    conversions than units of money spent (a CPA under 1 overall) most likely money.
    """
    if spend_total <= 0 or (outcome_total < spend_total) == conversion:
        return None
    outcome, spend = fmt.number(outcome_total, currency), fmt.money(spend_total, currency)
    if conversion:
        return (f"\u201c{column}\u201d adds up to {outcome}, more than the media spend of "
                f"{spend}: as conversions every CPA comes out under 1. If it holds money, "
                "model it as Revenue (ROAS).")
    return (f"\u201c{column}\u201d adds up to {outcome}, less than the media spend of {spend}: "
            "it looks like a count of conversions, and as revenue every ROAS comes out below "
            "1. If it counts conversions, model it as Conversions (CPA).")


def _first_measure(frame: pd.DataFrame, exclude: set[str | None]) -> str | None:
    """The first column of numbers that is not taken (the likely dependent variable)."""
    for column in frame.columns:
        if column not in exclude and _is_numbers(frame[column]):
            return column
    return None


def _is_numbers(series: pd.Series) -> bool:
    """At least 90 % of the cells are numbers."""
    return bool(_to_numbers(series).notna().mean() >= 0.9)


def _first_named(columns: Iterable[str], names: Sequence[str]) -> str | None:
    by_lower = {c.lower().strip(): c for c in columns}
    return next((by_lower[n] for n in names if n in by_lower), None)


def _first_date_like(frame: pd.DataFrame) -> str | None:
    for column in frame.columns:
        dates = parse_dates(frame[column])
        if len(frame) and dates.notna().mean() >= 0.9:
            return column
    return None


def _is_flag(series: pd.Series) -> bool:
    numbers = _to_numbers(series)
    return bool(numbers.notna().all() and numbers.isin([0, 1]).all())


# --- frame validation ----------------------------------------------------------------


def validate_frame(frame: pd.DataFrame, mapping: ColumnMapping, *, currency: str | None = None,
                   client: str = "the client") -> list[Problem]:
    """Every problem that keeps ``frame`` from being modelled with ``mapping`` ([] if none):
    those of the whole file first, then those of cells in row order, then column summaries.

    With the ``currency`` ``client`` reports in, mapped columns whose amounts carried
    another currency's sign (:func:`read_csv`'s ``attrs[SIGNS]``) are problems too."""
    problems = _mapping_problems(frame, mapping)
    if len(frame) < MIN_ROWS:
        problems.append(
            Problem(f"only {len(frame)} rows of data; at least {MIN_ROWS} weeks are needed")
        )
    if currency is not None:
        problems += _currency_problems(frame.attrs.get(SIGNS, {}), mapping, currency, client)
    cells = _cell_problems(frame, mapping)
    return problems + sorted(cells, key=lambda p: (p.row is None, p.row or 0))


def written_currency(frame: pd.DataFrame, currency: str) -> str:
    """The currency ``frame``'s amounts were written in: ``currency`` (the client's) when
    every sign of its cells (:func:`read_csv`'s ``attrs[SIGNS]``) may be in it ("kr" for
    SEK), else the one currency they all name ("€" for EUR), else ``currency``; so a preview
    shows a file in euros as euros, whatever the client's."""
    written = [set(SIGN_CURRENCIES[sign]) for signs in frame.attrs.get(SIGNS, {}).values()
               for sign in signs]
    if all(currency in named for named in written):
        return currency
    named = set.intersection(*written)
    return named.pop() if len(named) == 1 else currency


def _currency_problems(signs: Mapping[str, Sequence[str]], mapping: ColumnMapping, currency: str,
                       client: str) -> list[Problem]:
    """One problem per foreign currency sign that mapped columns' amounts carried (``signs``:
    {column: signs}), naming the columns: their amounts would be read as ``currency``."""
    foreign: dict[str, list[str]] = {}
    for column in dict.fromkeys(mapping.columns()):
        for sign in signs.get(column, ()):
            if currency not in SIGN_CURRENCIES[sign]:
                foreign.setdefault(sign, []).append(column)
    return [Problem(f"{_columns_are(columns)} in {sign} but {client} reports in {currency}: "
                    f"convert the amounts to {currency} (or change the client's currency) and "
                    "load the data again", column=columns[0] if len(columns) == 1 else None)
            for sign, columns in foreign.items()]


def _columns_are(columns: Sequence[str]) -> str:
    """The start of a sentence about ``columns``: "column 'a' is", "columns 'a' and 'b' are"."""
    if len(columns) == 1:
        return f"column {columns[0]!r} is"
    return f"columns {fmt.joined([repr(c) for c in columns])} are"


def _cell_problems(frame: pd.DataFrame, mapping: ColumnMapping) -> list[Problem]:
    """The problems of the mapped columns' cells, column by column."""
    present = set(frame.columns)
    part = dict(reversed(mapping.parts()))  # a column chosen twice: its first part
    mark = frame.attrs.get(DECIMAL_MARK, ".")
    problems = []
    if mapping.date in present:
        problems += _date_problems(frame[mapping.date], mapping.date)
    if mapping.dep_var in present:
        problems += _number_problems(frame[mapping.dep_var], mapping.dep_var,
                                     part[mapping.dep_var], mark, negative_ok=True)
        problems += _constant_problems(frame[mapping.dep_var], mapping.dep_var)
    for column in [*mapping.spend, *mapping.organic]:
        if column in present:
            problems += _number_problems(frame[column], column, part[column], mark,
                                         negative_ok=False)
    for column in mapping.spend:
        if column in present:
            problems += _no_spend_problems(frame[column], column)
    for column in mapping.context:
        if column in present:
            problems += _capped(_missing_rows(frame[column]), column, "missing value",
                                step=_cell_step(column, part[column]))
    return problems


def clean_frame(frame: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """The mapped columns, typed (dates, floats) and sorted by date.

    Context columns stay text when any value is not a number (a categorical such as
    Robyn's ``events``). Raises :class:`DatasetError` with every problem otherwise.
    """
    problems = validate_frame(frame, mapping)
    if problems:
        raise DatasetError(problems)
    numeric = [mapping.dep_var, *mapping.spend, *mapping.organic]
    out = pd.DataFrame({mapping.date: parse_dates(frame[mapping.date])})
    for column in numeric:
        out[column] = _to_numbers(frame[column])
    for column in mapping.context:
        numbers = _to_numbers(frame[column])
        out[column] = numbers if numbers.notna().all() else frame[column].astype(str).str.strip()
    return out.sort_values(mapping.date, kind="stable").reset_index(drop=True)


def _mapping_problems(frame: pd.DataFrame, mapping: ColumnMapping) -> list[Problem]:
    problems = []
    if mapping.date is None:
        problems.append(Problem("no date column is chosen" if _first_date_like(frame) else
                                "no column of the file holds dates: add one with the first "
                                f"day of each week ({DATE_FORMAT_NAMES})"))
    if mapping.dep_var is None:
        problems.append(Problem("no outcome column (revenue or conversions) is chosen"))
    if len(mapping.spend) < MIN_SPEND_COLUMNS:
        problems.append(_too_few_spend_columns(mapping.spend))
    problems += channel_name_problems(mapping.spend)
    seen: dict[str, str] = {}
    for column, part in mapping.parts():
        if column in seen:
            problems.append(Problem(f"column {column!r} is chosen twice, as {seen[column]} and "
                                    f"as {part}: give it one part", column=column))
        elif column not in frame.columns:
            problems.append(Problem(f"column {column!r} is missing from the data", column=column))
        seen.setdefault(column, part)
    return problems


def channel_name_problems(spend: Iterable[str]) -> list[Problem]:
    """Two spend columns must not read as one channel ("Meta spend" and "spend_meta" are
    both "Meta"): tables, charts and the report name channels, not columns."""
    columns: dict[str, list[str]] = {}
    for column in dict.fromkeys(spend):
        columns.setdefault(channel_name(column), []).append(column)
    return [Problem(f"spend columns {' and '.join(map(repr, same))} both read as the channel "
                    f"{name!r}; rename one of them in the file", column=same[1])
            for name, same in columns.items() if len(same) > 1]


def _too_few_spend_columns(spend: Sequence[str]) -> Problem:
    """What to do when fewer than :data:`MIN_SPEND_COLUMNS` spend columns are chosen."""
    chosen = (f"only {spend[0]!r} is chosen as a spend column" if spend
              else "no spend columns are chosen")
    return Problem(f"{chosen}: pick at least {MIN_SPEND_COLUMNS} in \u201c{SPEND_BOX}\u201d, "
                   "one per paid channel")


def _date_problems(series: pd.Series, column: str) -> list[Problem]:
    missing = _missing_rows(series)
    dates = parse_dates(series)
    bad = [
        (position, row, value)
        for position, ((row, value), date) in enumerate(zip(_cells(series), dates, strict=True))
        if pd.isna(date) and row not in missing
    ]
    problems = _capped(missing, column, "missing value",
                       step=_date_step(series) if missing else "")
    if _mostly(bad, series):
        says = "has mostly unreadable dates" if dates.notna().any() else "has no readable dates"
        problems.append(_column_problem(column, len(series), [value for *_, value in bad],
                                        says, DATE_HINT))
    else:
        problems += _capped([row for _, row, _ in bad], column, "date that cannot be read",
                            detail=_unreadable_dates(series, bad))
    if problems:  # a gap next to an unreadable date says nothing new
        return problems + _duplicate_problems(dates, column)
    return _duplicate_problems(dates, column) + _weekly_problems(dates, column)


def _unreadable_dates(series: pd.Series, bad: list[tuple[int, int, object]]) -> dict[int, str]:
    """Why each ``(position, row, value)`` of ``bad`` is not read, by row."""
    if not bad:
        return {}
    readings = _date_readings(series)
    return {row: _unreadable_date(readings, position, value) for position, row, value in bad}


def _duplicate_problems(dates: pd.Series, column: str) -> list[Problem]:
    rows = _row_numbers(dates)
    first_row: dict[pd.Timestamp, int] = {}
    duplicates, detail = [], {}
    for row, date in zip(rows, dates, strict=True):
        if pd.isna(date):
            continue
        if date in first_row:
            duplicates.append(row)
            detail[row] = f"date {date:%Y-%m-%d} appears again (first in row {first_row[date]})"
        else:
            first_row[date] = row
    return _capped(duplicates, column, "duplicate date", detail=detail,
                   step="keep one row per week")


def _weekly_problems(dates: pd.Series, column: str) -> list[Problem]:
    valid = pd.Series(dates.to_numpy(), index=_row_numbers(dates)).dropna()
    ordered = valid.drop_duplicates().sort_values(kind="stable")
    gaps = ordered.diff().dt.days.iloc[1:]
    off = gaps[gaps != 7]
    detail = {
        row: f"date {ordered[row]:%Y-%m-%d} is {int(days)} days after the previous date; "
        f"{_gap_step(int(days))}"
        for row, days in off.items()
    }
    return _capped(
        list(off.index), column, "row that is not one week after the previous one", detail=detail
    )


def _gap_step(days: int) -> str:
    """What to do about rows ``days`` apart: add the weeks missing between them, or (not
    whole weeks apart) make them weekly."""
    missing = days // 7 - 1
    if days % 7 or missing < 1:
        return "rows must be weekly"
    if missing == 1:
        return "add a row for the missing week"
    return f"add rows for the {missing} missing weeks"


def _date_step(series: pd.Series) -> str:
    """What to do about a date column's empty cell: write the date as the column does."""
    readings = _date_readings(series)
    return f"enter the week's start date ({_column_way(readings)}), or delete the row"


def _number_problems(series: pd.Series, column: str, part: str, mark: str, *,
                     negative_ok: bool) -> list[Problem]:
    """Missing, non-numeric and (unless ``negative_ok``) negative cells of a column playing
    ``part`` (:meth:`ColumnMapping.parts`) of a file writing decimals with ``mark``."""
    missing = _missing_rows(series)
    numbers = _to_numbers(series)
    rows = _row_numbers(series)
    not_numeric, texts, negative, detail = [], [], [], {}
    for row, (_, value), number in zip(rows, _cells(series), numbers, strict=True):
        if row in missing:
            continue
        if pd.isna(number):
            not_numeric.append(row)
            texts.append(value)
            detail[row] = f"{str(value).strip()!r} is not a number"
        elif number < 0 and not negative_ok:
            negative.append(row)
            detail[row] = f"spend {number:g} is negative"
    step = _cell_step(column, part)
    problems = _capped(missing, column, "missing value", step=step)
    if _mostly(not_numeric, series):
        says = "is mostly text, not numbers" if numbers.notna().any() else "has no numbers"
        problems.append(_column_problem(column, len(series), texts, says,
                                        f"is it {part}? {_number_hint(mark)}"))
    else:
        problems += _capped(not_numeric, column, "non-numeric value", detail=detail, step=step)
    return problems + _capped(negative, column, "negative value", detail=detail, step=step)


def _cell_step(column: str, part: str) -> str:
    """What to enter in an empty or unreadable cell of a column playing ``part``."""
    if part == "the outcome" and is_conversion_name(column):
        return "enter the week's conversions"
    return CELL_STEPS[part]


def _number_hint(mark: str) -> str:
    """How numbers must look, with the file's decimal ``mark``."""
    return f"Numbers must be plain, such as 1200 or 1200{mark}50, without units or words."


def _mostly(bad: Sized, series: pd.Series) -> bool:
    """Whether ``bad`` cells fill more than :data:`MOSTLY_BAD` of the column's rows."""
    return len(bad) > MOSTLY_BAD * len(series)


def _column_problem(column: str, rows: int, values: Sequence[object], says: str,
                    hint: str) -> Problem:
    """One line for a column whose ``values`` (most of its ``rows``) fail the same way: what
    the column ``says``, how many, two examples and a ``hint``."""
    examples = ", ".join(repr(str(v).strip()) for v in list(dict.fromkeys(values))[:2])
    return Problem(f"Column {column!r} {says} ({len(values)} of {rows} rows, e.g. "
                   f"{examples}): {hint}", column=column)


def _no_spend_problems(series: pd.Series, column: str) -> list[Problem]:
    """A spend column without spend in any row: a channel the model cannot measure. Not
    said while a filled cell cannot be read: the spend in it is not known."""
    numbers = _to_numbers(series)
    unread = numbers.isna().sum() > len(_missing_rows(series))
    if numbers.notna().any() and not unread and not (numbers > 0).any():
        return [Problem(f"column {column!r} has no spend in any week: leave it out of the "
                        "spend columns", column=column)]
    return []


def _constant_problems(series: pd.Series, column: str) -> list[Problem]:
    numbers = _to_numbers(series).dropna()
    if len(numbers) > 1 and numbers.nunique() == 1:
        return [
            Problem(
                f"column {column!r} is constant (every value is {numbers.iloc[0]:g}); "
                "the model needs it to vary",
                column=column,
            )
        ]
    return []


def _capped(
    rows: Sequence[int], column: str, kind: str, *, detail: Mapping[int, str] | None = None,
    step: str = "",
) -> list[Problem]:
    """One problem per row, up to :data:`MAX_CELLS_PER_PROBLEM`, each ending in the ``step``
    that fixes it, then one summary."""
    detail = detail or {}
    then = f"; {step}" if step else ""
    problems = [
        Problem(f"row {row}, column {column!r}: {detail.get(row, kind)}{then}", column=column,
                row=row)
        for row in rows[:MAX_CELLS_PER_PROBLEM]
    ]
    rest = len(rows) - MAX_CELLS_PER_PROBLEM
    if rest > 0:
        problems.append(
            Problem(f"column {column!r}: {rest} more rows with a {kind}", column=column)
        )
    return problems


# --- cells ---------------------------------------------------------------------------


def _row_numbers(series: pd.Series) -> list[int]:
    return list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(series)))


def _cells(series: pd.Series) -> list[tuple[int, object]]:
    return list(zip(_row_numbers(series), series.tolist(), strict=True))


def _missing_rows(series: pd.Series) -> list[int]:
    empty = series.isna() | series.astype(str).str.strip().isin(["", "NA", "NaN", "nan", "null"])
    return [row for row, is_empty in zip(_row_numbers(series), empty, strict=True) if is_empty]


def _to_numbers(series: pd.Series) -> pd.Series:
    """Finite numbers, NaN where a cell is empty or not a number."""
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(int)
    if not pd.api.types.is_numeric_dtype(series):
        series = pd.to_numeric(series.astype(str).str.strip(), errors="coerce")
    numbers = series.astype(float)
    return numbers.where(np.isfinite(numbers))


def parse_dates(series: pd.Series) -> pd.Series:
    """A date column as timestamps, NaT where a cell cannot be read.

    A column is read in the one of :data:`DATE_FORMATS` that reads most of its cells, the
    first on a tie (ISO first, then day-first before month-first; weekly data past the 12th
    of a month tells those two apart), so the cells it cannot read are the ones to name.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.tz_localize(None) if series.dt.tz is not None else series
    return max(_date_readings(series).values(), key=lambda dates: dates.notna().sum())


def _date_readings(series: pd.Series) -> dict[str, pd.Series]:
    """The column read in each of :data:`DATE_FORMATS`, by the format's name."""
    text = series.astype(str).str.strip()
    return {name: pd.to_datetime(text, format=pattern, errors="coerce")
            for name, pattern in DATE_FORMATS}


def _unreadable_date(readings: dict[str, pd.Series], position: int, value: object) -> str:
    """Why a cell of a date column (``readings``: :func:`_date_readings`) is not read: not
    a date at all, or a date written another way than the column is read (the way most of
    its cells are written)."""
    column_way = _column_way(readings)
    own_way = next((name for name, dates in readings.items()
                    if pd.notna(dates.iloc[position])), None)
    if own_way is None:
        return f"{value!r} is not a date (expected {DATE_FORMAT_NAMES})"
    return (f"{value!r} is written {own_way}, the column's other dates {column_way}: write "
            "every date the same way")


def _column_way(readings: dict[str, pd.Series]) -> str:
    """The way most of a date column's cells are written (``readings``:
    :func:`_date_readings`), the first of :data:`DATE_FORMATS` on a tie."""
    return max(readings, key=lambda name: readings[name].notna().sum())
