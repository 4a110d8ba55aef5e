"""The fund ledger (资金台账): every movement of a contract year's money, double-entry.

A movement moves an amount of one funding source (`fund`) from one account to another: one
`out` entry and one `in` entry with the same `movement` id. So, per fund, contract and year,
the balances of all accounts add up to zero, and each account's balance is the sum of its
movements. Rows are never changed or deleted (the admin is read-only).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.choices import LedgerAccount, LedgerDirection, LedgerKind
from insurance.choices import FundingSource
from insurance.fields import MoneyField


class LedgerEntry(models.Model):
    movement = models.UUIDField(_("资金变动号"), default=uuid.uuid4, db_index=True)
    fund = models.CharField(_("资金来源"), max_length=32, choices=FundingSource.choices, blank=True)
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    account = models.CharField(_("账户"), max_length=16, choices=LedgerAccount.choices)
    kind = models.CharField(_("业务类型"), max_length=24, choices=LedgerKind.choices)
    direction = models.CharField(_("方向"), max_length=4, choices=LedgerDirection.choices)
    amount = MoneyField(_("金额"))
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("来源单据类型"), on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("来源单据"))
    source = GenericForeignKey("source_type", "source_id")
    posted_on = models.DateField(_("记账日期"))
    posted_at = models.DateTimeField(_("入账时间"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    memo = models.CharField(_("摘要"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("资金台账")
        verbose_name_plural = _("资金台账")
        ordering = ["-posted_at", "-id"]
        indexes = [
            models.Index(fields=["contract", "year", "fund"], name="contracts_ledger_cyf"),
            models.Index(fields=["source_type", "source_id"], name="contracts_ledger_src"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contracts_ledger_positive"),
            # one posting of a kind per source document, account and fund: reposting is harmless
            models.UniqueConstraint(
                fields=["source_type", "source_id", "kind", "account", "direction", "fund"],
                name="contracts_ledger_once",
            ),
        ]

    def __str__(self) -> str:
        sign = "+" if self.direction == LedgerDirection.IN else "−"
        return f"{self.get_account_display()} {sign}{self.amount}"
