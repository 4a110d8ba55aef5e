from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from insurance.choices import FundingKind, SchemeKind
from insurance.fields import MoneyField
from insurance.funding import funding_errors


class Scheme(models.Model):
    """A supplementary / critical-illness scheme the bureau runs, e.g. 济惠保."""

    code = models.CharField(_("方案编码"), max_length=32, unique=True)
    name = models.CharField(_("方案名称"), max_length=128)
    kind = models.CharField(_("方案类型"), max_length=32, choices=SchemeKind.choices)
    region = models.ForeignKey(
        "insurance.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("保险方案")
        verbose_name_plural = _("保险方案")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def _money(name):
    return MoneyField(
        name,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )


class SchemeYear(models.Model):
    """One year of a scheme: funding rule, reference figures, waiting period, coverage dates."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("保险方案"), on_delete=models.PROTECT, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    coverage_start = models.DateField(_("保障开始日期"))
    coverage_end = models.DateField(_("保障结束日期"))
    insurance_year_start = models.DateField(
        _("保险年度起始日"),
        null=True,
        blank=True,
        help_text=_(
            "保费年度（季度拨付、预留款、年度清算）从这一天起算，至保障结束日止；"
            "为空时等于保障开始日期。早于它的保障期是追溯期：其费用由本年度保费支付。"
        ),
    )
    funding_kind = models.CharField(_("筹资方式"), max_length=32, choices=FundingKind.choices)
    funding_params = models.JSONField(
        _("筹资参数"),
        default=dict,
        blank=True,
        help_text=_('金额和比例写成字符串，例如 {"amount": "20.00"}；详见 docs/people.md。'),
    )
    prev_disposable_income_urban = _money(_("上年城镇居民人均可支配收入"))
    prev_disposable_income_rural = _money(_("上年农村居民人均可支配收入"))
    prev_basic_funding_per_capita = _money(_("上年人均基本医保筹资额"))
    waiting_period_days = models.PositiveSmallIntegerField(
        _("等待期（天）"),
        default=0,
        help_text=_(
            "首次参保或中断后重新参保的等待天数；连续续保无等待期。"
            "选定待遇方案后取自方案，起算日也按方案（如自参加基本医疗保险之日起算）。"
        ),
    )
    plan = models.ForeignKey(
        "insurance.BenefitPlan",
        verbose_name=_("待遇方案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheme_years",
        help_text=_("本年度计算待遇所用的方案版本"),
    )

    class Meta:
        verbose_name = _("方案年度")
        verbose_name_plural = _("方案年度")
        ordering = ["scheme", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year"], name="insurance_schemeyear_unique"),
            models.CheckConstraint(
                condition=models.Q(coverage_end__gte=models.F("coverage_start")),
                name="insurance_schemeyear_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.year}"

    def save(self, *args, **kwargs):
        # One source of truth: with a plan, its waiting period is the year's.
        if self.plan_id is not None:
            self.waiting_period_days = self.plan.waiting_days
        super().save(*args, **kwargs)

    @property
    def insurance_start(self):
        """First day of the insurance (premium) year; earlier cover is retroactive."""
        return self.insurance_year_start or self.coverage_start

    def reference_figures(self) -> dict:
        """The figures a plan may name as a deductible reference (docs/plans.md)."""
        figures = {
            "disposable_income_urban": self.prev_disposable_income_urban,
            "disposable_income_rural": self.prev_disposable_income_rural,
            "net_income_rural": self.prev_disposable_income_rural,
            "basic_funding_per_capita": self.prev_basic_funding_per_capita,
        }
        return {key: value for key, value in figures.items() if value is not None}

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.coverage_start and self.coverage_end and self.coverage_end < self.coverage_start:
            errors["coverage_end"] = [_("保障结束日期不能早于开始日期。")]
        start = self.insurance_year_start
        dates = start and self.coverage_start and self.coverage_end
        if dates and not self.coverage_start <= start <= self.coverage_end:
            errors["insurance_year_start"] = [_("保险年度起始日必须在保障开始日期与结束日期之间。")]
        if self.funding_kind:
            problems = funding_errors(self.funding_kind, self.funding_params)
            if problems:
                errors.setdefault("funding_params", []).extend(
                    f"{name}: {message}" for name, message in problems.items()
                )
        if errors:
            raise ValidationError(errors)
