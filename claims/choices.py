from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    VALIDATING = "validating", _("校验中")
    REJECTED = "rejected", _("已退回")
    VALIDATED = "validated", _("校验通过")
    APPLIED = "applied", _("已入库")
    # Processing stopped on an unexpected error: nothing of the batch is kept; it can be
    # processed again (runbook).
    FAILED = "failed", _("处理失败")


class BatchSource(models.TextChoices):
    ADMIN = "admin", _("管理后台上传")
    API = "api", _("接口上传")
    COMMAND = "command", _("命令行导入")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSONL = "jsonl", _("JSON 行")
