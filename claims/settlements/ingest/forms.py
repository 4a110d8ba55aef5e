"""How each kind of cell is read (spec.Kind), in every form insurers' software writes it.

Two renderings of one set of forms, side by side:
- `reader(column)`: the Python reader of a cell as CSV (text), XLSX (text, float, bool,
  datetime) or JSON lines (text, int, Decimal, bool, None) give it; a value it cannot read
  exactly raises `Bad` with the error code;
- `PLAIN`: the plainest form of each kind, which the fast path (fastcsv.py) proves with a regular
  expression and PostgreSQL converts with its own input functions, to exactly what the Python
  reader gives for the same text (tests/claims/test_ingest_plain_csv.py compares them).
No value is guessed: an amount with more than two decimals, a time without its day, an ID a
spreadsheet turned into a number are refused.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings

from claims.settlements.ingest.spec import AMOUNT_DIGITS, AMOUNT_LIMIT, Column, Kind

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
FIRST_YEAR, LAST_YEAR = 1900, 2099  # days of treatment outside these are typing errors
# A spreadsheet shows 15 significant digits: a whole number beyond them is not what was typed.
EXACT_DIGITS = 15


class Bad(Exception):
    def __init__(self, code: str, **params):
        self.code = code
        self.params = params


# --- the plain forms (fast path) -----------------------------------------------------------------
# Year, month and day joined by - or / (one kind in a cell), the time after a space or a T, hours
# and minutes, seconds and a fraction if any: forms PostgreSQL reads as the Python readers below
# do, whatever its DateStyle. A month or day out of range (2025-13-01, 02-30) makes its
# conversion fail, and the file then takes the general path, which names the cell; the hour is
# held to 0-23 here, since PostgreSQL reads 24:00 as the next day.
PLAIN_DATE = r"(?:19|20)[0-9]{2}(?:-[01]?[0-9]-[0-3]?[0-9]|/[01]?[0-9]/[0-3]?[0-9])"
PLAIN_TIME = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
PLAIN_MONEY = rf"-?[0-9]{{1,{AMOUNT_DIGITS}}}(?:\.[0-9]{{1,2}})?"
# How a spreadsheet writes a long number it holds: 5.00155E+19. Never an identifier.
SCIENTIFIC = r"[0-9](?:\.[0-9]+)?[Ee][+-]?[0-9]+"
PLAIN = {
    Kind.DATE: PLAIN_DATE,
    Kind.DATETIME: rf"{PLAIN_DATE}[ T]{PLAIN_TIME}",
    Kind.MONEY: PLAIN_MONEY,
    Kind.FLAG: "[01]",
}

# --- amounts -------------------------------------------------------------------------------------
# Plain or with thousands separators in their places ("1,234.50"); never exponents, currency
# signs, full-width digits or spaces inside.
MONEY_TEXT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|[+-]?\.[0-9]+")


def _checked_amount(amount: Decimal, value) -> Decimal:
    if amount.as_tuple().exponent != -2:
        quantized = amount.quantize(FEN)
        if quantized != amount:
            raise Bad("too_many_decimals", value=value)
        amount = quantized
    if abs(amount) >= AMOUNT_LIMIT:
        raise Bad("out_of_range", value=value, limit=AMOUNT_LIMIT)
    return amount + 0  # -0.00 becomes 0.00


# The commonest form, whose Decimal is already exact, two decimals and in range; the amounts a
# file repeats (0.00, a deductible) are read once. The cache is bounded: a few thousand texts.
_PLAIN_AMOUNT = re.compile(rf"-?[0-9]{{1,{AMOUNT_DIGITS}}}\.[0-9][0-9]")
_READ_AMOUNTS: dict[str, Decimal] = {}
_CACHE_SIZE = 4096


def read_money(value) -> Decimal | None:
    """None for an empty cell (the parser decides whether that is allowed)."""
    cls = value.__class__
    if cls is str:
        amount = _READ_AMOUNTS.get(value)
        if amount is not None:
            return amount
        if _PLAIN_AMOUNT.fullmatch(value):
            amount = Decimal(value) or ZERO  # -0.00 is 0.00
            if len(_READ_AMOUNTS) < _CACHE_SIZE:
                _READ_AMOUNTS[value] = amount
            return amount
        text = value.strip()
        if not text:
            return None
        if MONEY_TEXT.fullmatch(text) is None:
            raise Bad("bad_number", value=value)
        return _checked_amount(Decimal(text.replace(",", "")), value)
    if value is None:
        return None
    if cls is float:
        return _checked_amount(_displayed(value), value)
    if cls is int or cls is Decimal:  # JSON numbers (read exactly: parse_float=Decimal)
        if cls is Decimal and not value.is_finite():
            raise Bad("bad_number", value=value)
        try:
            return _checked_amount(Decimal(value), value)
        except InvalidOperation:  # quantize beyond the context's precision: far too large
            raise Bad("out_of_range", value=value, limit=AMOUNT_LIMIT) from None
        except Bad as bad:
            # A JSON number is read as written, never rounded: 49667.14000000001 is what a
            # binary float (a double summed in Java or JavaScript) writes, not an amount.
            if bad.code == "too_many_decimals":
                raise Bad("json_not_fen", value=value) from None
            raise
    raise Bad("bad_number", value=value)


def _displayed(number: float) -> Decimal:
    """An XLSX number as the sheet shows it: a formula's 49667.14000000001 is 49667.14. Read
    to the fen when it lies within 1e-9 of a fen (or within the float's own precision, for
    large amounts); else exactly, so that more decimals are refused."""
    if not math.isfinite(number):
        raise Bad("bad_number", value=number)
    typed = Decimal(repr(number))
    if typed.as_tuple().exponent >= -2:
        return typed
    fen = typed.quantize(FEN)
    if abs(number - float(fen)) <= max(1e-9, 4 * math.ulp(number)):
        return fen
    return typed


# --- dates and times -----------------------------------------------------------------------------
# Year, month and day joined by - or / (month and day one or two digits), or eight digits; then
# optionally a time: hours and minutes (one or two digits for the hour), seconds, a fraction,
# and an offset from UTC (Z, +08:00, +0800, +08). Fourteen digits are date and time.
_DATE_TIME = re.compile(
    r"(?P<y>[0-9]{4})(?P<sep>[-/])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    r"(?:(?:[ T]|\s+)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"\s*(?P<tz>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_PLAIN_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_COMPACT = re.compile(
    r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})(?:(?P<H>[0-9]{2})(?P<M>[0-9]{2})(?P<S>[0-9]{2}))?"
)


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_moment(text: str) -> tuple[datetime, bool]:
    """(Beijing wall-clock time, whether a time of day was given)."""
    found = _DATE_TIME.fullmatch(text) or _COMPACT.fullmatch(text)
    if found is None:
        raise ValueError(text)
    parts = found.groupdict()
    fraction = (parts.get("f") or "").ljust(6, "0")
    moment = datetime(  # noqa: DTZ001 local time, or aware just below
        int(parts["y"]),
        int(parts["m"]),
        int(parts["d"]),
        int(parts["H"] or 0),
        int(parts["M"] or 0),
        int(parts["S"] or 0),
        int(fraction),
    )
    zone = parts.get("tz")
    if zone:
        moment = moment.replace(tzinfo=_offset(zone)).astimezone(LOCAL_TZ).replace(tzinfo=None)
    return moment, parts["H"] is not None


def _in_years(moment: datetime | date, code: str, value) -> None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Bad(code, value=value)


def _spreadsheet_moment(value: datetime) -> datetime:
    """An XLSX date-time (a serial number of days): to the second when it is within a
    millisecond of one, as the sheet shows it."""
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    rounded = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    return rounded if abs(rounded - value) < timedelta(milliseconds=1) else value


# An Excel serial date (days since 1899-12-30, the time as a fraction) in a cell not formatted as
# a date: 45721 is 2025-03-05, 45721.354 is 08:29:46 that day. Refused with the date it stands
# for, since the column's format, not the number, is what the insurer must change.
_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")
_EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 a spreadsheet's wall clock


def _not_a_date(value, code: str) -> Bad:
    """`code` (bad_date, bad_datetime), or serial_date when the value is an Excel serial date
    of a year 1900-2099."""
    number = None
    if value.__class__ in (int, float, Decimal) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _SERIAL.fullmatch(value.strip()):
        number = float(value.strip())
    if number is not None and math.isfinite(number) and 1 <= number < 73051:  # to 2099-12-31
        moment = _EXCEL_EPOCH + timedelta(days=number)
        moment = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)
        shown = (
            moment.date().isoformat() if number == int(number) else f"{moment:%Y-%m-%d %H:%M:%S}"
        )
        return Bad("serial_date", value=value, shown=shown)
    return Bad(code, value=value)


def read_datetime(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = _spreadsheet_moment(value)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)  # noqa: DTZ001 local time
    elif isinstance(value, str):
        if _PLAIN_MOMENT.fullmatch(value):  # the commonest form, read by the C parser
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise Bad("bad_datetime", value=value) from None
        else:
            text = value.strip()
            if not text:
                return None
            try:
                moment, _timed = _parse_moment(text)
            except ValueError:
                raise _not_a_date(value, "bad_datetime") from None
    else:  # a number: in a spreadsheet, a date cell not formatted as a date
        raise _not_a_date(value, "bad_datetime")
    _in_years(moment, "bad_datetime", value)
    return moment


def read_date(value) -> date | None:
    """A date, or the Beijing day of a date-time (就医开始时间 carries a time). The days a file
    repeats are read once."""
    if value.__class__ is str:
        day = _READ_DAYS.get(value)
        if day is None:
            day = _read_date(value)
            if len(_READ_DAYS) < _CACHE_SIZE * 4:
                _READ_DAYS[value] = day
        return day
    return _read_date(value)


_READ_DAYS: dict[str, date | None] = {}


def _read_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        day = _spreadsheet_moment(value).date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            day = _parse_moment(text)[0].date()
        except ValueError:
            raise _not_a_date(value, "bad_date") from None
    else:
        raise _not_a_date(value, "bad_date")
    _in_years(day, "bad_date", value)
    return day


# --- text ----------------------------------------------------------------------------------------
_SCIENTIFIC = re.compile(SCIENTIFIC)
# Excel's ways of keeping an identifier as text in a CSV file: ="0015062012345678" (a formula
# giving the text) or a leading apostrophe ('0015062012345678). The text inside is the value.
_EXCEL_TEXT = re.compile(r'="(?P<text>[^"]*)"')


def unwrap_excel_text(text: str) -> str:
    found = _EXCEL_TEXT.fullmatch(text)
    if found is not None:
        return found["text"].strip()
    if text.startswith("'"):
        return text[1:].strip()
    return text


def _number_as_text(value) -> str:
    """A number in a text column (an XLSX numeric cell, a JSON number): its digits when it is
    a whole number a spreadsheet holds exactly; else refused, asking for a text column."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    number = value
    if isinstance(number, Decimal):
        if not number.is_finite() or number != number.to_integral_value():
            raise Bad("id_as_number", value=value)
        number = int(number)
    if len(str(abs(number))) > EXACT_DIGITS:
        raise Bad("id_as_number", value=value)
    return str(number)


