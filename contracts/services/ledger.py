"""Posting to the fund ledger. Every movement is two entries per fund (out of one account, into
another) with one movement id, so balances reconcile exactly. Posting the same kind for the same
source document twice is refused by a unique constraint, and skipped here."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from contracts.choices import LedgerDirection
from contracts.models import Contract, FundingCalculation, LedgerEntry
from insurance.engine.money import ZERO, split_exact


def ledger_split(
    *,
    funding: FundingCalculation | None,
    amount: Decimal,
    parts: list[tuple[str, Decimal]] | None = None,
) -> list[tuple[str, Decimal]]:
    """Split an amount over the funding sources of the year, in proportion to what each raised
    (largest remainder: the parts add up exactly): over `parts` when given, else over the
    year's premium. No funding or nothing raised: one part, no source."""
    if parts is None:
        parts = funding.premium_parts() if funding else []
    parts = [(s, a) for s, a in parts if a > 0]
    if not parts:
        return [("", amount)]
    amounts = split_exact(total=amount, weights=[a for _s, a in parts])
    return [(s, a) for (s, _w), a in zip(parts, amounts, strict=True)]


@transaction.atomic
def ledger_post(
    *,
    kind: str,
    contract: Contract,
    year: int,
    by_fund: list[tuple[str, Decimal]],
    from_account: str,
    to_account: str,
    source,
    actor,
    on: datetime.date,
    memo: str = "",
    to_year: int | None = None,
) -> list[LedgerEntry]:
    """Move each fund's amount from `from_account` to `to_account` (of `to_year`, default the
    same year). Zero amounts are skipped; a negative amount moves the other way."""
    source_type = ContentType.objects.get_for_model(source)
    if LedgerEntry.objects.filter(source_type=source_type, source_id=source.pk, kind=kind).exists():
        return []  # already posted (a retried call)
    year_of = {from_account: year, to_account: to_year or year}
    actor = actor if getattr(actor, "is_authenticated", False) else None
    entries = []
    for fund, amount in by_fund:
        if amount == ZERO:
            continue
        out_account, in_account = from_account, to_account
        if amount < 0:
            out_account, in_account, amount = to_account, from_account, -amount
        movement = uuid.uuid4()
        for account, direction in (
            (out_account, LedgerDirection.OUT),
            (in_account, LedgerDirection.IN),
        ):
            entries.append(
                LedgerEntry(
                    movement=movement,
                    fund=fund,
                    contract=contract,
                    year=year_of[account],
                    account=account,
                    kind=kind,
                    direction=direction,
                    amount=amount,
                    source_type=source_type,
                    source_id=source.pk,
                    posted_on=on,
                    posted_by=actor,
                    memo=memo[:255],
                )
            )
    LedgerEntry.objects.bulk_create(entries)
    return entries
