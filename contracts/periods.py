"""The contract year: the scheme's insurance year, its quarters, and the dates whose claims it pays.

A contract year is one `SchemeYear` of the contract's scheme (its label `year`). The insurance
(premium) year runs from `SchemeYear.insurance_start` to `coverage_end`; its four quarters count
from that day, so Huizhou's first year (2013-07-01 to 2014-06-30, R-HZ-1) has the quarters
Jul-Sep, Oct-Dec, Jan-Mar and Apr-Jun. Cover before the insurance year started (`coverage_start`
earlier, R-HZ-5) is retroactive: its claims are paid from the same year's premium. Without a
scheme year the calendar year is used.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from contracts.dates import DAY, add_months
from insurance.models import SchemeYear

QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class ContractYear:
    """One year of a contract: its insurance year and the settlement dates it pays for."""

    year: int
    insurance_start: datetime.date  # first day of the premium year (quarter 1 starts here)
    end: datetime.date  # last day of the year (the scheme year's coverage end)
    claims_from: datetime.date  # first settlement date whose claims this year pays (retro cover)
    claims_to: datetime.date  # last such date (the contract may end earlier)

    def quarter_bounds(self, quarter: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of a quarter of the insurance year; the fourth ends with the year."""
        start = min(add_months(self.insurance_start, 3 * (quarter - 1)), self.end)
        if quarter == QUARTERS[-1]:
            return start, self.end
        return start, max(start, min(add_months(self.insurance_start, 3 * quarter) - DAY, self.end))

    def quarter_of(self, day: datetime.date) -> int | None:
        for quarter in QUARTERS:
            start, end = self.quarter_bounds(quarter)
            if start <= day <= end:
                return quarter
        return None


def contract_end(contract) -> datetime.date:
    """The last day the contract covers: its end, or an earlier termination date."""
    ended = getattr(contract, "ended_on", None)
    return min(contract.ends_on, ended) if ended else contract.ends_on


def contract_year(contract, year: int, scheme_year: SchemeYear | None = None) -> ContractYear:
    """The contract's year `year`: the scheme year's dates (or the calendar year), the claims
    window clipped to the contract's cover (retroactive `coverage_from` included)."""
    if scheme_year is None:
        scheme_year = SchemeYear.objects.filter(scheme_id=contract.scheme_id, year=year).first()
    if scheme_year is None:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        insurance_start = start
    else:
        start, end = scheme_year.coverage_start, scheme_year.coverage_end
        insurance_start = scheme_year.insurance_start
    return ContractYear(
        year=year,
        insurance_start=insurance_start,
        end=end,
        claims_from=max(start, contract.coverage_from),
        claims_to=min(end, contract_end(contract)),
    )


def quarter_in_term(contract, period: ContractYear, quarter: int) -> bool:
    """Whether the contract's cover overlaps the quarter (a term may start or end mid-year)."""
    start, end = period.quarter_bounds(quarter)
    return start <= contract_end(contract) and end >= contract.coverage_from


def contract_years(contract) -> list[ContractYear]:
    """The contract's years, in order: the scheme years overlapping its cover."""
    rows = SchemeYear.objects.filter(
        scheme_id=contract.scheme_id,
        coverage_start__lte=contract_end(contract),
        coverage_end__gte=contract.coverage_from,
    ).order_by("coverage_start")
    return [contract_year(contract, row.year, row) for row in rows]


def is_last_year(contract, year: int) -> bool:
    """Whether the contract ends within (or before the end of) its year `year`."""
    return contract_end(contract) <= contract_year(contract, year).end


def year_on(contract, day: datetime.date) -> int:
    """The label of the contract year whose insurance year contains `day` (the calendar year
    when no scheme year does): Huizhou's year running on 2026-03-15 is 2025."""
    for period in contract_years(contract):
        if period.insurance_start <= day <= period.end:
            return period.year
    return day.year
