"""The insurer's changes feed (`GET /api/v1/changes/?after=`): one row per thing an insurer
wants to know about without polling each list, written by the service that made the change in
the same transaction (`claims.settlements.services.changes.change_record`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.choices import ChangeKind


class Change(models.Model):
    insurer = models.ForeignKey(
        "contracts.Insurer", verbose_name=_("保险机构"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("变化"), max_length=32, choices=ChangeKind.choices)
    object_id = models.BigIntegerField(_("对象ID"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口变化通知")
        verbose_name_plural = _("接口变化通知")
        ordering = ["id"]
        indexes = [models.Index(fields=["insurer", "id"], name="claims_change_feed_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id}"
