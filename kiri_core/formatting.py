"""Numbers, money, percentages and dates the way a client in a given currency expects them.

One :class:`NumberStyle` per supported currency decides the separators, where the currency
sign goes and how dates are written. Tables, charts and the PDF all format through here, so
the same number reads the same everywhere ("1 234 567 kr" for a Swedish client,
"$1,234,567" for an American one).

Moments are stored as naive UTC (:func:`kiri_core.db.base.utcnow`); :func:`timestamp` and
:func:`moment_date` show them on the clock of a time zone (the viewer's, or the agency's
where there is no browser), so 09:05 UTC in January reads "10:05" in Stockholm.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class NumberStyle:
    """How one currency's clients write numbers, money and dates."""

    code: str
    sign: str
    sign_first: bool
    decimal: str
    thousands: str
    date_pattern: str  # str.format pattern of a full date ``d``: "{d.day} {d:%b %Y}"
    percent_space: bool  # "31 %" (Nordic) versus "31%"


STYLES: dict[str, NumberStyle] = {
    "SEK": NumberStyle("SEK", "kr", False, ",", " ", "{d:%Y-%m-%d}", True),
    "NOK": NumberStyle("NOK", "kr", False, ",", " ", "{d:%d.%m.%Y}", True),
    "DKK": NumberStyle("DKK", "kr.", False, ",", ".", "{d:%d.%m.%Y}", True),
    "EUR": NumberStyle("EUR", "€", True, ".", ",", "{d.day} {d:%b %Y}", False),
    "GBP": NumberStyle("GBP", "£", True, ".", ",", "{d.day} {d:%b %Y}", False),
    "USD": NumberStyle("USD", "$", True, ".", ",", "{d:%b} {d.day}, {d:%Y}", False),
}
CURRENCIES: tuple[str, ...] = tuple(STYLES)
COMPACT_STEPS = ((1e9, "bn"), (1e6, "M"), (1e3, "k"))
MONEY_SUFFIXES: dict[str, float] = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9}
# Thousands before "kr" the Nordic way ("12,5 tkr", Danish "12,5 t.kr."): for kr only, as
# English reads a "t" as a trillion.
KR_SUFFIXES: dict[str, float] = {"t": 1e3, "t.": 1e3}


def style_for(currency: str) -> NumberStyle:
    """The style of ``currency`` (ISO code, any case); a clear error for unknown codes."""
    style = STYLES.get(currency.upper()) if isinstance(currency, str) else None
    if style is None:
        raise ValueError(
            f"Unsupported currency {currency!r}; choose one of {', '.join(CURRENCIES)}."
        )
    return style


def number(value: float | None, currency: str = "SEK", decimals: int = 0) -> str:
    """``value`` with the currency's separators: ``number(1234567.5, "SEK") == "1 234 568"``.

    ``None`` and NaN become an en dash.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    style = style_for(currency)
    rounded = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = f"{abs(rounded):,.{decimals}f}"
    text = text.replace(",", "\0").replace(".", style.decimal).replace("\0", style.thousands)
    return f"-{text}" if rounded < 0 else text


def _with_sign(amount: str, style: NumberStyle) -> str:
    negative = amount.startswith("-")
    amount = amount.lstrip("-")
    text = f"{style.sign}{amount}" if style.sign_first else f"{amount} {style.sign}"
    return f"-{text}" if negative else text


def money(value: float | None, currency: str = "SEK", decimals: int = 0) -> str:
    """Money in the client's currency: ``"1 234 567 kr"`` (SEK), ``"$1,234,567"`` (USD)."""
    amount = number(value, currency, decimals)
    return amount if amount == "–" else _with_sign(amount, style_for(currency))


