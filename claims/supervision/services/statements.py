"""Monthly claim statements (月度核算) and their re-review (复核), R-CLM-2.

statement_submit        the insurer submits a month of its own settlements (reconciled first)
statement_review_start  draw the review set: a reproducible random sample (the seed is kept),
                        every record paid at or above the threshold, every reconciliation gap
statement_move          finish review / return / approve, through the workflow
                        (`claims.supervision.workflows.STATEMENT`); the approver must not be a
                        reviewer
On approval every item whose reviewed amount differs from what was claimed becomes a
`StatementAdjustment` the insurer must settle.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import NotPermitted, RuleError
from audit.workflow import perform_move, require_permission, workflow_start
from claims.choices import DISCREPANCIES, BatchStatus, ChangeKind, ItemDecision
from claims.permissions import SUBMIT_STATEMENT
from claims.settlements.models import SettlementRecord
from claims.settlements.services.changes import changes_record
from claims.settlements.services.own_payment import own_payment
from claims.settlements.services.time_ranges import days_q
from claims.supervision.models import ClaimStatement, StatementAdjustment, StatementItem
from claims.supervision.services.reconciliation import config_for, reconciliation_compute
from contracts.selectors import contract_for_user, insurer_of
from insurance.engine.money import ZERO


def month_bounds(period: dt.date) -> tuple[dt.date, dt.date]:
    first = period.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def statement_records(*, contract_id: int, insurer_id: int, period: dt.date):
    """The settlements a statement covers: the insurer's applied batches, settled that month."""
    start, end = month_bounds(period)
    return SettlementRecord.objects.filter(
        days_q(start, end),  # a range on the indexed instant, no per-row date conversion
        contract_id=contract_id,
        batch__insurer_id=insurer_id,
        batch__status=BatchStatus.APPLIED,
    )


def draw_sample(record_ids, *, size: int, seed: int) -> list[int]:
    """The same ids and seed always give the same sample (ids are sorted first)."""
    ordered = sorted(record_ids)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


@transaction.atomic
def statement_submit(*, contract, period: dt.date, actor, insurer=None) -> ClaimStatement:
    """The insurer submits its month (bureau staff may enter it for the lead insurer)."""
    require_permission(actor, SUBMIT_STATEMENT, _("提交月度核算"))
    if not contract_for_user(actor).filter(pk=contract.pk).exists():
        raise NotPermitted(_("您无权为该合同提交月度核算。"))
    insurer = insurer_of(actor) or insurer or contract.lead_insurer
    start, end = month_bounds(period)
    if start > timezone.localdate().replace(day=1):
        raise RuleError(_("不能提交未来月份 %(m)s 的核算。") % {"m": f"{start:%Y-%m}"})
    if ClaimStatement.objects.filter(contract=contract, insurer=insurer, period=start).exists():
        raise RuleError(_("%(m)s 的月度核算已经提交过，不能重复提交。") % {"m": f"{start:%Y-%m}"})
    reconciliation_compute(contract=contract, start=start, end=end, actor=actor)
    paid, _field = own_payment(contract.scheme_id)
    records = statement_records(contract_id=contract.pk, insurer_id=insurer.pk, period=start)
    totals = records.aggregate(
        n=Count("id"),
        claimed=Sum(paid),
        expected=Sum("reconciliation__expected"),
        gaps=Count("id", filter=Q(reconciliation__outcome__in=DISCREPANCIES)),
    )
    if not totals["n"]:
        raise RuleError(_("%(m)s 没有已入库的结算数据，无法提交核算。") % {"m": f"{start:%Y-%m}"})
    try:
        with transaction.atomic():
            statement = ClaimStatement.objects.create(
                contract=contract,
                insurer=insurer,
                period=start,
                record_count=totals["n"],
                claimed_total=totals["claimed"] or ZERO,
                expected_total=totals["expected"] or ZERO,
                discrepancy_count=totals["gaps"],
                submitted_by=actor,
            )
    except IntegrityError:
        raise RuleError(_("该月度核算已经提交过，不能重复提交。")) from None
    events.change(
        actor=actor,
        obj=statement,
        action=AuditAction.CREATE,
        after={"status": statement.status, "record_count": statement.record_count,
               "claimed_total": str(statement.claimed_total)},
        summary=f"提交月度核算 {statement}",
    )  # fmt: skip
    workflow_start(doc=statement, move="submit", actor=actor)
    return statement


