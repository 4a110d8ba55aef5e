"""The tender aggregate: criteria catalogue, tender, bids, eligibility checks (R-TND-1..3)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.choices import CheckResult, TenderStatus

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def percent_field(name, **kwargs):
    return models.DecimalField(name, max_digits=5, decimal_places=2, validators=PERCENT, **kwargs)


class EligibilityCriterion(models.Model):
    """One line of the eligibility checklist (R-TND-2); the catalogue is data, not code."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    title = models.CharField(_("条件"), max_length=255)
    description = models.TextField(_("说明"), blank=True)
    rule = models.CharField(_("依据"), max_length=64, blank=True, help_text=_("如 R-TND-2 / R-ORD"))
    mandatory = models.BooleanField(_("必备条件"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("资格条件")
        verbose_name_plural = _("资格条件目录")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        star = "★" if self.mandatory else ""
        return f"{star}{self.code} {self.title}"


class Tender(models.Model):
    """A tender through the public resource trading centre for a scheme and a term (R-TND-1)."""

    scheme = models.ForeignKey(
        "insurance.Scheme", verbose_name=_("保险方案"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("项目名称"), max_length=255)
    project_no = models.CharField(_("交易中心项目编号"), max_length=64, unique=True)
    term_start = models.DateField(_("服务期开始"))
    term_end = models.DateField(_("服务期结束"))
    published_on = models.DateField(_("公告日期"), null=True, blank=True)
    bid_deadline = models.DateField(_("投标截止日期"), null=True, blank=True)
    criteria = models.ManyToManyField(
        EligibilityCriterion, verbose_name=_("资格条件"), blank=True, related_name="tenders"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TenderStatus.choices, default=TenderStatus.OPEN
    )
    awarded_bid = models.OneToOneField(
        "contracts.Bid",
        verbose_name=_("中标投标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    awarded_on = models.DateField(_("定标日期"), null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("定标人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("招标项目")
        verbose_name_plural = _("招标项目")
        ordering = ["-term_start"]

    def __str__(self) -> str:
        return self.title


class Bid(models.Model):
    """An insurer's bid: payment ratio, profit rate, staffing, extra services (R-TND-3)."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("招标项目"), on_delete=models.CASCADE, related_name="bids"
    )
    insurer = models.ForeignKey(
        "contracts.Insurer",
        verbose_name=_("投标机构"),
        on_delete=models.PROTECT,
        related_name="bids",
    )
    submitted_on = models.DateField(_("投标日期"))
    payment_ratio = percent_field(_("承诺赔付率(%)"))
    profit_rate = percent_field(_("承诺利润率(%)"))
    staff_city = models.PositiveIntegerField(_("承诺市级驻点人数"), default=0)
    staff_county = models.PositiveIntegerField(_("承诺每县(区)驻点人数"), default=0)
    extra_services = models.TextField(_("增值服务"), blank=True)
    score = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    score_breakdown = models.JSONField(
        _("评分明细"),
        default=dict,
        blank=True,
        help_text=_('例如 {"价格": "40.00", "服务": "35.00"}'),
    )
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
        verbose_name = _("投标")
        verbose_name_plural = _("投标")
        ordering = ["tender", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "insurer"], name="contracts_bid_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tender} / {self.insurer}"


def bid_evidence_path(instance, filename: str) -> str:
    return f"contracts/bids/{instance.bid_id}/{filename}"


class BidCheck(models.Model):
    """One eligibility criterion checked for one bid, with its evidence and the reviewer."""

    bid = models.ForeignKey(
        Bid, verbose_name=_("投标"), on_delete=models.CASCADE, related_name="checks"
    )
    criterion = models.ForeignKey(
        EligibilityCriterion, verbose_name=_("资格条件"), on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.FileField(_("证明材料"), upload_to=bid_evidence_path, blank=True)
    result = models.CharField(
        _("审查结果"), max_length=16, choices=CheckResult.choices, default=CheckResult.PENDING
    )
    note = models.TextField(_("审查意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("资格审查")
        verbose_name_plural = _("资格审查")
        ordering = ["bid", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="contracts_bidcheck_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_result_display()}"