def number_compact(value: float | None, currency: str = "SEK") -> str:
    """A short amount for chart labels, written the client's way: ``"1,2 M"`` (SEK),
    ``"1.2M"`` (USD)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    style = style_for(currency)
    for step, suffix in COMPACT_STEPS:
        if abs(value) >= step:
            amount = number(value / step, currency, 1)
            return f"{amount}{suffix}" if style.sign_first else f"{amount} {suffix}"
    return number(value, currency)


def money_compact(value: float | None, currency: str = "SEK") -> str:
    """Short money for chart labels: ``"1,2 M kr"`` (SEK), ``"$1.2M"`` (USD)."""
    amount = number_compact(value, currency)
    return amount if amount == "–" else _with_sign(amount, style_for(currency))


class AmountError(ValueError):
    """Text that is not an amount of money; ``str(error)`` says why, fit to show a user."""


def parse_money(text: str | None, currency: str = "SEK") -> float:
    """The amount a user typed for a client in ``currency``.

    Accepted: plain digits (``"1250000"``), thousands grouped with spaces or with the
    currency's own thousands separator (``"1 250 000"``; ``"1,250,000"`` for USD,
    ``"1.250.000"`` for DKK), decimals with the currency's decimal separator
    (``"1 250 000,50"`` for SEK), the shorthands ``k`` (thousand), ``m``/``mn`` (million)
    and ``bn`` (billion) in any case (``"250k"``, ``"1,25m"`` for SEK, ``"1.25M"`` for USD),
    for kr also ``t`` (thousand: ``"12,5 tkr"``, ``"12,5 t.kr."``), and the currency's sign
    or code before or after (``"1 250 000 kr"``, ``"$1,250,000"``, ``"SEK 1,25 m"``), so
    whatever :func:`money` and :func:`money_compact` print reads back.

    Parameters
    ----------
    text : str or None
        What the user typed. Surrounding and non-breaking spaces are ignored.
    currency : str
        ISO code of the client's currency; it decides the separators (:func:`style_for`).

    Returns
    -------
    float
        The amount, zero or more.

    Raises
    ------
    AmountError
        For empty text, text that is not an amount, separators that do not fit the
        currency (``"1,250,000"`` for SEK, where ``","`` marks decimals) and negative
        amounts; the message names the problem and shows the form to use.
    ValueError
        For an unsupported ``currency``.

    Examples
    --------
    >>> parse_money("1 250 000", "SEK"), parse_money("1,25m", "SEK")
    (1250000.0, 1250000.0)
    >>> parse_money("$1,250,000", "USD"), parse_money("250k", "USD")
    (1250000.0, 250000.0)
    """
    style = style_for(currency)
    shown = " ".join(str(text or "").split())
    example = number(1_250_000, currency)
    if not shown:
        raise AmountError(f"Enter an amount, for example {example}.")
    match = _money_pattern(style).fullmatch(shown)
    if match is None:
        raise AmountError(f"\u201c{shown}\u201d is not an amount; type digits, for example "
                          f"{_examples(currency)}.")
    if match["minus"] or match["minus_after_sign"]:
        raise AmountError(f"\u201c{shown}\u201d is negative; an amount must be zero or more.")
    digits = _plain_digits(match["number"], style, shorthand=bool(match["suffix"]))
    if digits is None:
        grouping = "spaces" if style.thousands == " " else f"\u201c{style.thousands}\u201d"
        raise AmountError(
            f"\u201c{shown}\u201d does not read as an amount in {style.code}; group thousands "
            f"with {grouping} (or not at all) and mark at most two decimals with "
            f"\u201c{style.decimal}\u201d, for example {_examples(currency)}.")
    return float(digits) * _money_suffixes(style).get((match["suffix"] or "").lower(), 1.0)


def _examples(currency: str) -> str:
    """Amounts :func:`parse_money` reads, to show: ``"1 250 000, 250k or 1,25m"``."""
    return f"{number(1_250_000, currency)}, 250k or {number(1.25, currency, 2)}m"


def _money_suffixes(style: NumberStyle) -> dict[str, float]:
    """The shorthands an amount in ``style``'s currency may end with, and what they stand for."""
    return MONEY_SUFFIXES | (KR_SUFFIXES if style.sign.startswith("kr") else {})


