"""What the browser tests need besides the demo: settlement files an insurer would send."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from contracts.models import Contract
from insurance.models import Enrollment
from tests.claims.files import settlement_row, write_csv


def running_year(contract: Contract):
    """The contract's scheme year that covers today."""
    today = timezone.localdate()
    return contract.scheme.years.get(coverage_start__lte=today, coverage_end__gte=today)


def settlement_file(folder: Path, *, bad: bool = False) -> Path:
    """Three inpatient settlements of people enrolled this year, discharged in its first weeks;
    `bad`: the second row's total is not a number."""
    contract = Contract.objects.order_by("pk").first()
    year = running_year(contract)
    people = list(
        Enrollment.objects.filter(scheme_year=year)
        .order_by("person_id")
        .values_list("person__psn_no", flat=True)[:3]
    )
    end = min(year.coverage_start + dt.timedelta(days=20), timezone.localdate())
    rows = []
    for n, psn_no in enumerate(people, start=1):
        row = settlement_row(
            (910000 if bad else 900000) + n,
            psn_no=psn_no,
            total="36000.00",
            begndate=(end - dt.timedelta(days=9)).isoformat(),
            enddate=end.isoformat(),
            setl_time=f"{end.isoformat()} 15:00:00",
        )
        if bad and n == 2:
            row["medfee_sumamt"] = "三万六"
        rows.append(row)
    return write_csv(folder / ("bad.csv" if bad else "good.csv"), rows)
