"""Writes about performance bonds (R-CON-3): lodging, and deductions with maker and checker."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.workflow import perform_move
from contracts.choices import DeductionSource, DeductionStatus, LedgerAccount, LedgerKind
from contracts.errors import BondError
from contracts.models import BondDeduction, Contract, PerformanceBond
from contracts.models.bond import DEFAULT_BOND_AMOUNT
from contracts.selectors import bond_balance, bond_current
from contracts.services.common import snapshot, today
from contracts.services.ledger import ledger_post
from insurance.engine.money import MoneyError, to_money

BOND_FIELDS = ["contract", "bank", "guarantee_no", "amount", "valid_from", "valid_until"]


def _amount(value) -> Decimal:
    try:
        amount = to_money(value)
    except MoneyError:
        raise BondError(_("金额格式不正确：%(v)s。") % {"v": value}) from None
    if amount <= 0:
        raise BondError(_("扣款金额必须大于 0。"))
    return amount


@transaction.atomic
def bond_lodge(
    *,
    contract: Contract,
    bank: str,
    guarantee_no: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    actor,
    amount: Decimal = DEFAULT_BOND_AMOUNT,
    document=None,
    request=None,
) -> PerformanceBond:
    if valid_until < valid_from:
        raise BondError(_("保函有效期截止日不能早于起始日。"))
    bond = PerformanceBond(
        contract=contract,
        bank=bank,
        guarantee_no=guarantee_no,
        amount=to_money(amount),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if document is not None:
        bond.document = document
    bond.save()
    events.change(
        actor=actor,
        obj=bond,
        action=AuditAction.CREATE,
        after=snapshot(bond, BOND_FIELDS),
        summary=f"登记履约保函 {bond}（{bond.amount}）",
        request=request,
    )
    return bond


@transaction.atomic
def bond_deduction_propose(
    *,
    contract: Contract,
    amount,
    reason: str,
    source: str = DeductionSource.MANUAL,
    source_ref: str = "",
    actor,
    evidence=None,
    bond: PerformanceBond | None = None,
    request=None,
) -> BondDeduction:
    """Propose a deduction from the contract's bond (the maker). Other apps call this, e.g.
    claims supervision with `source="claims_supervision", source_ref=<its id>`.

    Takes the bond valid today (else the latest one). Refused when the amount is above what is
    left after approved deductions and other pending proposals.
    """
    amount = _amount(amount)
    if not (reason or "").strip():
        raise BondError(_("请填写扣款事由。"))
    if source not in DeductionSource.values:
        raise BondError(_("未知的扣款来源：%(s)s。") % {"s": source})
    bond = bond or bond_current(contract, today()) or bond_current(contract)
    if bond is None:
        raise BondError(_("合同 %(n)s 没有登记履约保函，不能扣款。") % {"n": contract.number})
    if bond.contract_id != contract.pk:
        raise BondError(_("该保函不属于合同 %(n)s。") % {"n": contract.number})
    bond = PerformanceBond.objects.select_for_update().get(pk=bond.pk)
    pending = sum(
        bond.deductions.filter(status=DeductionStatus.PROPOSED).values_list("amount", flat=True),
        Decimal("0.00"),
    )
    available = bond_balance(bond) - pending
    if amount > available:
        raise BondError(
            _("扣款 %(amount)s 元超过保函可扣余额 %(available)s 元（余额减去待审批扣款）。")
            % {"amount": amount, "available": available}
        )
    deduction = BondDeduction(
        bond=bond,
        amount=amount,
        reason=reason.strip(),
        source=source,
        source_ref=source_ref,
        prepared_by=actor,
        prepared_at=timezone.now(),
    )
    if evidence is not None:
        deduction.evidence = evidence
    deduction.save()
    events.change(
        actor=actor,
        obj=deduction,
        action=AuditAction.CREATE,
        after={"bond": bond.pk, "amount": str(amount), "source": source, "source_ref": source_ref},
        summary=f"提出保函扣款 {amount} 元（合同 {contract.number}）",
        reason=reason,
        request=request,
    )
    return deduction


# --- the deduction workflow (declared in `contracts.workflows.DEDUCTION`) ---------------------


def guard_decide(step) -> None:
    """Approving or refusing: the checker's note is kept; an approval must fit into the bond's
    balance, rechecked under a lock of the bond (two approvals at once must not both fit)."""
    deduction = step.doc
    bond = PerformanceBond.objects.select_for_update().get(pk=deduction.bond_id)
    balance = bond_balance(bond)
    if step.move.target == DeductionStatus.APPROVED:
        if deduction.amount > balance:
            raise BondError(
                _("扣款 %(amount)s 元超过保函余额 %(balance)s 元，不能批准。")
                % {"amount": deduction.amount, "balance": balance}
            )
        balance -= deduction.amount
    deduction.decision_note = step.reason
    step.after["balance"] = str(balance)


def post_deduction(step) -> None:
    """Fund ledger (issue 8): the approved deduction is money from the insurer to the fund, in
    the year it was approved, without a funding source."""
    deduction, on = step.doc, today()
    ledger_post(
        kind=LedgerKind.BOND_DEDUCTION,
        contract=deduction.bond.contract,
        year=on.year,
        by_fund=[("", deduction.amount)],
        from_account=LedgerAccount.INSURER,
        to_account=LedgerAccount.FUND,
        source=deduction,
        actor=step.actor,
        on=on,
        memo=f"保函扣款：{deduction.reason[:200]}",
    )


def bond_deduction_approve(*, deduction: BondDeduction, actor, note: str = "", request=None):
    """The checker approves: needs `contracts.approve_bond_deduction`, not the proposer."""
    return perform_move(doc=deduction, move="approve", actor=actor, reason=note, request=request)


def bond_deduction_reject(*, deduction: BondDeduction, actor, note: str, request=None):
    return perform_move(doc=deduction, move="reject", actor=actor, reason=note, request=request)
