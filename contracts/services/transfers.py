"""Quarterly transfers (季度拨付, R-ORD-2): created by the quarterly job, then prepared (finance),
approved (director, another person) and paid (bank reference, paid date).

The year's transfer is `transfer_share`% of the approved funding (rounded to the fen); the
rest is the evaluation reserve. Each is split over the four quarters with `split_exact`, so the
quarters add up exactly; each quarter is split over the consortium by share, exactly too.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import RuleError
from audit.plausibility import change_warning, found, negative_warning
from audit.workflow import perform_move, require_permission
from contracts.choices import ContractStatus, LedgerAccount, LedgerKind
from contracts.models import Contract, FundingCalculation, PaymentPart, Transfer
from contracts.periods import QUARTERS, contract_year, contract_years, quarter_in_term
from contracts.permissions import PREPARE
from contracts.selectors import contract_shares, funding_current
from contracts.services.ledger import ledger_post, ledger_split
from insurance.engine.money import quantize, split_exact
from insurance.models import SchemeYear

LIVE_STATUSES = (
    ContractStatus.SIGNED,
    ContractStatus.ACTIVE,
    ContractStatus.RENEWAL_REQUESTED,
    ContractStatus.RENEWAL_ANSWERED,
)


def year_split(*, contract: Contract, funding: FundingCalculation) -> tuple[Decimal, Decimal]:
    """(year's transfer, year's reserve) of the premium the bureau holds: transfer_share% of it
    (rounded to the fen), the rest held as the evaluation reserve (R-ORD-2). Premiums paid to
    the insurer directly are neither transferred nor reserved (R-JN-1)."""
    base = funding.transferable
    transfer = quantize(base * contract.transfer_share / Decimal(100))
    return transfer, base - transfer


def _quarter_amount(
    year_total: Decimal, others: dict[int, Decimal], quarter: int, quarters: list[int]
) -> Decimal:
    """The quarter's part of `year_total`: what the other existing quarters left, split evenly
    over the contract's quarters still missing (`quarters`: those its cover overlaps, so a term
    beginning mid-year pays the whole year's money over the quarters it covers; for an unchanged
    funding and a whole year this is `split_exact(year_total, [1, 1, 1, 1])[quarter - 1]`)."""
    missing = [q for q in quarters if q not in others]
    parts = split_exact(total=year_total - sum(others.values()), weights=[1] * len(missing))
    return parts[missing.index(quarter)]


def member_parts(contract: Contract, amount: Decimal) -> list[tuple]:
    shares = contract_shares(contract) or [(contract.lead_insurer, Decimal("100.00"))]
    amounts = split_exact(total=amount, weights=[share for _i, share in shares])
    return [(i, s, a) for (i, s), a in zip(shares, amounts, strict=True)]


@transaction.atomic
def transfer_create(
    *, contract_id: int, year: int, quarter: int, actor=None
) -> tuple[Transfer | None, bool]:
    """Create the quarter's transfer unless it exists (idempotent). `year` is the scheme year
    and `quarter` a quarter of its insurance year. Returns (transfer, created); (None, False)
    when the year has no approved funding yet or nothing for the bureau to pay over."""
    if quarter not in QUARTERS:
        raise RuleError(_("季度必须是 1 到 4。"))
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    existing = Transfer.objects.filter(contract=contract, year=year, quarter=quarter).first()
    if existing is not None:
        return existing, False
    funding = funding_current(contract=contract, year=year)
    if funding is None or not funding.transferable:
        return None, False
    if not quarter_in_term(contract, contract_year(contract, year), quarter):
        raise RuleError(
            _("合同 %(n)s 在 %(y)s 年度第 %(q)s 季度不在保障期内。")
            % {"n": contract.number, "y": year, "q": quarter}
        )
    year_transfer, year_reserve = year_split(contract=contract, funding=funding)
    others = list(
        Transfer.objects.filter(contract=contract, year=year).values_list(
            "quarter", "amount", "reserve_part"
        )
    )
    period = contract_year(contract, year)
    quarters = [q for q in QUARTERS if quarter_in_term(contract, period, q)]
    amount = _quarter_amount(year_transfer, {q: a for q, a, _r in others}, quarter, quarters)
    reserve = _quarter_amount(year_reserve, {q: r for q, _a, r in others}, quarter, quarters)
    if amount < 0 or reserve < 0:
        raise RuleError(
            _("合同 %(n)s %(y)s 年已生成的拨付超过重新测算后的年度金额，请人工处理。")
            % {"n": contract.number, "y": year}
        )
    transfer = Transfer.objects.create(
        contract=contract,
        year=year,
        quarter=quarter,
        funding=funding,
        amount=amount,
        reserve_part=reserve,
    )
    PaymentPart.objects.bulk_create(
        PaymentPart(transfer=transfer, insurer=insurer, share=share, amount=part)
        for insurer, share, part in member_parts(contract, amount)
    )
    events.change(
        actor=actor,
        obj=transfer,
        action=AuditAction.CREATE,
        after={"amount": str(amount), "reserve_part": str(reserve), "funding": funding.pk},
        summary=f"生成季度拨付 {transfer}",
    )
    return transfer, True


def _create_counting(counts: dict[str, int], contract_id: int, year: int, quarter: int, actor):
    try:
        transfer, created = transfer_create(
            contract_id=contract_id, year=year, quarter=quarter, actor=actor
        )
    except IntegrityError:  # another worker created it between our check and insert
        transfer, created = True, False
    if transfer is None:
        counts["no_funding"] += 1
    else:
        counts["created" if created else "existing"] += 1


def _live_contracts():
    return Contract.objects.filter(status__in=LIVE_STATUSES).select_related("scheme")


def _may_generate(actor) -> None:
    if actor is not None:
        require_permission(actor, PREPARE, _("生成季度拨付"))


def transfers_generate(*, year: int, quarter: int, actor=None) -> dict[str, int]:
    """The quarter `quarter` of scheme year `year` for every live contract whose cover overlaps
    it. Running it again (or concurrently) creates nothing more. A person (`actor`, the admin's
    button) needs the maker's permission; the job has none."""
    _may_generate(actor)
    counts = {"created": 0, "existing": 0, "no_funding": 0}
    for contract in _live_contracts():
        if not SchemeYear.objects.filter(scheme_id=contract.scheme_id, year=year).exists():
            continue
        if quarter_in_term(contract, contract_year(contract, year), quarter):
            _create_counting(counts, contract.pk, year, quarter, actor)
    return counts


