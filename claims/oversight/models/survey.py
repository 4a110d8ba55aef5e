"""Satisfaction surveys (满意度调查) of a contract and period, imported from CSV/XLSX."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SatisfactionSurvey(models.Model):
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("调查期间起"))
    period_end = models.DateField(_("调查期间止"))
    respondents = models.PositiveIntegerField(_("受访人数"), validators=[MinValueValidator(1)])
    satisfied = models.PositiveIntegerField(_("满意人数"))
    score = models.DecimalField(
        _("满意度得分(百分制)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("调查机构/方式"), max_length=128, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-period_end", "contract"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start", "period_end"], name="claims_survey_unique"
            ),
            models.CheckConstraint(
                condition=Q(satisfied__lte=F("respondents")), name="claims_survey_satisfied"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="claims_survey_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period_start}～{self.period_end}"
