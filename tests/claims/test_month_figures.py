"""The dashboard's month figures follow each batch by adding what it changed, once, in a task
of its own after the compute (issue #24): its new settlements and its adjustments of earlier
ones, so the cost follows the batch, not the year. Figures worked by hand from
test_batch_compute's chemotherapy year (ordos-2018)."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.models import MonthFigure, SettlementBatch
from claims.settlements.services.month_figures import (
    month_figures_add_batch,
    month_figures_catch_up,
)
from tests.claims.test_batch_compute import _chemo, send  # noqa: F401  (a fixture)


def _figures() -> dict[dt.date, tuple[int, Decimal]]:
    found: dict[dt.date, tuple[int, Decimal]] = {}
    for row in MonthFigure.objects.all():
        n, owed = found.get(row.month, (0, Decimal("0")))
        found[row.month] = (n + row.settlements, owed + row.owed)
    return found


@pytest.mark.django_db
def test_late_records_and_reversals_are_added_to_their_own_months(ordos, send):  # noqa: F811
    send(
        ordos, "a.csv", [_chemo(10, "2018-06-01", "15000.00"), _chemo(11, "2018-08-01", "10000.00")]
    )
    # June: S10 owes 0; August: S11 owes (25,000 - 20,000) x 30% = 1,500
    assert _figures() == {
        dt.date(2018, 6, 1): (1, Decimal("0.00")),
        dt.date(2018, 8, 1): (1, Decimal("1500.00")),
    }
    send(ordos, "b.csv", [_chemo(12, "2018-04-01", "8000.00")])
    # April's S12 owes 0 and adjusts the later months: S10 to 900 (23,000 - 20,000) x 30%,
    # S11 to 3,000 ((33,000 - 20,000) x 30% = 3,900, less S10's 900)
    assert _figures() == {
        dt.date(2018, 4, 1): (1, Decimal("0.00")),
        dt.date(2018, 6, 1): (1, Decimal("900.00")),
        dt.date(2018, 8, 1): (1, Decimal("3000.00")),
    }
    reversal = _chemo(13, "2018-06-01", "-15000.00", refd_setl_flag="1", init_setl_id="S00000010")
    send(ordos, "c.csv", [reversal])
    # the reversal (a June settlement) takes S10's 900 back; S11 falls under 20,000: 0
    assert _figures() == {
        dt.date(2018, 4, 1): (1, Decimal("0.00")),
        dt.date(2018, 6, 1): (2, Decimal("0.00")),
        dt.date(2018, 8, 1): (1, Decimal("0.00")),
    }
    # each batch was added once: the nightly catch-up finds nothing left; started afresh (as
    # after an upgrade) it adds every batch again and gives the same figures
    assert month_figures_catch_up() == 0
    before = _figures()
    MonthFigure.objects.all().delete()
    SettlementBatch.objects.update(figures_added_at=None)
    assert month_figures_catch_up() > 0
    assert _figures() == before
    assert month_figures_add_batch(batch_id=SettlementBatch.objects.first().pk) == 0  # once


@pytest.mark.django_db
def test_a_settlement_is_counted_in_its_local_month(ordos, send):  # noqa: F811
    """Months are the bureau's (Asia/Shanghai): a settlement at 00:30 on 1 July local time is
    30 June in UTC, and one at 23:30 on 30 June local time is the same day in UTC; each counts
    in its own local month, whichever year partition its record is in."""
    early = {**_chemo(20, "2018-07-01", "1000.00"), "setl_time": "2018-07-01 00:30:00"}
    late = {**_chemo(21, "2018-06-30", "1000.00"), "setl_time": "2018-06-30 23:30:00"}
    send(ordos, "d.csv", [early, late])
    # both under the 20,000 threshold: owed nothing
    assert _figures() == {
        dt.date(2018, 6, 1): (1, Decimal("0.00")),
        dt.date(2018, 7, 1): (1, Decimal("0.00")),
    }
