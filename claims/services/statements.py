"""Monthly claim statements (月度核算) and their re-review (复核), R-CLM-2.

statement_submit        the insurer submits a month of its own settlements (reconciled first)
statement_review_start  draw the review set: a reproducible random sample (the seed is kept),
                        every record paid at or above the threshold, every reconciliation gap
statement_move          finish review / return / approve, through the transition table; the
                        approver must not be the reviewer (maker and checker)
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
from claims.choices import DISCREPANCIES, BatchStatus, ItemDecision, StatementStatus
from claims.models import (
    ClaimStatement,
    SettlementRecord,
    StatementAdjustment,
    StatementItem,
    StatementTransition,
)
from claims.services.own_payment import own_payment
from claims.services.reconciliation import config_for, reconciliation_compute
from claims.supervision_workflow import (
    STATEMENT_MOVES,
    SUBMIT_PERMISSION,
    NotPermitted,
    SupervisionError,
    allowed_moves,
    check_move,
)
from contracts.selectors import contract_for_user, insurer_of
from insurance.engine.money import ZERO


def month_bounds(period: dt.date) -> tuple[dt.date, dt.date]:
    first = period.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def statement_records(*, contract_id: int, insurer_id: int, period: dt.date):
    """The settlements a statement covers: the insurer's applied batches, settled that month."""
    start, end = month_bounds(period)
    return SettlementRecord.objects.filter(
        contract_id=contract_id,
        batch__insurer_id=insurer_id,
        batch__status=BatchStatus.APPLIED,
        setl_time__date__gte=start,
        setl_time__date__lte=end,
    )


def draw_sample(record_ids, *, size: int, seed: int) -> list[int]:
    """The same ids and seed always give the same sample (ids are sorted first)."""
    ordered = sorted(record_ids)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


def _transition(statement, *, move: str, source: str, actor, reason: str = "") -> None:
    StatementTransition.objects.create(
        statement=statement,
        move=move,
        source=source,
        target=statement.status,
        actor=actor,
        reason=reason,
    )
    events.change(
        actor=actor,
        obj=statement,
        action=AuditAction.APPROVE if move == "approve" else AuditAction.TRANSITION,
        before={"status": source},
        after={"status": statement.status},
        summary=f"月度核算 {statement}：{move}",
        reason=reason,
    )


@transaction.atomic
def statement_submit(*, contract, period: dt.date, actor, insurer=None) -> ClaimStatement:
    """The insurer submits its month (bureau staff may enter it for the lead insurer)."""
    if actor is None or not actor.has_perm(SUBMIT_PERMISSION):
        raise NotPermitted(_("您没有提交月度核算的权限。"))
    if not contract_for_user(actor).filter(pk=contract.pk).exists():
        raise NotPermitted(_("您无权为该合同提交月度核算。"))
    insurer = insurer_of(actor) or insurer or contract.lead_insurer
    start, end = month_bounds(period)
    if start > timezone.localdate().replace(day=1):
        raise SupervisionError(_("不能提交未来月份 %(m)s 的核算。") % {"m": f"{start:%Y-%m}"})
    if ClaimStatement.objects.filter(contract=contract, insurer=insurer, period=start).exists():
        raise SupervisionError(
            _("%(m)s 的月度核算已经提交过，不能重复提交。") % {"m": f"{start:%Y-%m}"}
        )
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
        raise SupervisionError(
            _("%(m)s 没有已入库的结算数据，无法提交核算。") % {"m": f"{start:%Y-%m}"}
        )
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
        raise SupervisionError(_("该月度核算已经提交过，不能重复提交。")) from None
    _transition(statement, move="submit", source="", actor=actor)
    return statement


def _lock(statement) -> ClaimStatement:
    return ClaimStatement.objects.select_for_update().get(pk=statement.pk)


@transaction.atomic
def statement_review_start(
    *,
    statement,
    actor,
    seed: int | None = None,
    sample_size: int | None = None,
    threshold: Decimal | None = None,
) -> ClaimStatement:
    """Draw the review set and open the review. Without a seed a fresh one is drawn and kept."""
    statement = _lock(statement)
    check_move(
        table=STATEMENT_MOVES,
        name="start_review",
        status=statement.status,
        status_label=statement.get_status_display(),
        actor=actor,
        reason="",
    )
    config = config_for(statement.contract)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    size = config.sample_size if sample_size is None else int(sample_size)
    threshold = config.review_threshold if threshold is None else threshold
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
    source = statement.status
    statement.status = StatementStatus.IN_REVIEW
    statement.sample_seed = seed
    statement.sample_size = size
    statement.review_threshold = threshold
    statement.save()
    _transition(
        statement,
        move="start_review",
        source=source,
        actor=actor,
        reason=f"seed={seed} size={size} threshold={threshold} items={len(items)}",
    )
    return statement


def _finish_review(statement, actor) -> None:
    pending = statement.items.filter(decision=ItemDecision.PENDING).count()
    if pending:
        raise SupervisionError(_("还有 %(n)s 条复核明细没有结论，不能完成复核。") % {"n": pending})
    statement.reviewed_by = actor
    statement.reviewed_at = timezone.now()


def _reviewed_by(statement, actor) -> bool:
    """Whether `actor` finished the statement's review or decided one of its items."""
    deciders = set(statement.items.values_list("decided_by_id", flat=True))
    return actor.pk == statement.reviewed_by_id or actor.pk in deciders


def statement_allowed_moves(statement, user) -> list:
    """The moves legal from the statement's status that `user` may make (the page's buttons):
    his permissions, and approval by someone other than a reviewer."""
    return [
        move
        for move in allowed_moves(STATEMENT_MOVES, statement.status, user)
        if move.name != "approve" or not _reviewed_by(statement, user)
    ]


def _approve(statement, actor) -> None:
    if _reviewed_by(statement, actor):
        raise NotPermitted(_("月度核算须由复核人以外的另一人审批：复核人不能审批自己复核的核算。"))
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
    statement.approved_by = actor
    statement.approved_at = timezone.now()


@transaction.atomic
def statement_move(*, statement, move: str, actor, reason: str = "") -> ClaimStatement:
    """finish_review, return or approve; start_review has its own service (it draws the set)."""
    statement = _lock(statement)
    if move == "start_review":
        raise SupervisionError(_("开始复核请使用抽样操作。"))
    checked = check_move(
        table=STATEMENT_MOVES,
        name=move,
        status=statement.status,
        status_label=statement.get_status_display(),
        actor=actor,
        reason=reason,
    )
    if move == "finish_review":
        _finish_review(statement, actor)
    elif move == "approve":
        _approve(statement, actor)
    elif move == "return":
        statement.reviewed_by = None
        statement.reviewed_at = None
    source = statement.status
    statement.status = checked.target
    statement.save()
    _transition(statement, move=move, source=source, actor=actor, reason=(reason or "").strip())
    return statement
