"""The year-end settlement (年度清算) of a contract year: figures, their sources, the outcome."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.models.workflow import MakerChecker
from contracts.choices import SettlementRule, SettlementStatus
from insurance.fields import MoneyField


class YearEndSettlement(MakerChecker):
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    funding = models.ForeignKey(
        "contracts.FundingCalculation",
        verbose_name=_("依据的筹资测算"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.CharField(_("结算规则"), max_length=32, choices=SettlementRule.choices)
    claims_paid = MoneyField(_("赔付支出"))
    claims_source = models.CharField(_("赔付数据来源"), max_length=255)
    payout_ratio = models.DecimalField(_("赔付率(%)"), max_digits=9, decimal_places=2)
    to_return = MoneyField(_("返还基金"))
    to_carry = MoneyField(_("结转下年"))
    to_pay = MoneyField(_("应补拨保险机构"), default=0)
    loss_fund_share = MoneyField(_("基金分担亏损"))
    insurer_result = MoneyField(_("保险机构当年利润（负数为亏损）"), default=0)
    policy_loss = MoneyField(
        _("认定的政策性亏损"),
        default=0,
        help_text=_("只用于约定仅分担政策性亏损的合同：因基本医保政策调整造成的亏损"),
    )
    policy_loss_reason = models.CharField(_("政策性亏损认定依据"), max_length=255, blank=True)
    adjustment_proposed = models.BooleanField(_("建议调整下年保费"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SettlementStatus.choices,
        default=SettlementStatus.PREPARED,
    )

    class Meta:
        verbose_name = _("年度清算")
        verbose_name_plural = _("年度清算")
        ordering = ["-year", "contract"]
        constraints = [
            *MakerChecker.Meta.constraints,
            models.UniqueConstraint(
                fields=["contract", "year"], name="contracts_settlement_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year} 年度清算"


class SettlementLine(models.Model):
    """One figure of the statement: label, amount (or percent), and where it came from."""

    settlement = models.ForeignKey(
        YearEndSettlement, on_delete=models.CASCADE, related_name="lines"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("代码"), max_length=32)
    label = models.CharField(_("项目"), max_length=128)
    amount = MoneyField(_("金额/比例"))
    source = models.CharField(_("来源/计算"), max_length=255)

    class Meta:
        verbose_name = _("清算明细")
        verbose_name_plural = _("清算明细")
        ordering = ["settlement", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "code"], name="contracts_settlement_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"
