"""How long a settlement batch's file is kept.

The uploaded file holds the insured's settlements (person numbers, diagnoses, amounts): it is
sealed at rest from the moment it is received (`audit.file_crypto`), and once its batch is
applied or rejected it is kept `MEDSUPP_BATCH_FILE_RETENTION_DAYS` more (to answer the
insurer's questions about it) and then deleted. The batch row, its figures, the records and the
audit entry with the file's SHA-256 remain: the checksum still proves which file it was.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from audit import events
from audit.choices import AuditAction
from claims.choices import BatchStatus
from claims.settlements.models import SettlementBatch


def batch_files_expired(now=None):
    """Batches whose file has outlived its retention."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MEDSUPP_BATCH_FILE_RETENTION_DAYS)
    done = Q(status=BatchStatus.APPLIED, applied_at__lte=cutoff) | Q(
        status=BatchStatus.REJECTED, validated_at__lte=cutoff
    )
    return SettlementBatch.objects.filter(done).exclude(file="")


def batch_files_purge(*, now=None) -> int:
    """Delete the files past their retention; one audit entry per file. Idempotent."""
    purged = 0
    for batch in batch_files_expired(now).iterator():
        name = batch.file.name
        batch.file.storage.delete(name)
        SettlementBatch.objects.filter(pk=batch.pk).update(file="")
        events.record(
            action=AuditAction.DELETE,
            obj=batch,
            summary=f"结算数据文件保存期满，已删除：{batch.filename}",
            extra={
                "sha256": batch.sha256,
                "retention_days": settings.MEDSUPP_BATCH_FILE_RETENTION_DAYS,
            },
        )
        purged += 1
    return purged
