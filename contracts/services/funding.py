"""Funding of a contract year: calculate (a new version each time) and approve (maker/checker).

Approving posts the money raised to the ledger (FUND → POOL per funding source); approving a
recalculation supersedes the old version and posts only the difference per source.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import RuleError
from audit.workflow import perform_move, require_permission
from contracts.choices import FundingCalcStatus, LedgerAccount, LedgerKind
from contracts.funding_calc import FundingInputError, funding_compute
from contracts.models import Contract, FundingCalculation
from contracts.permissions import PREPARE
from contracts.services.ledger import ledger_post
from insurance.choices import (
    INSURER_COLLECTED_SOURCES,
    EnrollmentStatus,
    FundingKind,
    FundingSource,
    PaymentChannel,
)
from insurance.engine.money import ZERO, to_money
from insurance.models import Enrollment, SchemeYear


def _insured_on(scheme_year: SchemeYear, day: datetime.date):
    return Enrollment.objects.filter(
        scheme_year=scheme_year, start_date__lte=day, end_date__gte=day
    ).exclude(
        Q(status=EnrollmentStatus.CANCELLED)
        & (Q(cancelled_on__isnull=True) | Q(cancelled_on__lte=day))
    )


def headcount_on(*, scheme_year: SchemeYear, day: datetime.date) -> int:
    """Insured headcount: enrollments of the scheme year whose coverage contains `day` and that
    were not cancelled on or before it."""
    return _insured_on(scheme_year, day).count()


def headcounts_on(*, scheme_year: SchemeYear, day: datetime.date) -> dict[str, int]:
    """The headcount per insurance type of the person (310, 390...), and in all under "*"."""
    rows = _insured_on(scheme_year, day).values_list("person__insutype").annotate(n=Count("id"))
    counts = {insutype: n for insutype, n in rows}
    counts["*"] = sum(counts.values())
    return counts


# Premiums paid from a medical-insurance personal account pass through the bureau; the others
# (WeChat, Alipay, the counter) are paid to the insurer directly (R-JN-1).
_ACCOUNT_CHANNELS = (PaymentChannel.OWN_ACCOUNT, PaymentChannel.FAMILY_ACCOUNT)


def _premiums(scheme_year: SchemeYear) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(paid, refunded) per funding source of the scheme year's premiums."""
    paid: dict[str, Decimal] = {}
    refunded: dict[str, Decimal] = {}
    rows = (
        Enrollment.objects.filter(scheme_year=scheme_year)
        .values_list("payment_channel")
        .annotate(paid=Sum("premium"), refunded=Sum("refund_amount"))
    )
    for channel, paid_sum, refunded_sum in rows:
        source = (
            FundingSource.EMPLOYEE_PERSONAL_ACCOUNT
            if channel in _ACCOUNT_CHANNELS
            else FundingSource.PERSONAL
        )
        paid[source] = paid.get(source, ZERO) + (paid_sum or ZERO)
        refunded[source] = refunded.get(source, ZERO) + (refunded_sum or ZERO)
    if not paid:
        paid[FundingSource.PERSONAL] = ZERO
    return paid, refunded


