"""The daily reminder job: what it creates, and that reruns create nothing more."""

import datetime

import pytest
from django.test import RequestFactory

from contracts.choices import ContractStatus, ReminderKind, ReminderStatus
from contracts.dashboard import reminder_tiles
from contracts.models import Reminder
from contracts.services import reminder_mark_done
from contracts.tasks import reminders_generate
from tests.contracts.factories import BondFactory, CommitmentFactory, ContractFactory

D = datetime.date


@pytest.fixture
def world(db):
    renewal_due = ContractFactory(status=ContractStatus.ACTIVE)  # window opens 2026-07-01
    BondFactory(contract=renewal_due, valid_until=D(2026, 7, 20))
    answer_due = ContractFactory(
        status=ContractStatus.RENEWAL_REQUESTED,
        renewal_requested_on=D(2026, 4, 10),
        renewal_answer_due_on=D(2026, 7, 10),
        ends_on=D(2026, 9, 30),
        starts_on=D(2023, 10, 1),
    )
    CommitmentFactory(contract=renewal_due, committed=10)  # nobody on duty
    far = ContractFactory(status=ContractStatus.ACTIVE, ends_on=D(2028, 12, 31))
    BondFactory(contract=far, valid_until=D(2029, 3, 31))
    return renewal_due, answer_due


def _kinds():
    return sorted(Reminder.objects.values_list("kind", flat=True))


def test_job_creates_each_reminder_once(world):
    assert reminders_generate.delay("2026-06-25").get() == 4
    assert _kinds() == sorted(
        [
            ReminderKind.RENEWAL_WINDOW,
            ReminderKind.RENEWAL_ANSWER_DUE,
            ReminderKind.BOND_EXPIRING,
            ReminderKind.STAFFING_BELOW,
        ]
    )
    assert reminders_generate.delay("2026-06-25").get() == 0
    assert reminders_generate.delay("2026-06-26").get() == 0  # next day: still nothing new
    assert Reminder.objects.count() == 4


def test_due_dates(world):
    reminders_generate("2026-06-25")
    due = dict(Reminder.objects.values_list("kind", "due_on"))
    assert due[ReminderKind.RENEWAL_WINDOW] == D(2026, 7, 1)
    assert due[ReminderKind.RENEWAL_ANSWER_DUE] == D(2026, 7, 10)
    assert due[ReminderKind.BOND_EXPIRING] == D(2026, 7, 20)


def test_date_reminders_not_too_early(world):
    assert reminders_generate("2026-01-02") == 1
    assert _kinds() == [ReminderKind.STAFFING_BELOW]  # staffing is checked every day


def test_staffing_reminder_again_after_done(world, role_user):
    reminders_generate("2026-06-25")
    staffing = Reminder.objects.get(kind=ReminderKind.STAFFING_BELOW)
    reminder_mark_done(reminder=staffing, actor=role_user("operator"))
    assert reminders_generate("2026-06-25") == 0  # same day: unique constraint
    assert reminders_generate("2026-06-26") == 1  # still short the next day: a new one
    assert Reminder.objects.filter(status=ReminderStatus.OPEN).count() == 4


def test_dashboard_tile_counts_open_reminders(world, role_user):
    reminders_generate("2026-06-25")
    request = RequestFactory().get("/admin/")
    request.user = role_user("director")
    [tile] = reminder_tiles(request)
    assert tile.value == "4"
    assert "status__exact=open" in tile.link
    request.user = role_user("administrator")
    assert reminder_tiles(request) == []
