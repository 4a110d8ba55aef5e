from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insurance.choices import ImportJobStatus, ImportTarget


class ImportJob(models.Model):
    """A large people/enrollment import running in the background, with its progress and errors."""

    target = models.CharField(_("导入对象"), max_length=16, choices=ImportTarget.choices)
    file = models.FileField(_("文件"), upload_to="insurance/imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    file_format = models.CharField(_("格式"), max_length=8)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.PENDING
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_rows = models.PositiveIntegerField(_("新增行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Set when the job starts and at each chunk: a running job silent for longer than
    # MEDSUPP_IMPORT_JOB_STALE_MINUTES died with its worker and is marked failed.
    progress_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台导入任务")
        verbose_name_plural = _("后台导入任务")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def percent(self) -> int:
        return int(self.processed * 100 / self.total) if self.total else 0
