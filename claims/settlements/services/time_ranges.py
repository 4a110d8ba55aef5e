"""Local days and months as half-open ranges of aware instants on the indexed `setl_time`.

`setl_time__date__gte=day` makes PostgreSQL convert every row's timestamp to the local zone
(`AT TIME ZONE` per row) and the planner cannot use the `(contract, setl_time)` index. The same
days as `setl_time >= local midnight of start AND setl_time < local midnight after end` keep the
index and give the same rows.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def days_q(start: dt.date | None, end: dt.date | None, field: str = "setl_time") -> Q:
    """Instants on local days start..end (both inclusive; None leaves that side open)."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": local_midnight(start)})
    if end is not None:
        q &= Q(**{f"{field}__lt": local_midnight(end + dt.timedelta(days=1))})
    return q


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s, in order."""
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months
