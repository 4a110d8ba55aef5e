"""The dashboard warns while a year's public holidays are unknown: chinese-calendar stops at the
last year it was released for, and the admin must enter the State Council's notice after that."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.choices import CalendarDayKind
from claims.models import CalendarOverride
from claims.oversight.dashboard import calendar_tiles
from claims.supervision.services.calendar import library_knows, years_without_holidays

pytestmark = pytest.mark.django_db
KNOWN = 2024  # chinese-calendar has it
# The first year the installed chinese-calendar lacks (it stops at its release's last notice).
UNKNOWN = next(year for year in range(2024, 2100) if not library_knows(year))


def test_the_library_knows_past_years_and_not_every_future_one():
    assert library_knows(KNOWN) and not library_knows(UNKNOWN)


def test_next_year_is_checked_from_the_warning_month_on():
    last_known = dt.date(UNKNOWN - 1, 1, 1)
    assert years_without_holidays(last_known.replace(month=9), warn_from_month=10) == []
    assert years_without_holidays(last_known.replace(month=10), warn_from_month=10) == [UNKNOWN]
    assert years_without_holidays(dt.date(UNKNOWN, 3, 1), warn_from_month=10) == [UNKNOWN]


def test_one_entered_holiday_of_the_year_clears_it():
    CalendarOverride.objects.create(
        day=dt.date(UNKNOWN, 10, 5), kind=CalendarDayKind.WORKDAY, name="调休"
    )
    assert years_without_holidays(dt.date(UNKNOWN, 3, 1)) == [UNKNOWN]  # a make-up day is not one
    CalendarOverride.objects.create(
        day=dt.date(UNKNOWN, 10, 1), kind=CalendarDayKind.HOLIDAY, name="国庆节"
    )
    assert years_without_holidays(dt.date(UNKNOWN, 3, 1)) == []


def test_tile_for_staff_who_may_enter_the_calendar(rf, role_user, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(UNKNOWN - 1, 11, 22))
    request = rf.get("/")
    request.user = role_user("operator")
    (tile,) = calendar_tiles(request)
    assert tile.value == f"{UNKNOWN}年" and tile.section == "supervision"
    assert tile.link == reverse("admin:claims_calendaroverride_changelist")
    request.user = role_user("insurer")
    assert calendar_tiles(request) == []
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(UNKNOWN - 1, 6, 1))
    request.user = role_user("operator")
    assert calendar_tiles(request) == []
