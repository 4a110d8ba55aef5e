"""The year-end settlement (年度清算) of a contract year: prepare (finance), approve (director).

Contracts never read claims: `claims_paid` and where it came from are inputs. The orchestrator
`claims.oversight.services.year_end.year_end_prepare_for` fills them from the claims selectors.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import RuleError
from audit.plausibility import change_warning, found, negative_warning, payout_ratio_warning
from audit.workflow import perform_move, require_permission, workflow_start
from contracts.choices import (
    LedgerAccount,
    LedgerDirection,
    LedgerKind,
    LossSharing,
    PaymentStatus,
    SettlementStatus,
)
from contracts.models import (
    Contract,
    LedgerEntry,
    ReserveRelease,
    SettlementLine,
    Transfer,
    YearEndSettlement,
)
from contracts.periods import QUARTERS, contract_year, is_last_year, quarter_in_term
from contracts.permissions import PREPARE
from contracts.selectors import funding_current
from contracts.services.ledger import ledger_post, ledger_split
from contracts.services.transfers import year_split
from contracts.settlement_calc import Figures, Terms, settlement_compute
from insurance.choices import INSURER_COLLECTED_SOURCES
from insurance.engine.money import ZERO, MoneyError, to_money


def _money(value, label) -> Decimal:
    try:
        amount = to_money(value)
    except MoneyError:
        raise RuleError(_("%(l)s 的金额格式不正确：%(v)s。") % {"l": label, "v": value}) from None
    if amount < 0:
        raise RuleError(_("%(l)s 不能为负数。") % {"l": label})
    return amount


def _paid_figures(contract: Contract, year: int, funding) -> dict[str, Decimal]:
    """What the insurer received for the year. Refused while a transfer or the reserve release
    is unpaid: the settlement needs the year's final money (docs/funds.md)."""
    transfers = list(Transfer.objects.filter(contract=contract, year=year))
    unpaid = [t for t in transfers if t.status != PaymentStatus.PAID]
    period = contract_year(contract, year)
    quarters = [q for q in QUARTERS if quarter_in_term(contract, period, q)]
    if funding.transferable and (unpaid or len(transfers) < len(quarters)):
        missing = sorted(set(quarters) - {t.quarter for t in transfers if t not in unpaid})
        raise RuleError(
            _("%(y)s 年度的季度拨付尚未全部支付（%(q)s），不能清算。")
            % {"y": year, "q": "、".join(f"Q{q}" for q in missing)}
        )
    held = sum((t.reserve_part for t in transfers), ZERO)
    owed, reserve = year_split(contract=contract, funding=funding)
    transferred = sum((t.amount for t in transfers), ZERO)
    if funding.transferable and (transferred, held) != (owed, reserve):
        # a funding approved again after the quarters were made: the difference is in the
        # bureau's account, neither paid over nor held as the reserve
        raise RuleError(
            _(
                "%(y)s 年度已生成的季度拨付（%(t)s，预留 %(h)s）与在用的筹资测算（拨付 %(o)s，"
                "预留 %(r)s）不一致：筹资在各季度拨付生成后又重新批准。差额须先处理，才能清算。"
            )
            % {"y": year, "t": transferred, "h": held, "o": owed, "r": reserve}
        )
    released = ZERO
    if held:
        release = ReserveRelease.objects.filter(contract=contract, year=year).first()
        if release is None or release.status != PaymentStatus.PAID:
            raise RuleError(
                _("%(y)s 年度的考核预留款尚未按考核结果拨付，不能清算（先审批年度考核）。")
                % {"y": year}
            )
        released = release.released
    collected = sum((a for s, a in funding.premium_parts() if s in INSURER_COLLECTED_SOURCES), ZERO)
    carried_in = (
        LedgerEntry.objects.filter(
            contract=contract,
            year=year,
            kind=LedgerKind.CARRIED_IN,
            account=LedgerAccount.INSURER,
            direction=LedgerDirection.IN,
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    return {
        "transferred": transferred,
        "reserve_released": released,
        "collected": collected,
        "carried_in": carried_in,
    }


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
    policy_loss=ZERO,
    policy_loss_reason: str = "",
    request=None,
) -> YearEndSettlement:
    """Compute (or recompute, while not approved) the year's statement from the approved
    funding, what the insurer received and the given claims paid, interest and allowed costs;
    the actor is the maker. `policy_loss` is the part of a loss the bureau marks as caused by
    policy changes (R-IM-5), with its reason."""
    require_permission(actor, PREPARE, _("年度清算编制"))
    claims_paid = _money(claims_paid, _("赔付支出"))
    interest = _money(interest, _("利息收入"))
    allowed_costs = _money(allowed_costs, _("合规经办费用"))
    policy_loss = _money(policy_loss, _("政策性亏损"))
    policy_loss_reason = (policy_loss_reason or "").strip()
    if not (claims_source or "").strip():
        raise RuleError(_("请说明赔付支出的数据来源。"))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if policy_loss and contract.loss_sharing != LossSharing.POLICY_CHANGES:
        raise RuleError(_("本合同不按政策性亏损分担，不能录入政策性亏损。"))
    if policy_loss and not policy_loss_reason:
        raise RuleError(_("认定政策性亏损必须说明所依据的政策调整。"))
    funding = funding_current(contract=contract, year=year)
    if funding is None:
        raise RuleError(
            _("合同 %(n)s %(y)s 年度没有已批准的筹资测算，不能清算。")
            % {"n": contract.number, "y": year}
        )
    figures = Figures(
        funding=funding.premium,
        funding_source=f"筹资测算第{funding.version}版（{funding.get_method_display()}）",
        claims_paid=claims_paid,
        claims_source=claims_source.strip()[:255],
        interest=interest,
        allowed_costs=allowed_costs,
        policy_loss=policy_loss,
        can_carry=not is_last_year(contract, year),
        **_paid_figures(contract, year, funding),
    )
    outcome = settlement_compute(terms=Terms.of(contract), figures=figures)
    settlement = (
        YearEndSettlement.objects.select_for_update().filter(contract=contract, year=year).first()
    )
    if settlement is not None and settlement.status == SettlementStatus.APPROVED:
        raise RuleError(_("%(s)s 已审批，不能重新编制。") % {"s": settlement})
    fields = dict(
        funding=funding,
        rule=outcome.rule,
        claims_paid=claims_paid,
        claims_source=claims_source.strip()[:255],
        payout_ratio=outcome.payout_ratio,
        to_return=outcome.to_return,
        to_carry=outcome.to_carry,
        to_pay=outcome.to_pay,
        loss_fund_share=outcome.loss_fund_share,
        insurer_result=outcome.insurer_result,
        policy_loss=policy_loss,
        policy_loss_reason=policy_loss_reason[:255],
        adjustment_proposed=outcome.adjustment_proposed,
        prepared_by=actor,
        prepared_at=timezone.now(),
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
        reason=policy_loss_reason,
        request=request,
    )
    workflow_start(doc=settlement, move="prepare", actor=actor)
    return settlement


# --- the year-end workflow (declared in `contracts.workflows.SETTLEMENT`) ---------------------


def post_settlement(step) -> None:
    """The approved outcome goes to the ledger. A surplus carried over enters next year's funds
    with the insurer (R-ORD-3)."""
    settlement = step.doc
    common = dict(contract=settlement.contract, source=settlement, actor=step.actor)
    on = timezone.localdate()
    year = settlement.year
    postings = (
        (LedgerKind.SURPLUS_RETURNED, settlement.to_return, "insurer", "fund", year),
        (LedgerKind.SURPLUS_CARRIED, settlement.to_carry, "insurer", "carried", year),
        (LedgerKind.CARRIED_IN, settlement.to_carry, "carried", "insurer", year + 1),
        (LedgerKind.LOSS_SHARED, settlement.loss_fund_share, "fund", "insurer", year),
        (LedgerKind.SETTLEMENT_PAYMENT, settlement.to_pay, "fund", "insurer", year),
    )
    for kind, amount, from_account, to_account, on_year in postings:
        if amount:
            ledger_post(
                kind=kind,
                year=on_year,
                by_fund=ledger_split(funding=settlement.funding, amount=amount),
                from_account=from_account,
                to_account=to_account,
                memo=f"{settlement}" if on_year == year else f"{settlement}：结余转入本年度",
                on=on,
                **common,
            )


def year_end_approve(*, settlement: YearEndSettlement, actor, note: str = "", request=None):
    """The checker (director, not the maker) approves; the outcome is posted to the ledger."""
    return perform_move(doc=settlement, move="approve", actor=actor, reason=note, request=request)


@transaction.atomic
def carried_in_record(*, contract: Contract, year: int, amount, actor, reason: str):
    """A surplus carried into the contract's year from before the system held its accounts (a
    first year taken over, a renewal, a what-if): posted as last year's approved settlement
    would post it (CARRIED -> INSURER of `year`), split like the year's premium. Once."""
    require_permission(actor, PREPARE, _("录入上年结转"))
    amount = _money(amount, _("上年结转"))
    if not (reason or "").strip():
        raise RuleError(_("请说明上年结转金额的来源。"))
    funding = funding_current(contract=contract, year=year)
    if funding is None:
        raise RuleError(_("请先批准本年度的筹资测算，再录入上年结转。"))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    entries = ledger_post(
        kind=LedgerKind.CARRIED_IN,
        contract=contract,
        year=year,
        by_fund=ledger_split(funding=funding, amount=amount),
        from_account=LedgerAccount.CARRIED,
        to_account=LedgerAccount.INSURER,
        source=contract,
        actor=actor,
        on=timezone.localdate(),
        memo=f"上年结余转入：{reason.strip()}",
    )
    if not entries:
        raise RuleError(_("该合同的上年结转已经录入。"))
    events.change(
        actor=actor,
        obj=contract,
        action=AuditAction.CREATE,
        after={"carried_in": str(amount), "year": year},
        summary=f"录入上年结转 {contract.number} {year}：{amount}",
        reason=reason,
    )
    return entries


def settlement_warnings(settlement: YearEndSettlement) -> list[str]:
    """Before approval: a payout ratio outside the plausible range or far from last year's
    approved settlement, negative claims paid."""
    last = (
        YearEndSettlement.objects.filter(
            contract_id=settlement.contract_id,
            year=settlement.year - 1,
            status=SettlementStatus.APPROVED,
        )
        .values_list("payout_ratio", flat=True)
        .first()
    )
    return found(
        payout_ratio_warning(settlement.payout_ratio),
        change_warning(_("赔付率"), settlement.payout_ratio, last, unit="%"),
        negative_warning(_("赔付支出"), settlement.claims_paid),
    )