class NumberError(ValueError):
    """Text that is not a number; ``str(error)`` says why, fit to show a user."""


def parse_decimal(text: str | None, currency: str) -> float:
    """A multiple or target typed the client's way: ``"0,5"``, ``"1,25x"`` (SEK), ``"1.25"``.

    Besides the currency's decimal mark a point is read as one, unless the currency groups
    thousands with it (``"1.250"`` is no number for a DKK client); spaces and a trailing
    ``x`` are ignored.
    """
    style = style_for(currency)
    shown = " ".join(str(text or "").split())
    example = number(1.5, currency, 2)
    plain = re.sub(r"\s", "", shown).rstrip("xX\u00d7")
    if not plain:
        raise NumberError(f"Enter a number, for example {example}.")
    if plain.startswith(("-", "\u2212")):
        raise NumberError(f"\u201c{shown}\u201d is negative; type the amount without a minus.")
    grouped = style.thousands != " " and style.thousands in plain
    if grouped or not re.fullmatch(r"\d+(?:[.,]\d+)?", plain):
        raise NumberError(f"\u201c{shown}\u201d is not a number; type one like {example}.")
    return float(plain.replace(",", "."))


@functools.cache
def _money_pattern(style: NumberStyle) -> re.Pattern[str]:
    """Optional minus, sign or code, digits and separators, a shorthand, sign or code."""
    marks = {style.sign, style.sign.rstrip("."), style.code}
    sign = "|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True))
    suffix = "|".join(re.escape(s) for s in sorted(_money_suffixes(style), key=len,
                                                        reverse=True))
    return re.compile(
        rf"(?P<minus>[-\u2212])? ?(?:(?:{sign}) ?)?(?P<minus_after_sign>[-\u2212])? ?"
        rf"(?P<number>\d[\d .,]*?) ?(?P<suffix>{suffix})? ?(?:{sign})?",
        re.IGNORECASE)


def _plain_digits(text: str, style: NumberStyle, shorthand: bool) -> str | None:
    """``"1 250 000,5"`` (SEK) as ``"1250000.5"``; None when the separators do not fit.

    Thousands come in groups of three after the first; the decimal separator appears once,
    followed by digits: at most two, unless a shorthand follows (``"1,255m"``), since
    ``"1,250"`` for a SEK client or ``"1.250"`` for a USD one is a thousands separator in
    the wrong place far more often than a fraction of a cent.
    """
    whole, *decimals = text.split(style.decimal)
    groups = re.split(f"[ {re.escape(style.thousands)}]", whole)
    grouped_well = len(groups) == 1 or (
        1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]))
    if (len(decimals) > 1 or not grouped_well
            or not all(g.isdigit() for g in [*groups, *decimals])
            or (decimals and not shorthand and len(decimals[0]) > 2)):
        return None
    return ".".join(["".join(groups), *decimals])


#: The most decimals a percentage takes to not read as 0 % or ±100 % when it is neither
#: (:func:`percent`); closer than that (a millionth) is rounding noise.
PERCENT_MAX_DECIMALS = 4


def percent(share: float | None, currency: str = "SEK", decimals: int = 0) -> str:
    """A share (0.31) as a percentage: ``"31 %"`` (Nordic) or ``"31%"``.

    With more than ``decimals`` where fewer would read as 0 % or ±100 % when it is neither
    (:func:`_percent_decimals`): ``percent(-0.9989) == "-99,9 %"``, not ``"-100 %"``.
    """
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    space = " " if style_for(currency).percent_space else ""
    return f"{number(share * 100, currency, _percent_decimals(share, decimals))}{space}%"