@transaction.atomic
def funding_calculate(
    *,
    contract: Contract,
    year: int,
    actor,
    snapshot_date: datetime.date | None = None,
    payroll=None,
    accumulated_balance=None,
    payroll_source: str = "",
    balance_source: str = "",
    declared: dict | None = None,
    headcount: int | None = None,
    headcount_source: str = "",
    request=None,
) -> FundingCalculation:
    """Compute the year's funding from the scheme year's rule and store it as a new version.

    `snapshot_date` (default: the insurance year's first day) fixes the headcount; `payroll`
    and `accumulated_balance` are the facts R-ENT-1 needs (last year's payroll, the fund's
    balance) with where each comes from; `declared` the amounts a composite funding asks for
    (e.g. personal-account interest, R-QD-1). `headcount` with its `headcount_source` replaces
    the count of enrolments where the insured are counted elsewhere (the basic insurance
    register: R-ORD-1 funds every insured employee, enrolled here or not).
    """
    require_permission(actor, PREPARE, _("筹资测算"))
    scheme_year = SchemeYear.objects.filter(scheme_id=contract.scheme_id, year=year).first()
    if scheme_year is None:
        raise RuleError(
            _("方案「%(s)s」没有 %(y)s 年度的设置，无法测算筹资。")
            % {"s": contract.scheme, "y": year}
        )
    kind, params = scheme_year.funding_kind, dict(scheme_year.funding_params or {})
    day = snapshot_date or scheme_year.insurance_start
    inputs: dict = {"funding_params": params}
    facts: dict = {}
    if headcount is not None:
        if kind not in (FundingKind.PER_CAPITA, FundingKind.BASIC_FUNDING_PERCENT):
            raise RuleError(_("此筹资方式不按参保人数测算，不能录入人数。"))
        if not isinstance(headcount, int) or headcount < 0:
            raise RuleError(_("参保人数必须是非负整数。"))
        if not (headcount_source or "").strip():
            raise RuleError(_("录入参保人数时请注明数据来源。"))
    if kind in (FundingKind.PER_CAPITA, FundingKind.BASIC_FUNDING_PERCENT):
        if headcount is None:
            facts["headcount"] = headcount_on(scheme_year=scheme_year, day=day)
        else:
            facts["headcount"] = headcount
            inputs["headcount_source"] = headcount_source.strip()
        inputs.update(snapshot_date=day.isoformat(), headcount=facts["headcount"])
    if kind == FundingKind.BASIC_FUNDING_PERCENT:
        facts["prev_basic_per_capita"] = scheme_year.prev_basic_funding_per_capita
        inputs["prev_basic_funding_per_capita"] = str(scheme_year.prev_basic_funding_per_capita)
    if kind == FundingKind.VOLUNTARY_PREMIUM:
        facts["premiums"], facts["refunds"] = _premiums(scheme_year)
        inputs.update(
            premiums={k: str(v) for k, v in facts["premiums"].items()},
            refunds={k: str(v) for k, v in facts["refunds"].items()},
        )
    if kind == FundingKind.COMPOSITE:
        facts["headcounts"] = headcounts_on(scheme_year=scheme_year, day=day)
        facts["declared"] = {k: str(v) for k, v in (declared or {}).items()}
        inputs.update(
            snapshot_date=day.isoformat(),
            headcounts=facts["headcounts"],
            declared=facts["declared"],
        )
    if kind == FundingKind.PAYROLL_PERCENT:
        try:
            facts["payroll"] = None if payroll is None else to_money(payroll)
            facts["balance"] = (
                None if accumulated_balance is None else to_money(accumulated_balance)
            )
        except ValueError:
            raise RuleError(_("工资总额或累计结余的金额格式不正确。")) from None
        facts["payroll_source"] = (payroll_source or "").strip()
        facts["balance_source"] = (balance_source or "").strip()
        inputs.update(
            payroll=str(facts["payroll"]),
            accumulated_balance=str(facts["balance"]),
            payroll_source=facts["payroll_source"],
            balance_source=facts["balance_source"],
        )
    try:
        outcome = funding_compute(kind, params, **facts)
    except (FundingInputError, KeyError) as exc:
        raise RuleError(_("筹资测算失败：%(e)s") % {"e": exc}) from None
    if "headcount_source" in inputs:
        outcome.steps.insert(0, f"参保人数 {headcount}（来源：{inputs['headcount_source']}）")
    # lock the contract so that two calculations at once get distinct versions
    Contract.objects.select_for_update().get(pk=contract.pk)
    last = FundingCalculation.objects.filter(contract=contract, year=year).aggregate(
        v=Max("version")
    )["v"]
    calc = FundingCalculation.objects.create(
        contract=contract,
        year=year,
        version=(last or 0) + 1,
        scheme_year=scheme_year,
        method=kind,
        inputs=inputs,
        parts=outcome.parts_json(),
        result=outcome.total,
        explanation="\n".join(outcome.steps),
        prepared_by=actor,
        prepared_at=timezone.now(),
    )
    events.change(
        actor=actor,
        obj=calc,
        action=AuditAction.CREATE,
        after={"result": str(calc.result), "inputs": inputs, "parts": calc.parts},
        summary=f"筹资测算 {contract.number} {year} 第{calc.version}版：{calc.result}",
        request=request,
    )
    return calc


# --- the funding workflow (declared in `contracts.workflows.FUNDING`) -------------------------


def guard_approve(step) -> None:
    """The approved version becomes the one in use; the old one is superseded (its amounts are
    kept for the ledger, which posts only the difference)."""
    calc = step.doc
    old = (
        FundingCalculation.objects.select_for_update()
        .filter(contract_id=calc.contract_id, year=calc.year, status=FundingCalcStatus.APPROVED)
        .first()
    )
    step.memo["before"] = {}
    if old is not None:
        step.memo["before"] = dict(old.part_amounts())
        old.status = FundingCalcStatus.SUPERSEDED
        old.save(update_fields=["status"])
    step.after.update(result=str(calc.result), superseded=old.pk if old else None)


def post_funding(step) -> None:
    """Money the bureau raises enters its account (POOL); premiums people paid to the insurer
    directly are the insurer's from the start (R-JN-1). Only the change per source is posted."""
    calc, before = step.doc, step.memo["before"]
    new = dict(calc.part_amounts())
    diff = [(s, new.get(s, ZERO) - before.get(s, ZERO)) for s in dict.fromkeys([*before, *new])]
    for kind, to_account, by_fund in (
        (
            LedgerKind.FUNDING_RAISED,
            LedgerAccount.POOL,
            [(s, a) for s, a in diff if s not in INSURER_COLLECTED_SOURCES],
        ),
        (
            LedgerKind.PREMIUM_COLLECTED,
            LedgerAccount.INSURER,
            [(s, a) for s, a in diff if s in INSURER_COLLECTED_SOURCES],
        ),
    ):
        ledger_post(
            kind=kind,
            contract=calc.contract,
            year=calc.year,
            by_fund=by_fund,
            from_account=LedgerAccount.FUND,
            to_account=to_account,
            source=calc,
            actor=step.actor,
            on=timezone.localdate(),
            memo=f"筹资测算第{calc.version}版批准",
        )


def funding_approve(*, calculation: FundingCalculation, actor, note: str = "", request=None):
    """The checker approves a version: it becomes the one in use; the old one is superseded."""
    return perform_move(doc=calculation, move="approve", actor=actor, reason=note, request=request)
