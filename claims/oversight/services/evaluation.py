"""The annual evaluation (年度考核, R-SUP-2, R-CON-7): draft with computed indicators, manual
scores by reviewers, approval by a director who is neither the drafter nor a scorer, and the
consequences of the approved result: the reserve release (R-ORD-2), the renewal recommendation
(R-JN) and, when failed, a 3-year bar from bidding for every insurer of the contract (R-IM).

It reads claims, contracts and insurance data, so it lives in claims (the top layer), with its
workflow (`claims.oversight.workflows.EVALUATION`); contracts holds only the models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import IllegalMove, RuleError
from audit.plausibility import change_warning, found, payout_ratio_warning
from audit.workflow import perform_move, require_permission
from claims.oversight.services.evaluation_indicators import (
    DEFAULT_CATALOGUE,
    indicator_compute,
    weighted_total,
)
from contracts.choices import (
    ContractStatus,
    DebarmentReason,
    EvaluationStatus,
    IndicatorCode,
    IndicatorMethod,
    RenewalRecommendation,
)
from contracts.models import Contract, Evaluation, EvaluationIndicator, EvaluationScore
from contracts.periods import contract_year, contract_years
from contracts.permissions import SCORE_EVALUATION
from contracts.services.insurers import insurer_debar
from contracts.services.reserves import reserve_release
from insurance.engine.money import quantize

# Contracts the year-end job evaluates: every contract in force at some time in the year.
EVALUATED_STATUSES = (
    ContractStatus.ACTIVE,
    ContractStatus.RENEWAL_REQUESTED,
    ContractStatus.RENEWAL_ANSWERED,
    ContractStatus.EXPIRED,
    ContractStatus.TERMINATED,
)


def pass_mark() -> Decimal:
    """`settings.EVALUATION_PASS_MARK`, copied onto each evaluation when it is drafted."""
    return Decimal(str(settings.EVALUATION_PASS_MARK))


def _snapshot(evaluation: Evaluation) -> dict:
    return {
        "status": evaluation.status,
        "total_score": None if evaluation.total_score is None else str(evaluation.total_score),
        "passed": evaluation.passed,
        "renewal_recommendation": evaluation.renewal_recommendation,
    }


# --- the catalogue -----------------------------------------------------------------------------


def indicator_weights_problem(scheme) -> str | None:
    """A message when the scheme's active weights do not add up to 100, else None."""
    total = EvaluationIndicator.objects.filter(scheme=scheme, active=True).aggregate(
        s=Sum("weight")
    )["s"] or Decimal("0")
    if total != Decimal(100):
        return _("方案「%(s)s」启用的考核指标权重合计为 %(t)s，必须等于 100。") % {
            "s": scheme,
            "t": total,
        }
    return None


@transaction.atomic
def indicator_catalogue_ensure(*, scheme, actor=None) -> list[EvaluationIndicator]:
    """Give a scheme the default catalogue (the 8 computed indicators) when it has none."""
    existing = list(EvaluationIndicator.objects.filter(scheme=scheme))
    if existing:
        return existing
    rows = [
        EvaluationIndicator(
            scheme=scheme,
            code=code,
            name=name,
            method=IndicatorMethod.COMPUTED,
            weight=Decimal(weight),
            floor=Decimal(floor),
            target=Decimal(target),
            unit=unit,
            position=i,
        )
        for i, (code, name, weight, floor, target, unit) in enumerate(DEFAULT_CATALOGUE, 1)
    ]
    EvaluationIndicator.objects.bulk_create(rows)
    events.record(
        action=AuditAction.CREATE,
        actor=actor,
        object_type="contracts.evaluationindicator",
        summary=f"为方案 {scheme} 建立默认考核指标体系（{len(rows)} 项）",
    )
    return list(EvaluationIndicator.objects.filter(scheme=scheme))


# --- drafting ----------------------------------------------------------------------------------


def _compute_rows(evaluation: Evaluation, today: dt.date | None = None) -> None:
    for row in evaluation.scores.select_related("indicator"):
        indicator = row.indicator
        value, points, source = indicator_compute(
            indicator=indicator, contract=evaluation.contract, year=evaluation.year, today=today
        )
        row.value, row.computed_score, row.source = value, points, source
        row.save(update_fields=["value", "computed_score", "source"])
    evaluation.computed_at = timezone.now()
    evaluation.total_score = _total_or_none(evaluation)
    evaluation.save(update_fields=["computed_at", "total_score"])


def _total_or_none(evaluation: Evaluation) -> Decimal | None:
    rows = list(evaluation.scores.all())
    if not rows or any(row.score is None for row in rows):
        return None
    return weighted_total(rows)


