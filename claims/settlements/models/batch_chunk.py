"""One chunk of a batch's compute step: a range of the batch's people, computed by any ingest
worker as one task (claims.tasks.compute_chunk), all of it or nothing in one transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("待计算")
    DONE = "done", _("已完成")


class BatchChunk(models.Model):
    """The people of `batch` whose ids lie in [first_person_id, last_person_id]. A task locks
    its row, computes the people and marks it done in the same transaction: a retried or
    doubled task finds it done and does nothing, a lost one left it pending."""

    batch = models.ForeignKey(
        "claims.SettlementBatch",
        verbose_name=_("批次"),
        on_delete=models.CASCADE,
        related_name="chunks",
    )
    index = models.PositiveIntegerField(_("序号"))
    first_person_id = models.BigIntegerField(_("首位参保人 ID"))
    last_person_id = models.BigIntegerField(_("末位参保人 ID"))
    people = models.PositiveIntegerField(_("人数"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ChunkStatus.choices, default=ChunkStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    compensations = models.PositiveIntegerField(_("新增赔付"), default=0)
    adjustments = models.PositiveIntegerField(_("赔付调整"), default=0)
    # the worker of the last try: the one computing it while pending, the one that did it when done
    worker = models.CharField(_("计算进程"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批次计算分块")
        verbose_name_plural = _("批次计算分块")
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="batchchunk_batch_index_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.index}"
