"""Calendar arithmetic for terms and deadlines (pure; month ends clamp: 08-31 + 6 mo = 02-28)."""

from __future__ import annotations

import calendar
import datetime

DAY = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def min_term_end(starts_on: datetime.date, years: int = 3) -> datetime.date:
    """The earliest last day of a term of `years` full years: 2024-01-01 -> 2026-12-31."""
    return add_years(starts_on, years) - DAY


def renewal_window(ends_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """R-CON-2: the insurer applies within the 6 months before expiry (first and last day)."""
    return add_months(ends_on + DAY, -6), ends_on


def renewal_answer_due(requested_on: datetime.date) -> datetime.date:
    """R-CON-2: the bureau answers within 3 months of the application."""
    return add_months(requested_on, 3)