def evaluation_draft(
    *, contract: Contract, year: int, actor=None, today: dt.date | None = None
) -> tuple[Evaluation, bool]:
    """Draft the contract year's evaluation with its computed indicators; (evaluation, created).

    Idempotent: the (contract, year) row is unique; an existing evaluation is returned as it is
    (a retried or duplicated job changes nothing). Refused when the scheme's weights are wrong.
    """
    existing = Evaluation.objects.filter(contract=contract, year=year).first()
    if existing is not None:
        return existing, False
    if actor is not None:
        require_permission(actor, SCORE_EVALUATION, _("起草年度考核"))
    try:
        with transaction.atomic():
            indicators = [i for i in indicator_catalogue_ensure(scheme=contract.scheme) if i.active]
            problem = indicator_weights_problem(contract.scheme)
            if problem:
                raise RuleError(problem)
            evaluation = Evaluation.objects.create(
                contract=contract, year=year, pass_mark=pass_mark(), drafted_by=actor
            )
            EvaluationScore.objects.bulk_create(
                EvaluationScore(
                    evaluation=evaluation,
                    indicator=i,
                    name=i.name,
                    method=i.method,
                    weight=i.weight,
                    floor=i.floor,
                    target=i.target,
                    unit=i.unit,
                )
                for i in indicators
            )
            _compute_rows(evaluation, today)
            events.change(
                actor=actor,
                obj=evaluation,
                action=AuditAction.CREATE,
                after=_snapshot(evaluation),
                summary=f"起草年度考核 {evaluation}",
            )
    except IntegrityError:  # a concurrent run created it first
        return Evaluation.objects.get(contract=contract, year=year), False
    return evaluation, True


def evaluations_draft_year(*, year: int, today: dt.date | None = None, actor=None) -> dict:
    """The year-end job: draft every evaluated contract's evaluation for its year `year` (the
    scheme's insurance year, `contracts.periods`). The admin's button runs it as a person
    (`actor`, who needs the scorer's permission)."""
    if actor is not None:
        require_permission(actor, SCORE_EVALUATION, _("起草年度考核"))
    contracts = Contract.objects.filter(status__in=EVALUATED_STATUSES).select_related("scheme")
    counts = {"created": 0, "existing": 0, "refused": 0}
    for contract in contracts:
        period = contract_year(contract, year)
        if period.claims_from > period.claims_to:
            continue  # the contract did not cover any of that year
        try:
            _evaluation, created = evaluation_draft(
                contract=contract, year=year, today=today, actor=actor
            )
        except ValidationError:
            counts["refused"] += 1
            continue
        counts["created" if created else "existing"] += 1
    return counts


# Data of a year keeps arriving for a few days after it ends (late uploads, statements).
DRAFT_AFTER = dt.timedelta(days=4)
DRAFT_WITHIN = dt.timedelta(days=366)


def evaluations_draft_due(*, on: dt.date, actor=None) -> dict:
    """The scheduled job: every contract year that ended between a year and four days before
    `on` and has no evaluation yet. Years follow each scheme's insurance year, so Huizhou's
    (July to June) is drafted in July, a calendar year in January. Idempotent. The admin's
    button runs it as a person (`actor`, who needs the scorer's permission)."""
    if actor is not None:
        require_permission(actor, SCORE_EVALUATION, _("起草年度考核"))
    counts = {"created": 0, "existing": 0, "refused": 0}
    for contract in Contract.objects.filter(status__in=EVALUATED_STATUSES):
        for period in contract_years(contract):
            if not on - DRAFT_WITHIN <= period.end <= on - DRAFT_AFTER:
                continue
            try:
                _evaluation, created = evaluation_draft(
                    contract=contract, year=period.year, today=on, actor=actor
                )
            except ValidationError:
                counts["refused"] += 1
                continue
            counts["created" if created else "existing"] += 1
    return counts


