"""The annual evaluation (年度考核, R-SUP-2): an indicator catalogue per scheme, one evaluation per
contract and year with one row per indicator, and its workflow history.

The computation reads claims data, so it lives above the models (`claims.services.evaluation`);
this module only holds the data and the workflow table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.choices import (
    EvaluationStatus,
    IndicatorCode,
    IndicatorMethod,
    RenewalRecommendation,
)

DEFAULT_PASS_MARK = Decimal("60.00")


def _score_field(label, **kwargs):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        **kwargs,
    )


class EvaluationIndicator(models.Model):
    """One line of a scheme's catalogue. A computed indicator maps its value to 0-100 points
    linearly between `floor` (0 points) and `target` (100 points); when `floor > target` lower
    values are better. The weights of a scheme's active indicators add up to 100."""

    scheme = models.ForeignKey(
        "insurance.Scheme",
        verbose_name=_("保险方案"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField(_("指标代码"), max_length=32)
    name = models.CharField(_("指标名称"), max_length=64)
    method = models.CharField(
        _("评分方式"),
        max_length=10,
        choices=IndicatorMethod.choices,
        default=IndicatorMethod.MANUAL,
    )
    weight = models.DecimalField(
        _("权重(分)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    floor = models.DecimalField(_("零分值"), max_digits=12, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(
        _("满分值"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    description = models.TextField(_("计算口径"), blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标体系")
        ordering = ["scheme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="contracts_indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"

    def clean(self) -> None:
        if self.method == IndicatorMethod.COMPUTED:
            if self.code not in IndicatorCode.values:
                codes = "、".join(IndicatorCode.values)
                message = _("系统计算的指标代码必须是以下之一：%(c)s。") % {"c": codes}
                raise ValidationError({"code": message})
            if self.floor is None or self.target is None or self.floor == self.target:
                raise ValidationError(_("系统计算的指标必须填写不相等的零分值与满分值。"))


class Evaluation(models.Model):
    """The evaluation of one contract year; unique per (contract, year), so the year-end job
    that drafts it can run twice without harm."""

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(_("考核年度"))
    status = models.CharField(
        _("状态"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    pass_mark = _score_field(_("合格分数线"), default=DEFAULT_PASS_MARK)
    total_score = _score_field(_("总得分"), null=True, blank=True)
    passed = models.BooleanField(_("考核合格"), null=True, blank=True)
    renewal_recommendation = models.CharField(
        _("续签建议"), max_length=10, choices=RenewalRecommendation.choices, blank=True
    )
    computed_at = models.DateTimeField(_("指标计算时间"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空表示由年末定时任务起草"),
    )
    drafted_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reserve_release = models.OneToOneField(
        "contracts.ReserveRelease",
        verbose_name=_("预留款拨付单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluation",
    )
    reserve_note = models.TextField(_("预留款拨付说明"), blank=True)
    conclusion = models.TextField(_("考核结论"), blank=True)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year", "contract"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="contracts_evaluation_unique")
        ]
        permissions = [
            ("score_evaluation", _("为年度考核评分")),
            ("approve_evaluation", _("审批年度考核")),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year}年度考核"

    @property
    def ref(self) -> str:
        return f"contracts.evaluation:{self.pk}"


class EvaluationScore(models.Model):
    """One indicator of one evaluation: the computed value and points, the reviewer's manual
    points (they win when given) and comment. Name, weight and rule are copied at drafting so a
    later change of the catalogue does not change a past evaluation."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        EvaluationIndicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("指标名称"), max_length=64)
    method = models.CharField(_("评分方式"), max_length=10, choices=IndicatorMethod.choices)
    weight = models.DecimalField(_("权重(分)"), max_digits=5, decimal_places=2)
    floor = models.DecimalField(_("零分值"), max_digits=12, decimal_places=4, null=True)
    target = models.DecimalField(_("满分值"), max_digits=12, decimal_places=4, null=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    value = models.DecimalField(_("计算值"), max_digits=14, decimal_places=4, null=True)
    source = models.TextField(_("数据来源"), blank=True)
    computed_score = _score_field(_("计算得分(百分制)"), null=True, blank=True)
    manual_score = _score_field(_("人工评分(百分制)"), null=True, blank=True)
    comment = models.TextField(_("评分说明"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核指标得分")
        verbose_name_plural = _("考核指标得分")
        ordering = ["evaluation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="contracts_evalscore_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.score if self.score is not None else '-'}"

    @property
    def score(self) -> Decimal | None:
        """Points out of 100: the manual score when given, else the computed one."""
        return self.manual_score if self.manual_score is not None else self.computed_score

    @property
    def weighted(self) -> Decimal | None:
        if self.score is None:
            return None
        return (self.weight * self.score / Decimal(100)).quantize(Decimal("0.01"))


class EvaluationTransition(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="history"
    )
    move = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=10, choices=EvaluationStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=EvaluationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("原因/说明"), blank=True)

    class Meta:
        verbose_name = _("考核状态记录")
        verbose_name_plural = _("考核状态记录")
        ordering = ["evaluation", "at", "id"]

    def __str__(self) -> str:
        return f"{self.evaluation}: {self.from_status} → {self.to_status}"


# --- the workflow as data ---------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationMove:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False


SCORE_PERMISSION = "contracts.score_evaluation"
APPROVE_PERMISSION = "contracts.approve_evaluation"

_E = EvaluationStatus
EVALUATION_MOVES: dict[str, EvaluationMove] = {
    move.name: move
    for move in (
        EvaluationMove("submit", _("提交审批"), frozenset({_E.DRAFT}), _E.SCORED, SCORE_PERMISSION),
        EvaluationMove(
            "return",
            _("退回重新评分"),
            frozenset({_E.SCORED}),
            _E.DRAFT,
            APPROVE_PERMISSION,
            needs_reason=True,
        ),
        EvaluationMove(
            "approve", _("审批通过"), frozenset({_E.SCORED}), _E.APPROVED, APPROVE_PERMISSION
        ),
    )
}


def evaluation_moves_from(status: str) -> list[EvaluationMove]:
    return [move for move in EVALUATION_MOVES.values() if status in move.sources]


def evaluation_may(actor, permission: str) -> bool:
    """Whether `actor` holds `permission` (scoring, recomputing, a move's permission)."""
    return actor is not None and actor.has_perm(permission)


def evaluation_checker_refusal(evaluation, actor) -> str | None:
    """Maker/checker: the approver is neither the drafter, nor a scorer, nor the submitter.
    Why `actor` may not approve, or None."""
    if evaluation.drafted_by_id == actor.pk:
        return _("审批人不能是考核的起草人，请由另一位主管审批。")
    scorers = set(evaluation.scores.exclude(scored_by=None).values_list("scored_by", flat=True))
    submitters = set(evaluation.history.filter(move="submit").values_list("actor_id", flat=True))
    if actor.pk in scorers | submitters:
        return _("审批人不能是参与评分或提交的人员，请由另一位主管审批。")
    return None


def evaluation_allowed_moves(evaluation, user) -> list[EvaluationMove]:
    """The moves legal from the evaluation's status that `user` may make (the page's buttons):
    his permissions, and approval only by someone who neither drafted, scored nor submitted."""
    return [
        move
        for move in evaluation_moves_from(evaluation.status)
        if evaluation_may(user, move.permission)
        and (move.name != "approve" or evaluation_checker_refusal(evaluation, user) is None)
    ]
