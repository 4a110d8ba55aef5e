from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.choices import CompensationStatus
from insurance.fields import MoneyField


class Compensation(models.Model):
    """What the supplementary cover owed on a settlement when it was first computed, and why.

    Written once. When later data changes what a settlement is owed (a late record, a reversal),
    the difference is a `CompensationAdjustment`; this row is never rewritten.
    """

    # No database constraint: PostgreSQL would check each row's record at commit (a deferred
    # trigger per compensation, a third of a second per 50,000). The compute step writes only
    # for records it has just read, and records are never deleted (the admin refuses it, no
    # code does it, on_delete=PROTECT). The unique index stays: one compensation per record.
    record = models.OneToOneField(
        "claims.SettlementRecord",
        verbose_name=_("结算记录"),
        on_delete=models.PROTECT,
        related_name="compensation",
        db_constraint=False,
    )
    # One batch for every row a compute chunk writes: checked by the job, not per row (see
    # SettlementRecord.batch).
    batch = models.ForeignKey(
        "claims.SettlementBatch",
        verbose_name=_("计算批次"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    plan_code = models.CharField(_("待遇方案"), max_length=64, blank=True)
    plan_version = models.PositiveIntegerField(_("方案版本"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=CompensationStatus.choices)
    reason = models.CharField(_("原因"), max_length=64, blank=True)
    lines = models.JSONField(_("分项金额"), default=dict)
    total = MoneyField(_("应赔付金额"))
    # Bulk runs store the engine's trace and leave `steps` empty: the steps are rebuilt from
    # trace + record + plan version on display (insurance/engine/trace.py). Short results
    # (ineligible, reversal) and single computations keep their steps here.
    steps = models.JSONField(_("计算过程"), default=list)
    trace = models.JSONField(_("计算轨迹"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    # The record's settlement year in the bureau's time zone: the key of the table's yearly
    # partitions on PostgreSQL (docs/scaling.md "Partitions"), copied when the row is written.
    year = models.PositiveSmallIntegerField(_("结算年度"), editable=False)

    class Meta:
        verbose_name = _("应赔付计算")
        verbose_name_plural = _("应赔付计算")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.total}"

    def save(self, *args, **kwargs):
        if self.year is None:  # written one by one (the bulk compute sets it)
            self.year = timezone.localtime(self.record.setl_time).year
        super().save(*args, **kwargs)


class CompensationAdjustment(models.Model):
    """A change to what an already computed settlement is owed (late record, reversal)."""

    record = models.ForeignKey(
        "claims.SettlementRecord",
        verbose_name=_("结算记录"),
        on_delete=models.PROTECT,
        related_name="adjustments",
        db_constraint=False,  # records are partitioned by year: see docs/scaling.md "Partitions"
    )
    batch = models.ForeignKey(
        "claims.SettlementBatch",
        verbose_name=_("引起调整的批次"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=20)
    lines = models.JSONField(_("分项调整"), default=dict)
    total = MoneyField(_("调整金额"))
    paid_before = MoneyField(_("调整前金额"))
    new_total = MoneyField(_("调整后金额"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("赔付调整")
        verbose_name_plural = _("赔付调整")
        ordering = ["-id"]
        constraints = [
            # One adjustment per record per batch: reprocessing a batch cannot double it.
            models.UniqueConstraint(fields=["record", "batch"], name="claims_adjustment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.total:+}"