@transaction.atomic
def evaluation_recompute(*, evaluation: Evaluation, actor, today: dt.date | None = None):
    """Refresh the computed values of a draft (data arrived late); manual scores are kept."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != EvaluationStatus.DRAFT:
        raise IllegalMove(_("只有草稿状态的考核可以重新计算指标。"))
    require_permission(actor, SCORE_EVALUATION, _("为年度考核评分"))
    before = _snapshot(evaluation)
    _compute_rows(evaluation, today)
    events.change(
        actor=actor,
        obj=evaluation,
        action=AuditAction.UPDATE,
        before=before,
        after=_snapshot(evaluation),
        summary=f"重新计算考核指标 {evaluation}",
    )
    return evaluation


# --- scoring and the workflow ------------------------------------------------------------------


def _points(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        points = quantize(Decimal(str(value)))
    except InvalidOperation:
        raise RuleError(_("评分格式不正确：%(v)s。") % {"v": value}) from None
    if not Decimal(0) <= points <= Decimal(100):
        raise RuleError(_("评分必须在 0 到 100 之间（百分制）。"))
    return points


@transaction.atomic
def evaluation_score(*, row: EvaluationScore, manual_score, comment: str = "", actor):
    """A reviewer scores one indicator by hand (or overrides the computed points, with a
    comment) or clears the manual score (None). Only while the evaluation is a draft."""
    require_permission(actor, SCORE_EVALUATION, _("为年度考核评分"))
    row = EvaluationScore.objects.select_related("evaluation").select_for_update().get(pk=row.pk)
    evaluation = Evaluation.objects.select_for_update().get(pk=row.evaluation_id)
    if evaluation.status != EvaluationStatus.DRAFT:
        raise IllegalMove(
            _("考核当前状态为「%(s)s」，不能评分。") % {"s": evaluation.get_status_display()}
        )
    points = _points(manual_score)
    if (
        points is not None
        and row.method == IndicatorMethod.COMPUTED
        and row.computed_score is not None
        and not (comment or "").strip()
    ):
        raise RuleError(_("调整系统计算得分时必须填写评分说明。"))
    before = {"manual_score": str(row.manual_score), "comment": row.comment}
    row.manual_score, row.comment = points, (comment or "").strip()
    row.scored_by, row.scored_at = actor, timezone.now()
    row.save(update_fields=["manual_score", "comment", "scored_by", "scored_at"])
    evaluation.total_score = _total_or_none(evaluation)
    evaluation.save(update_fields=["total_score"])
    events.change(
        actor=actor,
        obj=evaluation,
        action=AuditAction.UPDATE,
        before=before,
        after={"indicator": row.name, "manual_score": str(points), "comment": row.comment},
        summary=f"考核评分：{evaluation} / {row.name}",
    )
    return row


# --- the evaluation workflow (declared in `claims.oversight.workflows.EVALUATION`) ----------------


def scorer_ids(evaluation: Evaluation) -> list[int]:
    return list(evaluation.scores.values_list("scored_by_id", flat=True))


def submitter_ids(evaluation: Evaluation) -> list[int]:
    return list(evaluation.history.filter(move="submit").values_list("actor_id", flat=True))


def guard_total(step) -> None:
    step.doc.total_score = _total_or_none(step.doc)


def guard_submit(step) -> None:
    """Every indicator needs points (manual ones where the data gave none)."""
    missing = [row.name for row in step.doc.scores.all() if row.score is None]
    if missing:
        raise RuleError(
            _("以下指标没有得分（无数据时请人工评分）：%(n)s。") % {"n": "、".join(missing)}
        )
    guard_total(step)


def guard_approve(step) -> None:
    """The result: passed against the pass mark, the renewal recommendation, the conclusion."""
    guard_total(step)
    evaluation = step.doc
    evaluation.passed = evaluation.total_score >= evaluation.pass_mark
    evaluation.renewal_recommendation = _renewal(evaluation)
    evaluation.conclusion = _conclusion(evaluation)


def after_approval(step) -> None:
    """The consequences of the approved result: the reserve release by the score (R-ORD-2) and,
    when failed, a bar from bidding for every insurer of the contract (R-CON-7, R-IM)."""
    evaluation, actor = step.doc, step.actor
    _try_reserve_release(evaluation, actor, step.request)
    if evaluation.passed:
        return
    contract = evaluation.contract
    insurers = {contract.lead_insurer_id: contract.lead_insurer}
    for member in contract.members.select_related("insurer"):
        insurers.setdefault(member.insurer_id, member.insurer)
    # R-CON-7: 3 years from the end of the evaluated year, whenever the approval is clicked
    bar_from = contract_year(contract, evaluation.year).end + dt.timedelta(days=1)
    for insurer in insurers.values():
        insurer_debar(
            insurer=insurer,
            reason=DebarmentReason.FAILED_EVALUATION,
            starts_on=bar_from,
            actor=actor,
            contract=contract,
            note=f"{evaluation} 得分 {evaluation.total_score}，低于合格线 "
            f"{evaluation.pass_mark}（{evaluation.ref}）",
        )


def evaluation_move(
    *, evaluation: Evaluation, move: str, actor, reason: str = "", request=None
) -> Evaluation:
    """submit (draft → scored; every indicator needs points) / return (scored → draft, with a
    reason) / approve (scored → approved by a director who neither drafted, scored nor
    submitted; then the consequences, see the module doc)."""
    return perform_move(doc=evaluation, move=move, actor=actor, reason=reason, request=request)


def _renewal(evaluation: Evaluation) -> str:
    """R-CON-7 / R-JN: no renewal when failed or when complaints are many (the complaints-per-
    10,000 indicator scored 0 points, i.e. at or beyond its floor)."""
    if not evaluation.passed:
        return RenewalRecommendation.NOT_RENEW
    complaints = evaluation.scores.filter(indicator__code=IndicatorCode.COMPLAINTS_PER_10K).first()
    if complaints is not None and complaints.score is not None and complaints.score <= 0:
        return RenewalRecommendation.NOT_RENEW
    return RenewalRecommendation.RENEW


def _conclusion(evaluation: Evaluation) -> str:
    result = _("合格") if evaluation.passed else _("不合格")
    return _("总得分 %(t)s（合格线 %(p)s），考核%(r)s；%(n)s。") % {
        "t": evaluation.total_score,
        "p": evaluation.pass_mark,
        "r": result,
        "n": RenewalRecommendation(evaluation.renewal_recommendation).label,
    }


def _prepare_release(evaluation: Evaluation, actor, request) -> None:
    """The reserve release by the approved score; the actor is its maker (R-ORD-2)."""
    evaluation.reserve_release = reserve_release(
        contract=evaluation.contract,
        year=evaluation.year,
        score=evaluation.total_score,
        evaluation_ref=evaluation.ref,
        actor=actor,
        request=request,
    )
    evaluation.reserve_note = ""


def _reserve_held(evaluation: Evaluation) -> bool:
    """Whether the contract's year holds back an evaluation reserve (its terms say so)."""
    return evaluation.contract.reserve_share > 0


