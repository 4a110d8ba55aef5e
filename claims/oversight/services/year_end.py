"""Year-end settlement orchestration: reads claims paid from the claims app and hands it to the
contracts service (contracts never imports claims; the layers are insurance <- contracts <- claims).

A contract year is the scheme's insurance year (`contracts.periods`): its claims are those of the
settlements dated in it, retroactive cover included (R-HZ-5).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from claims.settlements.selectors import compensation_due_total
from contracts.periods import contract_year
from contracts.selectors import funding_current, payout_ratio
from contracts.services.year_end import year_end_prepare


def claims_paid_to_date(*, contract, year: int, on: datetime.date | None = None) -> Decimal:
    """Claims the engine says the insurer owed on the contract's settlements of the year, dated
    up to `on` (default: the year's end)."""
    period = contract_year(contract, year)
    end = period.claims_to if on is None else min(period.claims_to, on)
    if end < period.claims_from:
        return Decimal("0.00")
    return compensation_due_total(contract_id=contract.pk, start=period.claims_from, end=end)


def payout_ratio_for(*, contract, year: int, on: datetime.date | None = None) -> Decimal | None:
    """Payout ratio so far (claims paid / the year's premium, percent to 0.01): for the
    dashboard and the annual evaluation. None while the year has no approved funding."""
    funding = funding_current(contract=contract, year=year)
    if funding is None:
        return None
    return payout_ratio(
        claims_paid=claims_paid_to_date(contract=contract, year=year, on=on),
        premium=funding.premium,
    )


def year_end_prepare_for(
    *,
    contract,
    year: int,
    actor,
    interest=Decimal("0.00"),
    allowed_costs=Decimal("0.00"),
    policy_loss=Decimal("0.00"),
    policy_loss_reason: str = "",
    request=None,
):
    """Prepare the year-end settlement with claims paid from `compensation_due_total`. The
    contracts service checks the maker's permission (`contracts.prepare_transfer`), refuses an
    approved year and writes the audit event. Called by the admin form and the command."""
    period = contract_year(contract, year)
    claims_paid = compensation_due_total(
        contract_id=contract.pk, start=period.claims_from, end=period.claims_to
    )
    source = (
        f"结算数据：合同 {contract.number}，"
        f"结算日期 {period.claims_from}～{period.claims_to}，含调整"
    )
    return year_end_prepare(
        contract=contract,
        year=year,
        claims_paid=claims_paid,
        claims_source=source,
        actor=actor,
        interest=interest,
        allowed_costs=allowed_costs,
        policy_loss=policy_loss,
        policy_loss_reason=policy_loss_reason,
        request=request,
    )