def read_text(value, *, identifier: bool = False) -> str:
    cls = value.__class__
    if cls is str:
        text = value.strip()
    elif value is None:
        return ""
    elif cls in (int, float, Decimal):
        return _number_as_text(value)
    else:  # JSON true/false, an object or a list; an XLSX date: never read as text
        raise Bad("not_text", value=value)
    if not text.isascii():
        try:
            text.encode("utf-8")  # a lone surrogate (a JSON "\ud800") cannot be stored
        except UnicodeEncodeError:
            raise Bad("bad_character") from None
    if "\x00" in text:  # PostgreSQL cannot store it: a located error, not a crash
        raise Bad("bad_character")
    if identifier:
        if text[:1] in ("=", "'"):
            text = unwrap_excel_text(text)
        if _SCIENTIFIC.fullmatch(text):
            raise Bad("id_as_number", value=text)
    return text


# --- identifiers a spreadsheet zeroed ----------------------------------------------------------
# Excel holds a number to 15 significant digits: an ID of more digits that went through a
# numeric cell and back to text keeps its first 15 and ends in zeros (50015520256100000001 ->
# 50015520256100000000). One such value cannot be told from a real ID that ends in zeros; a
# column can: real IDs end in any digit. A column is zeroed when none of its long numeric IDs has
# a digit other than 0 beyond the 15th and they have at least ZEROED_EVIDENCE such zeros in all
# (a real column passes with odds of 1 in 10^5 or better).
ZEROED_EVIDENCE = 5
ZEROED_LISTED = 1000  # rows listed per zeroed column