def _percent_decimals(share: float, decimals: int) -> int:
    """The fewest decimals from ``decimals`` on that keep ``share`` from reading as 0 % or
    ±100 % unless it is exactly that, up to :data:`PERCENT_MAX_DECIMALS`; ``decimals`` when
    even those do not (a share that close is 0 or 1 but for rounding noise)."""
    for places in range(decimals, max(decimals, PERCENT_MAX_DECIMALS) + 1):
        shown = round(share * 100, places)
        if (shown == 0) == (share == 0) and (abs(shown) == 100) == (abs(share) == 1):
            return places
    return decimals


def signed_percent(change: float | None, currency: str = "SEK", decimals: int = 1) -> str:
    """A relative change with its sign: ``"+12,5 %"``, ``"-3,0 %"``; never ``"+0 %"`` or
    ``"-100 %"`` for a change that is not exactly that (:func:`percent`)."""
    text = percent(change, currency, decimals)
    return text if text == "–" or text.startswith("-") else f"+{text}"


def measure_value(value: float | None, measure: str, conversion: bool,
                  currency: str = "SEK") -> str:
    """A channel's ``measure`` as run comparisons write it (tables and chart): ``"roas"``,
    ``"cpa"`` (money, two decimals) or ``"contribution"`` (money, or a count of conversions
    for a ``conversion`` model)."""
    if measure == "roas":
        return roas(value, currency)
    if measure == "cpa":
        return money(value, currency, 2)
    return number(value, currency) if conversion else money(value, currency)


def interval_name(currency: str = "SEK") -> str:
    """What a ROAS (CPA) interval is called, its percent as the client writes it: ``"90 %
    interval"`` (Nordic) or ``"90% interval"``."""
    return f"{percent(0.9, currency)} interval"


#: Decimals of a model's fit (R², NRMSE, DECOMP.RSSD) wherever it is shown, as in the PDF's
#: appendix: the Results metrics, the model picker, Home and the run history read alike.
FIT_DECIMALS = 3


def fit(value: float | None, currency: str = "SEK") -> str:
    """A fit figure (R², NRMSE, DECOMP.RSSD) with :data:`FIT_DECIMALS`: ``"0,313"``."""
    return number(value, currency, FIT_DECIMALS)


#: Decimals of a ROAS wherever it is shown.
ROAS_DECIMALS = 2


def roas(value: float | None, currency: str = "SEK") -> str:
    """Return on ad spend with two decimals: ``"1,90"`` (SEK) or ``"1.90"`` (USD)."""
    return number(value, currency, ROAS_DECIMALS)


def efficiency(roas_value: float | None, conversion: bool, currency: str = "SEK") -> str:
    """A return per unit spent as shown: for a conversion model its inverse, the cost per
    conversion in money (``"12,50 kr"``), else the ROAS (``"1,90"``)."""
    if conversion:
        return money(1 / roas_value if roas_value else None, currency, 2)
    return roas(roas_value, currency)


def shown_difference(now: float | None, new: float | None, decimals: int) -> float | None:
    """``new - now`` as the two figures read when shown with ``decimals`` (as :func:`number`
    rounds them): ``shown_difference(0.5449, 0.5351, 2) == 0.0``, both showing ``0,54``. So
    a change shown beside two figures is their difference, and none when they read alike."""
    if now is None or new is None:
        return None
    return round(round(float(new), decimals) - round(float(now), decimals), decimals)


def duration(seconds: float | None) -> str:
    """How long something took: ``"45 s"``, ``"2 min 5 s"``; an en dash when not known."""
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def time_left(fraction: float, elapsed: float | None) -> str | None:
    """How long a job that is ``fraction`` done after ``elapsed`` seconds still takes, at the
    pace so far: ``"about 40 s left"``, ``"about 3 min left"``, ``"about 1 h 25 min left"``
    (to 10 s, a minute, 5 minutes); None before 5 % or 10 s, too early to tell."""
    if elapsed is None or elapsed < 10 or not 0.05 <= fraction < 1:
        return None
    seconds = elapsed * (1 - fraction) / fraction
    if seconds < 55:
        return f"about {max(10, round(seconds, -1)):.0f} s left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    hours, minutes = divmod(5 * round(seconds / 300), 60)
    return f"about {hours} h {minutes} min left" if minutes else f"about {hours} h left"


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (``"Europe/Stockholm"``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_time(value: datetime, zone: str) -> datetime:
    """A stored moment (naive means UTC) on the clock of the IANA time zone ``zone``."""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone))