def transfers_due(*, on: datetime.date, actor=None) -> dict[str, int]:
    """The scheduled job: every quarter of every live contract's insurance years that has begun
    by `on` and has no transfer yet (idempotent; a quarter missed while funding waited for
    approval is created on the next run). The admin's button runs it as a person (`actor`)."""
    _may_generate(actor)
    counts = {"created": 0, "existing": 0, "no_funding": 0}
    for contract in _live_contracts():
        for period in contract_years(contract):
            for quarter in QUARTERS:
                start, _end = period.quarter_bounds(quarter)
                if start <= on and quarter_in_term(contract, period, quarter):
                    _create_counting(counts, contract.pk, period.year, quarter, actor)
    return counts


# --- the payment workflow (shared with reserve releases: `contracts.workflows`) ---------------


def transfer_warnings(transfer: Transfer) -> list[str]:
    """Before approval: a negative amount, or one far from the same quarter's last year."""
    last = (
        Transfer.objects.filter(
            contract_id=transfer.contract_id, year=transfer.year - 1, quarter=transfer.quarter
        )
        .values_list("amount", flat=True)
        .first()
    )
    label = _("拨付金额")
    return found(
        negative_warning(label, transfer.amount),
        change_warning(label, transfer.amount, last, unit=_("元")),
    )


def guard_pay(step) -> None:
    """Paying needs the bank's reference and the date paid."""
    bank_reference = (step.data.get("bank_reference") or "").strip()
    paid_on = step.data.get("paid_on")
    if not bank_reference or paid_on is None:
        raise RuleError(_("登记支付必须填写银行流水号和支付日期。"))
    doc = step.doc
    doc.paid_by, doc.paid_on, doc.bank_reference = step.actor, paid_on, bank_reference
    step.after.update(paid_on=paid_on.isoformat(), bank_reference=bank_reference)


def payment_move(
    *,
    doc,
    move: str,
    actor,
    reason: str = "",
    paid_on: datetime.date | None = None,
    bank_reference: str = "",
    request=None,
):
    """Move a transfer or reserve release through the payment workflow."""
    data = {"paid_on": paid_on, "bank_reference": bank_reference}
    return perform_move(doc=doc, move=move, actor=actor, reason=reason, data=data, request=request)


def post_transfer(step) -> None:
    transfer, actor = step.doc, step.actor
    memo = f"{transfer.year}年第{transfer.quarter}季度"
    common = dict(
        contract=transfer.contract,
        year=transfer.year,
        source=transfer,
        actor=actor,
        on=transfer.paid_on,
    )
    ledger_post(
        kind=LedgerKind.TRANSFER,
        by_fund=ledger_split(
            funding=transfer.funding,
            amount=transfer.amount,
            parts=transfer.funding.transferable_parts(),
        ),
        from_account=LedgerAccount.POOL,
        to_account=LedgerAccount.INSURER,
        memo=memo + "拨付",
        **common,
    )
    ledger_post(
        kind=LedgerKind.RESERVE_HELD,
        by_fund=ledger_split(
            funding=transfer.funding,
            amount=transfer.reserve_part,
            parts=transfer.funding.transferable_parts(),
        ),
        from_account=LedgerAccount.POOL,
        to_account=LedgerAccount.RESERVE,
        memo=memo + "预留考核款",
        **common,
    )


def transfer_move(*, transfer: Transfer, move: str, actor, **kwargs) -> Transfer:
    """prepare (finance) → approve (director, not the preparer) → pay (bank reference, date).
    Paying posts the transfer (POOL → INSURER) and the quarter's reserve (POOL → RESERVE)."""
    return payment_move(doc=transfer, move=move, actor=actor, **kwargs)


def transfer_prepare(*, transfer, actor, request=None):
    return transfer_move(transfer=transfer, move="prepare", actor=actor, request=request)


def transfer_approve(*, transfer, actor, request=None):
    return transfer_move(transfer=transfer, move="approve", actor=actor, request=request)


def transfer_pay(*, transfer, actor, paid_on, bank_reference, request=None):
    return transfer_move(
        transfer=transfer,
        move="pay",
        actor=actor,
        paid_on=paid_on,
        bank_reference=bank_reference,
        request=request,
    )
