"""China's working-day calendar: chinese-calendar, with the admin's overrides on top.

Order of authority for a day: a `CalendarOverride` row (holiday or make-up working day), then
chinese-calendar (years it knows: 2004-2026 for version 1.11), then the weekend rule alone for
years the library does not know (it raises NotImplementedError): enter those years' holidays and
make-up days in the admin (节假日与调休).
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from claims.choices import CalendarDayKind
from claims.supervision.models import CalendarOverride


def _library_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def library_knows(year: int) -> bool:
    """Whether chinese-calendar has the State Council's holidays of `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def years_without_holidays(today: dt.date, *, warn_from_month: int = 10) -> list[int]:
    """This year and, from `warn_from_month` on, the next one, where neither chinese-calendar
    nor the admin knows a single holiday: working days there are only weekdays, so every
    working-day deadline around the Spring Festival and National Day comes out wrong."""
    years = [today.year, *([today.year + 1] if today.month >= warn_from_month else [])]
    entered = {
        day.year
        for day in CalendarOverride.objects.filter(
            day__year__in=years, kind=CalendarDayKind.HOLIDAY
        ).dates("day", "year")
    }
    return [year for year in years if not library_knows(year) and year not in entered]


def is_working_day(day: dt.date, overrides: dict[dt.date, str] | None = None) -> bool:
    if overrides is None:
        overrides = calendar_overrides(day, day)
    kind = overrides.get(day)
    if kind is not None:
        return kind == CalendarDayKind.WORKDAY
    return _library_workday(day)


def calendar_overrides(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    rows = CalendarOverride.objects.filter(day__gte=start, day__lte=end)
    return dict(rows.values_list("day", "kind"))


def working_days_add(*, start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the start day itself does not count).

    One query for the overrides of the window; the window is wide enough for any holiday run.
    """
    if days <= 0:
        return start
    window_end = start + dt.timedelta(days=days * 3 + 40)
    overrides = calendar_overrides(start, window_end)
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day > window_end:  # a window of only holidays: widen it
            window_end = day + dt.timedelta(days=days * 3 + 40)
            overrides.update(calendar_overrides(day, window_end))
        if is_working_day(day, overrides):
            counted += 1
    return day


def working_days_between(*, start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    overrides = calendar_overrides(start, end)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day, overrides)
    return count
