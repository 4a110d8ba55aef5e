"""The annual evaluation (年度考核, R-SUP-2): an indicator catalogue per scheme, one evaluation per
contract and year with one row per indicator.

The computation and the workflow read claims data, so they live above the models
(`claims.oversight.services.evaluation`, `claims.oversight.workflows`); this module only holds the
data.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.fields import stamp_fields, user_field
from audit.models.workflow import StatusTracked
from contracts.choices import (
    EvaluationStatus,
    IndicatorCode,
    IndicatorMethod,
    RenewalRecommendation,
)
from insurance.engine.money import quantize

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


class Evaluation(StatusTracked):
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
    drafted_by = user_field(_("起草人"), help_text=_("空表示由年末定时任务起草"))
    drafted_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    approved_by, approved_at = stamp_fields(_("审批人"), _("审批时间"))
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
    scored_by, scored_at = stamp_fields(_("评分人"), _("评分时间"))

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
        return quantize(self.weight * self.score / Decimal(100))