def timestamp(value: datetime | None, zone: str, currency: str = "SEK") -> str:
    """A stored moment to the minute in ``zone``, its day written the client's way
    (:func:`format_date`): 13:05 UTC on 30 November 2026 is ``"2026-11-30 14:05"`` in
    ``"Europe/Stockholm"`` (``"Nov 30, 2026 14:05"`` for USD); an en dash when not known."""
    if value is None:
        return "–"
    moment = local_time(value, zone)
    return f"{format_date(moment.date(), currency)} {moment:%H:%M}"


def moment_date(value: datetime, zone: str, currency: str = "SEK") -> str:
    """The day of a stored moment in ``zone``, written the client's way (:func:`format_date`):
    23:30 UTC on 30 November 2026 is ``"2026-12-01"`` in ``"Europe/Stockholm"``."""
    return format_date(local_time(value, zone).date(), currency)


def today(zone: str) -> date:
    """Today's date on the clock of ``zone``."""
    return datetime.now(ZoneInfo(zone)).date()


def counted(count: int, noun: str) -> str:
    """A count with its noun in singular or plural: ``"1 problem"``, ``"2 problems"``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def joined(items: list[str]) -> str:
    """Items in a sentence: ``"Meta"``, ``"Meta and Google"``, ``"Meta, Google and TikTok"``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def weeks(count: int) -> str:
    """A horizon or a span of weeks: ``"1 week"``, ``"4 weeks"``."""
    return counted(count, "week")


def as_date(value: str | date) -> date:
    """An ISO date string (or a date) as a :class:`datetime.date`."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def format_date(value: str | date, currency: str = "SEK") -> str:
    """A date the way the client writes it: ``"2016-01-04"`` (SEK), ``"04.01.2016"`` (NOK),
    ``"4 Jan 2016"`` (EUR), ``"Jan 4, 2016"`` (USD): every date the client reads (the PDF,
    the Presentation page) goes through here, so one client's dates share one style.

    A calendar date; the day of a stored moment depends on the time zone (:func:`moment_date`).
    """
    return style_for(currency).date_pattern.format(d=as_date(value))


def weeks_period(first_week: str | date, last_week: str | date, currency: str = "SEK") -> str:
    """The days weekly data covers, from its first week's start through its last week's end
    (a row's date is its week's start): ``weeks_period("2016-01-04", "2018-12-24")`` is
    ``"2016-01-04 – 2018-12-30"``, 156 weeks."""
    last_day = as_date(last_week) + timedelta(days=6)
    return f"{format_date(first_week, currency)} – {format_date(last_day, currency)}"


_BRANDS = {name.lower(): name for name in (
    "Meta", "Facebook", "Instagram", "Google", "Bing", "TikTok", "YouTube", "LinkedIn",
    "Pinterest", "Snapchat", "Spotify", "Amazon", "Reddit", "Twitter", "Criteo", "Adform")}
_ACRONYMS = {"tv", "ooh", "dooh", "ctv", "vod", "bvod", "sem", "seo", "sms", "crm", "b2b", "ai"}
# A word (or two) that marks a column of spend, in English and the Nordic/German words
# agencies' clients export with: "spend_meta", "Google Ads spend", "Kostnad Meta", "TV Kosten",
# "Meta utgifter", "TV omkostninger", "Radio Ausgaben", "Meta forbrug".
SPEND_WORDS = (r"(?:(?:ad|media)[ _-]?)?(?:spend|spending|costs?|kostnad(?:er)?|kosten|budget"
               r"|investments?|investering|utgift(?:er)?|udgift(?:er)?|omkostning(?:er)?"
               r"|ausgaben|forbrug)")
SPEND_WORD = re.compile(rf"(?<![^\W_]){SPEND_WORDS}(?![^\W_])", re.IGNORECASE)
_SPEND_AFFIX = re.compile(rf"^{SPEND_WORDS}[\W_]+|[\W_]+{SPEND_WORDS}$", re.IGNORECASE)
_ROBYN_SUFFIX = re.compile(r"_[SIPB]$")
_WORD_BREAK = re.compile(r"[\s_-]+")
_SPACE_BREAK = re.compile(r"[\s_]+")


ENGINE_NAMES = {"kiri": "Kiri", "robyn-r": "Robyn"}  # keys: kiri_core.db.models.ENGINES


def engine_name(engine: str) -> str:
    """How pages and the report name a run's engine: ``"robyn-r" -> "Robyn"``."""
    return ENGINE_NAMES.get(engine, engine)


