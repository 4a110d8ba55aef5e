"""Year-end settlement orchestration: reads claims paid from the claims app and hands it to the
contracts service (contracts never imports claims; the layers are insurance <- contracts <- claims).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from claims.selectors import compensation_due_total
from contracts.selectors import funding_current, payout_ratio
from contracts.services.year_end import year_end_prepare


def _year_bounds(contract, year: int) -> tuple[datetime.date, datetime.date]:
    """The contract year: the calendar year, clipped to the contract's coverage."""
    start = max(datetime.date(year, 1, 1), contract.coverage_from)
    end = min(datetime.date(year, 12, 31), contract.ends_on)
    return start, end


def claims_paid_to_date(*, contract, year: int, on: datetime.date | None = None) -> Decimal:
    """Claims the engine says the insurer owed on the contract's settlements of the year, dated
    up to `on` (default: the year's end)."""
    start, end = _year_bounds(contract, year)
    if on is not None:
        end = min(end, on)
    if end < start:
        return Decimal("0.00")
    return compensation_due_total(contract_id=contract.pk, start=start, end=end)


def payout_ratio_for(*, contract, year: int, on: datetime.date | None = None) -> Decimal | None:
    """Payout ratio so far (claims paid / approved funding, percent to 0.01): for the dashboard
    and the annual evaluation. None while the year has no approved funding."""
    funding = funding_current(contract=contract, year=year)
    if funding is None:
        return None
    return payout_ratio(
        claims_paid=claims_paid_to_date(contract=contract, year=year, on=on),
        premium=funding.result,
    )


def year_end_prepare_for(
    *,
    contract,
    year: int,
    actor,
    interest=Decimal("0.00"),
    allowed_costs=Decimal("0.00"),
    request=None,
):
    """Prepare the year-end settlement with claims paid from `compensation_due_total`. The
    contracts service checks the maker's permission (`contracts.prepare_transfer`), refuses an
    approved year and writes the audit event. Called by the admin form and the command."""
    start, end = _year_bounds(contract, year)
    claims_paid = compensation_due_total(contract_id=contract.pk, start=start, end=end)
    source = (
        f"claims.selectors.compensation_due_total（合同 {contract.number}，"
        f"结算日期 {start}～{end}，含调整）"
    )
    return year_end_prepare(
        contract=contract,
        year=year,
        claims_paid=claims_paid,
        claims_source=source,
        actor=actor,
        interest=interest,
        allowed_costs=allowed_costs,
        request=request,
    )
