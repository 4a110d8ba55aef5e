"""The evaluation reserve (考核预留款, R-ORD-2): the score table and the yearly release."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.models.workflow import MakerChecker
from contracts.models.transfer import PaymentFields
from insurance.fields import MoneyField

# used when the table in the database is empty: (lowest score, percent released)
DEFAULT_RELEASE_BANDS = (
    (Decimal("90"), Decimal("100")),
    (Decimal("80"), Decimal("80")),
    (Decimal("70"), Decimal("60")),
    (Decimal("60"), Decimal("40")),
    (Decimal("0"), Decimal("0")),
)


class ReserveReleaseBand(models.Model):
    """A row of the release table: a score at or above `min_score` releases `release_percent`."""

    min_score = models.DecimalField(
        _("最低得分(含)"),
        max_digits=5,
        decimal_places=2,
        unique=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    release_percent = models.DecimalField(
        _("拨付比例(%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("预留款拨付比例表")
        verbose_name_plural = _("预留款拨付比例表")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"≥{self.min_score}: {self.release_percent}%"


class ReserveRelease(PaymentFields):
    """The year's reserve after the evaluation: what is released to the insurer, what returns."""

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="reserve_releases",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("考核得分"), max_digits=5, decimal_places=2)
    evaluation_ref = models.CharField(_("考核单据"), max_length=64)
    held = MoneyField(_("预留款总额"))
    release_percent = models.DecimalField(_("拨付比例(%)"), max_digits=5, decimal_places=2)
    released = MoneyField(_("拨付保险机构"))
    returned = MoneyField(_("返还基金"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预留款拨付")
        verbose_name_plural = _("预留款拨付")
        ordering = ["-year", "contract"]
        constraints = [
            *MakerChecker.Meta.constraints,
            models.UniqueConstraint(fields=["contract", "year"], name="contracts_release_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year} 预留款 {self.released}/{self.held}"
