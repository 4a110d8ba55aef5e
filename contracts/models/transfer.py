"""Money paid to the insurer: quarterly transfers (季度拨付) and their consortium parts."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.choices import PaymentStatus
from contracts.models.funding import money_field


class PaymentFields(models.Model):
    """Maker / checker / payment fields shared by transfers and reserve releases."""

    status = models.CharField(
        _("状态"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制单人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("制单时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("支付登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)

    class Meta:
        abstract = True


class Transfer(PaymentFields):
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    funding = models.ForeignKey(
        "contracts.FundingCalculation",
        verbose_name=_("依据的筹资测算"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    amount = money_field(_("本季拨付金额"))
    reserve_part = money_field(_("本季预留考核款"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("季度拨付")
        verbose_name_plural = _("季度拨付")
        ordering = ["-year", "-quarter", "contract"]
        permissions = [
            ("prepare_transfer", _("可以制单资金拨付")),
            ("approve_transfer", _("可以审批资金拨付")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year", "quarter"], name="contracts_transfer_unique"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="contracts_transfer_quarter"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("prepared_by")),
                name="contracts_transfer_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year}Q{self.quarter} {self.amount}"


class PaymentPart(models.Model):
    """One consortium member's part of a transfer or of a reserve release (they add up exactly)."""

    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.CASCADE, related_name="parts"
    )
    release = models.ForeignKey(
        "contracts.ReserveRelease",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
    )
    insurer = models.ForeignKey(
        "contracts.Insurer", verbose_name=_("保险机构"), on_delete=models.PROTECT, related_name="+"
    )
    share = models.DecimalField(_("份额(%)"), max_digits=5, decimal_places=2)
    amount = money_field(_("金额"))

    class Meta:
        verbose_name = _("拨付明细")
        verbose_name_plural = _("拨付明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(transfer__isnull=False) & Q(release__isnull=True))
                | (Q(transfer__isnull=True) & Q(release__isnull=False)),
                name="contracts_part_one_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.amount}"