def _try_reserve_release(evaluation: Evaluation, actor, request) -> None:
    """Prepare the reserve release by the score. When the approver may not prepare payments
    (finance's job) or the year is not ready (unpaid transfers), the approval stands and the
    reason is kept; finance then prepares it with `evaluation_reserve_prepare`. A contract that
    held no reserve for the year (the payout-ratio and self-funded rules) gets no release."""
    if not _reserve_held(evaluation):
        evaluation.reserve_note = _("本年度未预留考核款，无需拨付预留款。")
        evaluation.save(update_fields=["reserve_note"])
        return
    try:
        with transaction.atomic():
            _prepare_release(evaluation, actor, request)
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        evaluation.reserve_note = _("预留款拨付单尚未生成：%(m)s") % {"m": "；".join(messages)}
    evaluation.save(update_fields=["reserve_release", "reserve_note"])


@transaction.atomic
def evaluation_reserve_prepare(*, evaluation: Evaluation, actor, request=None) -> Evaluation:
    """Finance prepares the reserve release of an approved evaluation when approval could not."""
    evaluation = (
        Evaluation.objects.select_for_update().select_related("contract").get(pk=evaluation.pk)
    )
    if evaluation.status != EvaluationStatus.APPROVED:
        raise IllegalMove(_("考核审批通过后才能生成预留款拨付单。"))
    if evaluation.reserve_release_id:
        raise RuleError(_("该考核的预留款拨付单已经生成。"))
    if not _reserve_held(evaluation):
        raise RuleError(_("本年度未预留考核款，无需拨付预留款。"))
    _prepare_release(evaluation, actor, request)
    evaluation.save(update_fields=["reserve_release", "reserve_note"])
    return evaluation


def _payout_ratio(evaluation: Evaluation):
    return (
        EvaluationScore.objects.filter(
            evaluation=evaluation, indicator__code=IndicatorCode.PAYOUT_RATIO
        )
        .values_list("value", flat=True)
        .first()
    )


def score_warnings(row: EvaluationScore) -> list[str]:
    """Shown on the scoring page of the payout ratio indicator when its value is implausible
    (submitting then needs a stated reason, `evaluation_warnings`)."""
    if row.indicator.code != IndicatorCode.PAYOUT_RATIO:
        return []
    return found(payout_ratio_warning(row.value))


def evaluation_warnings(evaluation: Evaluation) -> list[str]:
    """Before it is submitted or approved: a payout ratio outside the plausible range (8977%
    once scored full marks) or far from the contract's last evaluation."""
    ratio = _payout_ratio(evaluation)
    last = Evaluation.objects.filter(
        contract_id=evaluation.contract_id, year=evaluation.year - 1
    ).first()
    return found(
        payout_ratio_warning(ratio),
        change_warning(_("赔付率"), ratio, _payout_ratio(last) if last else None, unit="%"),
    )
