"""The dashboard's small summary: per contract, region and settlement month, how many
settlements and what the engine says is owed. Refreshed by the compute step and the nightly
job (claims/settlements/services/month_figures.py), never summed from the records on a page view."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from insurance.fields import MoneyField


class MonthFigure(models.Model):
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.CASCADE, related_name="+"
    )
    # the people's region: a county clerk's dashboard sums only his region's rows
    region = models.ForeignKey(
        "insurance.Region", verbose_name=_("参保统筹区"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("月份"), help_text=_("结算月份的第一天"))
    settlements = models.PositiveIntegerField(_("结算笔数"), default=0)
    owed = MoneyField(_("应赔付金额"), default=0)
    refreshed_at = models.DateTimeField(_("汇总时间"))

    class Meta:
        verbose_name = _("月度赔付汇总")
        verbose_name_plural = _("月度赔付汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "month", "region"], name="claims_month_figure_uniq"
            )
        ]
        indexes = [models.Index(fields=["month"], name="claims_month_figure_month_idx")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.month:%Y-%m}"
