"""Reminders made by the daily job; unique per (kind, object, due date) so reruns add nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.choices import ReminderKind, ReminderStatus


class Reminder(models.Model):
    kind = models.CharField(_("类型"), max_length=24, choices=ReminderKind.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("对象ID"))
    target = GenericForeignKey("content_type", "object_id")
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("合同"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    due_on = models.DateField(_("到期日"))
    message = models.CharField(_("内容"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.OPEN
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["status", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "due_on"],
                name="contracts_reminder_unique",
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="contracts_reminder_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}: {self.message}"
