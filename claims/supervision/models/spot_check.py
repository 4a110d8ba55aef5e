"""Spot checks (抽查, R-SUP-1, R-CLM-4): planned checks of the insurer's work, their findings and
the follow-up actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.choices import ActionStatus, FindingSeverity, SpotCheckKind, SpotCheckStatus

# Points per finding for the evaluation indicator "spot-check findings" (docs).
SEVERITY_POINTS = {
    FindingSeverity.MINOR: 1,
    FindingSeverity.MAJOR: 3,
    FindingSeverity.CRITICAL: 10,
}


class SpotCheck(models.Model):
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("抽查类型"), max_length=16, choices=SpotCheckKind.choices)
    subject = models.CharField(_("抽查对象/范围"), max_length=255)
    planned_on = models.DateField(_("计划日期"))
    performed_on = models.DateField(_("实施日期"), null=True, blank=True)
    inspectors = models.CharField(_("检查人员"), max_length=255, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SpotCheckStatus.choices, default=SpotCheckStatus.PLANNED
    )
    summary = models.TextField(_("检查情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")
        ordering = ["-planned_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned_on}（{self.subject}）"


class SpotCheckFinding(models.Model):
    spot_check = models.ForeignKey(
        SpotCheck, verbose_name=_("抽查"), on_delete=models.CASCADE, related_name="findings"
    )
    severity = models.CharField(_("严重程度"), max_length=10, choices=FindingSeverity.choices)
    description = models.TextField(_("发现的问题"))

    class Meta:
        verbose_name = _("抽查发现问题")
        verbose_name_plural = _("抽查发现问题")
        ordering = ["spot_check", "id"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}：{self.description[:30]}"


class FollowUpAction(models.Model):
    finding = models.ForeignKey(
        SpotCheckFinding, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="actions"
    )
    action = models.TextField(_("整改措施"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action[:40]
