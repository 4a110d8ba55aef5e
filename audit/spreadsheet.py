"""Formula injection (CSV/XLSX injection) neutralised, one helper for every export.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
by Excel, WPS and LibreOffice (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`), and openpyxl writes
such a string as a formula outright. `safe_cell` prefixes it with an apostrophe so that it shows
as the text it is. Numbers (and text that is a plain number, such as "-20.00") stay as they are.
Every export of the portal writes its cells through it: people and enrollment exports, error
reports, payment vouchers, the public disclosure CSV and the what-if calculator's output.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value):
    """The value as a spreadsheet may show it without running it."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]
