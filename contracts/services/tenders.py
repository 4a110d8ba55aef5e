"""Writes about tenders: bids, eligibility checks, scoring and the award (R-TND-1..3)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import RuleError
from contracts.choices import CheckResult, TenderStatus
from contracts.dates import DAY
from contracts.errors import AwardRefused
from contracts.models import Bid, BidCheck, Contract, StaffingCommitment, Tender
from contracts.rules import previous_end
from contracts.selectors import insurer_debarment_on
from contracts.services.common import snapshot, today
from contracts.services.contracts import contract_save
from insurance.engine.money import quantize


@transaction.atomic
def bid_submit(
    *,
    tender: Tender,
    insurer,
    payment_ratio: Decimal,
    profit_rate: Decimal,
    actor,
    staff_city: int = 0,
    staff_county: int = 0,
    extra_services: str = "",
    submitted_on: datetime.date | None = None,
) -> Bid:
    """Record a bid and open one pending eligibility check per criterion of the tender."""
    if tender.status != TenderStatus.OPEN:
        raise RuleError(_("招标项目「%(t)s」已不再接受投标。") % {"t": tender})
    bid = Bid.objects.create(
        tender=tender,
        insurer=insurer,
        submitted_on=submitted_on or today(),
        payment_ratio=payment_ratio,
        profit_rate=profit_rate,
        staff_city=staff_city,
        staff_county=staff_county,
        extra_services=extra_services,
    )
    bid_checks_open(bid=bid)
    events.change(
        actor=actor,
        obj=bid,
        action=AuditAction.CREATE,
        after=snapshot(bid, ["tender", "insurer", "payment_ratio", "profit_rate"]),
        summary=f"登记投标：{insurer} / {tender}",
    )
    return bid


def bid_checks_open(*, bid: Bid) -> int:
    """Create the missing pending checks for the tender's criteria (idempotent)."""
    criteria = bid.tender.criteria.all()
    have = set(bid.checks.values_list("criterion_id", flat=True))
    new = [BidCheck(bid=bid, criterion=c) for c in criteria if c.pk not in have]
    BidCheck.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def bid_check_review(
    *, check: BidCheck, result: str, actor, note: str = "", evidence=None, request=None
) -> BidCheck:
    """A reviewer decides one criterion for one bid (pass/fail), with who and when."""
    if result not in (CheckResult.PASSED, CheckResult.FAILED):
        raise RuleError(_("审查结果只能是「符合」或「不符合」。"))
    check = BidCheck.objects.select_for_update().select_related("criterion").get(pk=check.pk)
    if result == CheckResult.FAILED and not note.strip():
        raise RuleError(_("判定「不符合」时必须填写审查意见。"))
    before = snapshot(check, ["result", "note"])
    if evidence is not None:
        check.evidence = evidence
    check.result = result
    check.note = note
    check.reviewed_by = actor
    check.reviewed_at = timezone.now()
    check.save()
    events.change(
        actor=actor,
        obj=check,
        action=AuditAction.UPDATE,
        before=before,
        after=snapshot(check, ["result", "note"]),
        summary=f"资格审查 {check.criterion.code}：{check.get_result_display()}",
        request=request,
    )
    return check


@transaction.atomic
def bid_score(*, bid: Bid, breakdown: dict[str, object], actor, request=None) -> Bid:
    """Score a bid: `breakdown` maps an item (价格, 服务, 增值服务...) to points; total = sum."""
    try:
        parts = {str(k): quantize(Decimal(str(v))) for k, v in breakdown.items()}
    except (InvalidOperation, ValueError):
        raise RuleError(_("评分必须是数字。")) from None
    if not parts or any(v < 0 for v in parts.values()):
        raise RuleError(_("评分明细不能为空，分值不能为负。"))
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    before = {"score": str(bid.score), "breakdown": bid.score_breakdown}
    bid.score_breakdown = {k: str(v) for k, v in parts.items()}
    bid.score = sum(parts.values(), Decimal("0.00"))
    bid.scored_by = actor
    bid.scored_at = timezone.now()
    bid.save()
    events.change(
        actor=actor,
        obj=bid,
        action=AuditAction.UPDATE,
        before=before,
        after={"score": str(bid.score), "breakdown": bid.score_breakdown},
        summary=f"投标评分 {bid.insurer}：{bid.score}",
        request=request,
    )
    return bid