# --- the statement workflow (declared in `claims.supervision.workflows.STATEMENT`) ----------------


def guard_start_review(step) -> None:
    """Draw the review set: a reproducible random sample (without a seed a fresh one is drawn and
    kept), every record paid at or above the threshold, every reconciliation gap."""
    statement, data = step.doc, step.data
    config = config_for(statement.contract)
    seed = secrets.randbelow(2**31) if data.get("seed") is None else int(data["seed"])
    size = config.sample_size if data.get("sample_size") is None else int(data["sample_size"])
    threshold = config.review_threshold if data.get("threshold") is None else data["threshold"]
    paid, _field = own_payment(statement.contract.scheme_id)
    records = statement_records(
        contract_id=statement.contract_id, insurer_id=statement.insurer_id, period=statement.period
    ).annotate(claimed=Coalesce(paid, Value(ZERO)))
    rows = list(
        records.values_list(
            "pk", "claimed", "reconciliation__expected", "reconciliation__outcome"
        ).order_by("pk")
    )
    sample = set(draw_sample([r[0] for r in rows], size=size, seed=seed))
    items = []
    for pk, claimed, expected, outcome in rows:
        flags = {
            "in_sample": pk in sample,
            "above_threshold": claimed >= threshold,
            "discrepancy": outcome in DISCREPANCIES,
        }
        if any(flags.values()):
            items.append(
                StatementItem(
                    statement=statement,
                    record_id=pk,
                    claimed=claimed,
                    expected=expected if expected is not None else ZERO,
                    **flags,
                )
            )
    StatementItem.objects.bulk_create(items)
    statement.sample_seed, statement.sample_size, statement.review_threshold = seed, size, threshold
    step.reason = step.reason or f"seed={seed} size={size} threshold={threshold} items={len(items)}"


def statement_review_start(
    *,
    statement,
    actor,
    seed: int | None = None,
    sample_size: int | None = None,
    threshold: Decimal | None = None,
) -> ClaimStatement:
    """Draw the review set and open the review (`guard_start_review`)."""
    data = {"seed": seed, "sample_size": sample_size, "threshold": threshold}
    return perform_move(doc=statement, move="start_review", actor=actor, data=data)


def guard_finish_review(step) -> None:
    pending = step.doc.items.filter(decision=ItemDecision.PENDING).count()
    if pending:
        raise RuleError(_("还有 %(n)s 条复核明细没有结论，不能完成复核。") % {"n": pending})


def item_deciders(statement) -> list[int]:
    """Who decided the statement's items: reviewers, whom the approval checks."""
    return list(statement.items.values_list("decided_by_id", flat=True))


def guard_approve(step) -> None:
    """Every item whose reviewed amount differs from what was claimed leaves an adjustment the
    insurer must settle."""
    statement = step.doc
    adjustments = []
    for item in statement.items.exclude(decision=ItemDecision.ACCEPT):
        amount = item.settled_amount - item.claimed
        if amount:
            adjustments.append(
                StatementAdjustment(
                    statement=statement,
                    item=item,
                    contract_id=statement.contract_id,
                    insurer_id=statement.insurer_id,
                    amount=amount,
                    reason_code=item.reason_code,
                )
            )
    StatementAdjustment.objects.bulk_create(adjustments)
    statement.correction_total = sum((a.amount for a in adjustments), ZERO)
    changes_record(
        [(ChangeKind.STATEMENT_APPROVED, statement.pk)]
        + [(ChangeKind.ADJUSTMENT_OPENED, a.pk) for a in adjustments],
        insurer_id=statement.insurer_id,
        contract_id=statement.contract_id,
    )


def statement_move(*, statement, move: str, actor, reason: str = "") -> ClaimStatement:
    """Any move of the statement's workflow: start_review (default sampling), finish_review,
    return, approve (by someone other than the reviewers)."""
    return perform_move(doc=statement, move=move, actor=actor, reason=reason)
