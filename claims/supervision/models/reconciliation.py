"""Reconciliation: per settlement, what the engine says was owed against what the insurer paid."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.choices import DISCREPANCIES, Outcome, PaidField
from insurance.fields import MoneyField


class SupervisionConfig(models.Model):
    """Per-contract settings of claims supervision. A contract without a row uses the defaults
    (`claims.supervision.services.reconciliation.config_for`). Which field carries the insurer's
    payment is
    not set here: the plan declares it (`own_payment_field`, docs/plans.md)."""

    contract = models.OneToOneField(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    tolerance = MoneyField(
        _("对账容差（元）"), default=Decimal("0.01"), validators=[MinValueValidator(0)]
    )
    sample_size = models.PositiveIntegerField(_("复核随机抽样数"), default=20)
    review_threshold = MoneyField(
        _("大额必审金额（元）"),
        default=Decimal("50000.00"),
        help_text=_("保险机构支付金额达到此数的结算全部纳入复核"),
    )
    outlier_factor = models.DecimalField(
        _("费用异常倍数"), max_digits=5, decimal_places=2, default=Decimal("3.00")
    )
    outlier_min_group = models.PositiveIntegerField(_("费用异常比较的最少同类结算数"), default=5)

    class Meta:
        verbose_name = _("赔付监管参数")
        verbose_name_plural = _("赔付监管参数")

    def __str__(self) -> str:
        return str(self.contract)


class ReconciliationResult(models.Model):
    """One settlement reconciled: recomputed (never edited by hand) when its data changes."""

    # No database constraints on record, contract and insurer: PostgreSQL checks each at commit
    # (a deferred trigger per row and key, locking the referenced record: 2.3 s of a 6 s first
    # night at 177,710 rows). The upsert writes only rows it has just read joined to their
    # record, batch and contract; records are never deleted (SettlementRecord's delete guard,
    # through their compensation), contracts and insurers are kept by their batches' keys.
    record = models.OneToOneField(
        "claims.SettlementRecord",
        verbose_name=_("结算记录"),
        on_delete=models.CASCADE,
        related_name="reconciliation",
        db_constraint=False,  # records are partitioned by year: see docs/scaling.md "Partitions"
    )
    # No single-column indexes on contract and insurer: the composite indexes below lead with
    # them, and every index costs each row the reconciliation upserts.
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    insurer = models.ForeignKey(
        "contracts.Insurer",
        verbose_name=_("保险机构"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period = models.DateField(_("月份"), help_text=_("结算月份的第一天"))
    paid_field = models.CharField(
        _("赔付字段"),
        max_length=16,
        choices=PaidField.choices,
        help_text=_("方案声明的本方案支付所在字段（own_payment_field）"),
    )
    expected = MoneyField(_("应赔付（引擎）"))
    paid = MoneyField(_("保险机构已付"))
    difference = MoneyField(_("差额（已付−应付）"))
    outcome = models.CharField(_("对账结果"), max_length=16, choices=Outcome.choices)
    computed_at = models.DateTimeField(_("对账时间"))

    class Meta:
        verbose_name = _("对账结果")
        verbose_name_plural = _("对账结果")
        ordering = ["-period", "-id"]
        # One result per record, as the one-to-one field says; this key also holds the table's
        # partition key (period) on PostgreSQL, and the upsert names it (ON CONFLICT).
        constraints = [
            models.UniqueConstraint(fields=["record", "period"], name="claims_recon_record_uniq")
        ]
        indexes = [
            models.Index(fields=["contract", "period", "outcome"], name="claims_recon_period_idx"),
            models.Index(fields=["insurer", "period"], name="claims_recon_insurer_idx"),
            # the admin list's order (-period, -id): read backwards, a page without a sort
            models.Index(fields=["period", "id"], name="claims_recon_list_idx"),
            # the dashboard's count of the year's discrepancies (a few in a hundred results):
            # only those rows, so the count never reads the matched ones
            models.Index(
                fields=["period", "outcome"],
                condition=models.Q(outcome__in=sorted(DISCREPANCIES)),
                name="claims_recon_discrepancy_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.get_outcome_display()} {self.difference}"