class ZeroedIds:
    """Watches the ID columns of one file for the spreadsheet's zeroing, as rows are read."""

    def __init__(self) -> None:
        self.evidence: dict[str, int] = {}
        self.rows: dict[str, list[tuple[int, str]]] = {}
        self.real: set[str] = set()  # columns with a long ID that was not zeroed

    def note(self, column: str, text: str, row: int) -> None:
        """Look at one ID (callers pass only those longer than EXACT_DIGITS)."""
        if column in self.real or not (text.isdigit() and text.isascii()):
            return
        tail = text[EXACT_DIGITS:]
        if tail.strip("0"):
            self.real.add(column)
            self.rows.pop(column, None)
            return
        self.evidence[column] = self.evidence.get(column, 0) + len(tail)
        listed = self.rows.setdefault(column, [])
        if len(listed) < ZEROED_LISTED:
            listed.append((row, text))

    def zeroed(self) -> dict[str, list[tuple[int, str]]]:
        """column -> (row, value) of its zeroed IDs, for each column found zeroed."""
        return {
            column: rows
            for column, rows in self.rows.items()
            if column not in self.real and self.evidence.get(column, 0) >= ZEROED_EVIDENCE
        }


def read_flag(value) -> bool:
    if value is True or value is False:
        return value
    text = read_text(value)
    if text in ("", "0"):
        return False
    if text == "1":
        return True
    raise Bad("bad_choice", value=value, allowed="0, 1")


def reader(column: Column, codes: dict[str, str] | None = None):
    """The reader of one column's cells; a CODE column maps through `codes` (code -> family)
    and returns (family, code as sent)."""
    kind, limit = column.kind, column.max_length
    if kind is Kind.MONEY:
        return read_money
    if kind is Kind.DATETIME:
        return read_datetime
    if kind is Kind.DATE:
        return read_date
    if kind is Kind.FLAG:
        return read_flag
    identifier = kind in (Kind.ID, Kind.CODE)  # codes are written as Excel text too
    choices = column.choices

    def read(value) -> str:
        text = read_text(value, identifier=identifier)
        if len(text) > limit:
            raise Bad("too_long", value=text, max=limit)
        if choices and text not in choices:
            raise Bad("bad_choice", value=text, allowed=", ".join(c for c in choices if c))
        return text

    if kind is not Kind.CODE:
        return read
    mapping = codes or {}

    def read_code(value) -> tuple[str, str]:
        code = read(value)
        if not code:
            return "", ""
        family = mapping.get(code)
        if family is None:
            raise Bad("unknown_code", value=code)
        return family, code

    return read_code
