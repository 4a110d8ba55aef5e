"""The year-end settlement (年度清算) of a contract year: prepare (finance), approve (director).

Contracts never read claims: `claims_paid` and where it came from are inputs. The orchestrator
`claims.services.year_end.year_end_prepare_for` fills them from the claims selectors.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from contracts.choices import LedgerAccount, LedgerKind, SettlementStatus
from contracts.errors import ContractsError
from contracts.fund_workflow import APPROVE_PERMISSION, PREPARE_PERMISSION, SETTLEMENT_MOVES
from contracts.models import Contract, SettlementLine, YearEndSettlement
from contracts.selectors import funding_current
from contracts.services.fund_common import check_move, check_other_person, check_perm, record_move
from contracts.services.ledger import ledger_post, ledger_split
from contracts.settlement_calc import Terms, settlement_compute
from insurance.engine.money import ZERO, MoneyError, to_money


def _money(value, label) -> Decimal:
    try:
        amount = to_money(value)
    except MoneyError:
        raise ContractsError(
            _("%(l)s 的金额格式不正确：%(v)s。") % {"l": label, "v": value}
        ) from None
    if amount < 0:
        raise ContractsError(_("%(l)s 不能为负数。") % {"l": label})
    return amount


@transaction.atomic
def year_end_prepare(
    *,
    contract: Contract,
    year: int,
    claims_paid,
    claims_source: str,
    actor,
    interest=ZERO,
    allowed_costs=ZERO,
    request=None,
) -> YearEndSettlement:
    """Compute (or recompute, while not approved) the year's statement from the approved
    funding and the given claims paid, interest and allowed costs; the actor is the maker."""
    check_perm(actor, PREPARE_PERMISSION, _("年度清算编制"))
    claims_paid = _money(claims_paid, _("赔付支出"))
    interest = _money(interest, _("利息收入"))
    allowed_costs = _money(allowed_costs, _("合规经办费用"))
    if not (claims_source or "").strip():
        raise ContractsError(_("请说明赔付支出的数据来源。"))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    funding = funding_current(contract=contract, year=year)
    if funding is None:
        raise ContractsError(
            _("合同 %(n)s %(y)s 年度没有已批准的筹资测算，不能清算。")
            % {"n": contract.number, "y": year}
        )
    outcome = settlement_compute(
        terms=Terms.of(contract),
        funding=funding.result,
        funding_source=f"筹资测算第{funding.version}版（{funding.get_method_display()}）",
        claims_paid=claims_paid,
        claims_source=claims_source.strip()[:255],
        interest=interest,
        allowed_costs=allowed_costs,
    )
    settlement = (
        YearEndSettlement.objects.select_for_update().filter(contract=contract, year=year).first()
    )
    if settlement is not None and settlement.status == SettlementStatus.APPROVED:
        raise ContractsError(_("%(s)s 已审批，不能重新编制。") % {"s": settlement})
    fields = dict(
        funding=funding,
        rule=outcome.rule,
        claims_paid=claims_paid,
        claims_source=claims_source.strip()[:255],
        payout_ratio=outcome.payout_ratio,
        to_return=outcome.to_return,
        to_carry=outcome.to_carry,
        loss_fund_share=outcome.loss_fund_share,
        adjustment_proposed=outcome.adjustment_proposed,
        prepared_by=actor,
    )
    if settlement is None:
        settlement = YearEndSettlement.objects.create(contract=contract, year=year, **fields)
    else:
        for name, value in fields.items():
            setattr(settlement, name, value)
        settlement.save()
        settlement.lines.all().delete()
    SettlementLine.objects.bulk_create(
        SettlementLine(
            settlement=settlement,
            order=i,
            code=line.code,
            label=line.label,
            amount=line.amount,
            source=line.source[:255],
        )
        for i, line in enumerate(outcome.lines, start=1)
    )
    events.change(
        actor=actor,
        obj=settlement,
        action=AuditAction.CREATE,
        after={line.code: str(line.amount) for line in outcome.lines},
        summary=f"编制年度清算 {settlement}",
        request=request,
    )
    record_move(doc=settlement, move_name="prepare", from_status="", actor=actor, request=request)
    return settlement


@transaction.atomic
def year_end_approve(*, settlement: YearEndSettlement, actor, note: str = "", request=None):
    """The checker (director, not the maker) approves; the outcome is posted to the ledger."""
    move = SETTLEMENT_MOVES["approve"]
    settlement = YearEndSettlement.objects.select_for_update().get(pk=settlement.pk)
    check_move(doc=settlement, move=move, legal=[])
    check_perm(actor, APPROVE_PERMISSION, move.label)
    check_other_person(actor=actor, maker_id=settlement.prepared_by_id, what=move.label)
    from_status = settlement.status
    settlement.status = SettlementStatus.APPROVED
    settlement.approved_by = actor
    settlement.approved_at = timezone.now()
    settlement.save(update_fields=["status", "approved_by", "approved_at"])
    common = dict(
        contract=settlement.contract,
        year=settlement.year,
        source=settlement,
        actor=actor,
        on=timezone.localdate(),
    )
    postings = (
        (LedgerKind.SURPLUS_RETURNED, settlement.to_return, LedgerAccount.INSURER, "fund"),
        (LedgerKind.SURPLUS_CARRIED, settlement.to_carry, LedgerAccount.INSURER, "carried"),
        (LedgerKind.LOSS_SHARED, settlement.loss_fund_share, LedgerAccount.FUND, "insurer"),
    )
    for kind, amount, from_account, to_account in postings:
        if amount:
            ledger_post(
                kind=kind,
                by_fund=ledger_split(funding=settlement.funding, amount=amount),
                from_account=from_account,
                to_account=to_account,
                memo=str(settlement),
                **common,
            )
    record_move(
        doc=settlement,
        move_name="approve",
        from_status=from_status,
        actor=actor,
        reason=note,
        request=request,
    )
    return settlement