def bid_award_problems(bid: Bid, on: datetime.date) -> list[str]:
    """Why this bid cannot win (empty when it can): debarment on the award date, mandatory
    criteria failed, not yet reviewed or never checked."""
    problems = []
    barred = insurer_debarment_on(bid.insurer, on)
    if barred is not None:
        problems.append(
            _("%(insurer)s 在定标日 %(on)s 处于禁止投标期（%(bar)s），不能中标（R-CON-7）。")
            % {"insurer": bid.insurer, "on": on, "bar": barred}
        )
    checks = {c.criterion_id: c for c in bid.checks.select_related("criterion")}
    for criterion in bid.tender.criteria.filter(mandatory=True):
        check = checks.get(criterion.pk)
        if check is None or check.result == CheckResult.PENDING:
            problems.append(_("必备条件「%(c)s」尚未审查，不能定标。") % {"c": criterion.title})
        elif check.result == CheckResult.FAILED:
            problems.append(
                _("%(insurer)s 不符合必备条件「%(c)s」，不能中标（R-TND-2）。")
                % {"insurer": bid.insurer, "c": criterion.title}
            )
    return problems


@transaction.atomic
def tender_award(
    *,
    tender: Tender,
    bid: Bid,
    actor,
    on: datetime.date | None = None,
    number: str = "",
    request=None,
) -> Contract:
    """Award the tender to `bid` and create the draft contract (lead insurer at 100%, term from
    the tender, linked to the scheme's previous contract when the term joins it, staffing
    commitments from the bid: the scheme's region gets the city figure, each child region the
    county figure)."""
    on = on or today()
    tender = Tender.objects.select_for_update().select_related("scheme").get(pk=tender.pk)
    if bid.tender_id != tender.pk:
        raise AwardRefused(_("该投标不属于招标项目「%(t)s」。") % {"t": tender})
    if tender.status != TenderStatus.OPEN:
        raise AwardRefused(
            _("招标项目「%(t)s」状态为「%(s)s」，不能定标。")
            % {"t": tender, "s": tender.get_status_display()}
        )
    problems = bid_award_problems(bid, on)
    if problems:
        raise AwardRefused(problems)
    previous = (
        Contract.objects.filter(scheme=tender.scheme, next__isnull=True)
        .exclude(status="draft")
        .order_by("-ends_on")
        .first()
    )
    if previous is not None and previous_end(previous) + DAY != tender.term_start:
        previous = None
    contract = Contract(
        number=number or tender.project_no,
        scheme=tender.scheme,
        tender=tender,
        bid=bid,
        previous=previous,
        lead_insurer=bid.insurer,
        starts_on=tender.term_start,
        ends_on=tender.term_end,
        coverage_from=tender.term_start,
    )
    contract_save(contract=contract, actor=actor, request=request)
    region = tender.scheme.region
    commitments = []
    if bid.staff_city:
        commitments.append(
            StaffingCommitment(contract=contract, region=region, committed=bid.staff_city)
        )
    if bid.staff_county:
        commitments += [
            StaffingCommitment(contract=contract, region=child, committed=bid.staff_county)
            for child in region.children.all()
        ]
    StaffingCommitment.objects.bulk_create(commitments)
    tender.status = TenderStatus.AWARDED
    tender.awarded_bid = bid
    tender.awarded_on = on
    tender.awarded_by = actor
    tender.save()
    events.change(
        actor=actor,
        obj=tender,
        action=AuditAction.APPROVE,
        after={"awarded_bid": bid.pk, "contract": contract.pk, "awarded_on": str(on)},
        summary=f"定标：{tender} → {bid.insurer}，生成合同草稿 {contract.number}",
        request=request,
    )
    return contract
