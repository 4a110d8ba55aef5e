"""Reads of fund flows: funding, transfers, reserves, year-end settlement, the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from contracts.choices import (
    FundingCalcStatus,
    LedgerAccount,
    LedgerDirection,
    PaymentStatus,
)
from contracts.models import (
    Contract,
    FundingCalculation,
    LedgerEntry,
    ReserveRelease,
    Transfer,
)
from insurance.engine.money import quantize


def funding_current(*, contract: Contract, year: int) -> FundingCalculation | None:
    """The approved funding calculation of a contract year (the one everything else uses)."""
    return FundingCalculation.objects.filter(
        contract=contract, year=year, status=FundingCalcStatus.APPROVED
    ).first()


def ledger_balances(*, contract: Contract, year: int | None = None) -> dict[tuple, Decimal]:
    """{(fund, year, account): balance} where balance = entries in − entries out."""
    qs = LedgerEntry.objects.filter(contract=contract)
    if year is not None:
        qs = qs.filter(year=year)
    balances: dict[tuple, Decimal] = {}
    rows = qs.values("fund", "year", "account", "direction").annotate(s=Sum("amount"))
    for row in rows:
        key = (row["fund"], row["year"], row["account"])
        sign = 1 if row["direction"] == LedgerDirection.IN else -1
        balances[key] = balances.get(key, Decimal("0.00")) + sign * row["s"]
    # SQLite sums decimals as floats' text: bring each balance back to the fen
    return {key: quantize(value) for key, value in balances.items()}


def ledger_account_balance(*, contract: Contract, year: int, account: str) -> Decimal:
    return sum(
        (
            v
            for (_f, _y, a), v in ledger_balances(contract=contract, year=year).items()
            if a == account
        ),
        Decimal("0.00"),
    )


def ledger_fund_balances(
    *, contract: Contract, year: int, account: str
) -> list[tuple[str, Decimal]]:
    return sorted(
        (f, v)
        for (f, _y, a), v in ledger_balances(contract=contract, year=year).items()
        if a == account and v != 0
    )


def fund_summary(*, contract: Contract, year: int) -> dict[str, Decimal]:
    """The year's figures for the dashboard and the evaluation: raised (approved funding),
    transferred (paid transfers), reserve held (still in RESERVE), released, returned."""
    funding = funding_current(contract=contract, year=year)
    paid = Transfer.objects.filter(contract=contract, year=year, status=PaymentStatus.PAID)
    release = ReserveRelease.objects.filter(
        contract=contract, year=year, status=PaymentStatus.PAID
    ).first()
    zero = Decimal("0.00")
    return {
        "raised": funding.result if funding else zero,
        "transferred": paid.aggregate(s=Sum("amount"))["s"] or zero,
        "held": ledger_account_balance(contract=contract, year=year, account=LedgerAccount.RESERVE),
        "released": release.released if release else zero,
        "returned": release.returned if release else zero,
    }


def payout_ratio(*, claims_paid: Decimal, premium: Decimal) -> Decimal | None:
    """Claims paid / premium in percent, to 0.01 (R-HZ-2); None without a premium."""
    from contracts.settlement_calc import percent_of

    return percent_of(claims_paid, premium) if premium else None