def channel_name(column: str) -> str:
    """A readable channel name from its column: ``"tv_S" -> "TV"``, ``"spend_search" ->
    "Search"``, ``"Google Ads" -> "Google Ads"``, ``"TikTok cost" -> "TikTok"``.

    Robyn's suffixes (``_S`` spend, ``_I`` impressions, ``_P`` clicks, ``_B`` benchmark) and a
    spend word before or after the name (:data:`SPEND_WORDS`) are dropped; brands and
    acronyms are written their way; a word the user cased their own way (``"Ads"``) keeps it.
    """
    name = _SPEND_AFFIX.sub("", _ROBYN_SUFFIX.sub("", column.strip()))
    # hyphens part the words only where nothing else does ("spend-paid-social"); beside
    # spaces or underscores they are the words' own ("Kostnad E-post", "e-mail_spend")
    breaks = _SPACE_BREAK if _SPACE_BREAK.search(column.strip()) else _WORD_BREAK
    words = [_cased(w) for w in breaks.split(name) if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else column


def _cased(word: str) -> str:
    """One word of a channel name: a brand or acronym its way, a word in one case lowered."""
    lower = word.lower()
    if lower in _BRANDS:
        return _BRANDS[lower]
    if lower in _ACRONYMS:
        return word.upper()
    return lower if word.islower() or word.isupper() else word


def search_size(iterations: int, trials: int) -> str:
    """A search's size in Robyn's words and in the report's: ``"2000 iterations × 5 trials,
    10000 settings"`` (the report counts "settings searched")."""
    return (f"{iterations} iterations × {trials} trial{'' if trials == 1 else 's'}, "
            f"{iterations * trials} settings")


def term_name(term: str) -> str:
    """A readable name for a context or organic variable (``"promo_flag" -> "Promo flag"``);
    the model's own terms are named in :data:`kiri_core.results.BASE_TERMS`."""
    return channel_name(term)


# A space between digit groups ("1 479 988") or before a unit ("988 kr", "4,9 %"): a line
# must not break there.
NUMBER_SPACE = re.compile(r"(?<=\d) (?=\d{3}(?!\d)|kr\b|%)")


def unbreakable_numbers(text: str) -> str:
    """``text`` with non-breaking spaces inside numbers and before their units."""
    return NUMBER_SPACE.sub("\u00a0", text)


# A hyphen inside a date ("2026-12-01") and the space between a date and its time
# ("2026-12-01 12:46", "Dec 1, 2026 12:46"): a line must not break there.
DATE_HYPHEN = re.compile(r"(?<=\d)-(?=\d)")
DATE_TIME_SPACE = re.compile(r"(?<=\d) (?=\d{2}:\d{2})")


def unbreakable_moments(text: str) -> str:
    """``text`` with its dates and times kept on one line in the app: non-breaking hyphens
    (U+2011, which Inter draws as a hyphen) inside dates and a non-breaking space before a
    time. For the app's captions only: a PDF's text would no longer search as typed."""
    return DATE_TIME_SPACE.sub("\u00a0", DATE_HYPHEN.sub("\u2011", text))
