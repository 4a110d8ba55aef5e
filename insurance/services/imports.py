"""Imports of people and enrollments: in the request for small files, as a background job above
`MEDSUPP_IMPORT_BACKGROUND_MB` (default 5 MB). All or nothing: any bad row and nothing is written;
every bad row is reported as {row, column, message}."""

from __future__ import annotations

from datetime import timedelta

import tablib
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.crypto import DecryptionError, decrypt_bytes, encrypt_bytes
from insurance.choices import ImportJobStatus, ImportTarget
from insurance.importing import dataset_from_bytes, result_errors
from insurance.models import ImportJob

CHUNK_ROWS = 2_000
UNREADABLE = _("上传文件无法解密读取（可能是升级前提交的任务），请重新上传。")
STALE = _(
    "任务中断：超过 %(minutes)d 分钟没有进展（处理进程可能已停止），上传文件已删除，请重新上传。"
)


def background_threshold_bytes() -> int:
    return int(settings.MEDSUPP_IMPORT_BACKGROUND_MB * 1024 * 1024)


def _resource(target: str, actor):
    from insurance.resources import EnrollmentResource, PersonResource

    return {
        ImportTarget.PERSON: PersonResource,
        ImportTarget.ENROLLMENT: EnrollmentResource,
    }[target](user=actor)


def _run(resource, dataset, *, actor, dry_run: bool, file_name: str):
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        file_name=file_name,
        user=actor,
    )


def import_file(*, actor, target: str, data: bytes, file_name: str, dry_run: bool = False):
    """Import a whole file in one transaction. Returns (created rows, errors); errors means
    nothing was written."""
    try:
        dataset = dataset_from_bytes(data, file_name)
    except ValueError as exc:
        return 0, [{"row": None, "column": "", "message": str(exc)}]
    resource = _resource(target, actor)
    result = _run(resource, dataset, actor=actor, dry_run=dry_run, file_name=file_name)
    errors = result_errors(result, resource)
    return (0 if errors else result.totals.get("new", 0)), errors


@transaction.atomic
def import_job_create(*, actor, target: str, upload, request=None) -> ImportJob:
    """Save the upload as a job and queue it once the transaction commits."""
    from insurance.tasks import import_job_run

    name = upload.name
    job = ImportJob(
        target=target,
        original_name=name[:255],
        file_format="xlsx" if name.lower().endswith((".xlsx", ".xlsm")) else "csv",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.seek(0)
    # Encrypted at rest while it waits for the worker; deleted when the job ends (`_finish`).
    job.file.save(name + ".enc", ContentFile(encrypt_bytes(upload.read()).encode()), save=False)
    job.save()
    transaction.on_commit(lambda: import_job_run.delay(job.pk))
    return job


def _claim(job_id: int) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJobStatus.PENDING:
            return None  # done, running elsewhere, or gone: a retried task is harmless
        job.status = ImportJobStatus.RUNNING
        job.progress_at = timezone.now()
        job.save(update_fields=["status", "progress_at"])
        return job


def import_job_process(*, job_id: int) -> str:
    """Validate in chunks (progress visible in the admin), then write everything in one
    transaction. Idempotent: only a pending job is processed."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    actor = job.created_by
    try:
        data = _job_bytes(job)
    except (DecryptionError, ValueError, UnicodeDecodeError):
        return _finish(job, errors=[{"row": None, "column": "", "message": str(UNREADABLE)}])
    try:
        dataset = dataset_from_bytes(data, job.original_name)
    except ValueError as exc:
        return _finish(job, errors=[{"row": None, "column": "", "message": str(exc)}])
    job.total = len(dataset)
    job.save(update_fields=["total"])
    validator = _resource(job.target, actor)
    errors: list[dict] = []
    for start in range(0, len(dataset), CHUNK_ROWS):
        chunk = tablib.Dataset(*dataset[start : start + CHUNK_ROWS], headers=dataset.headers)
        result = _run(validator, chunk, actor=actor, dry_run=True, file_name=job.original_name)
        for error in result_errors(result, validator):
            if error["row"]:
                error["row"] += start
            errors.append(error)
        job.processed = min(start + CHUNK_ROWS, len(dataset))
        job.progress_at = timezone.now()
        job.save(update_fields=["processed", "progress_at"])
    if errors:
        return _finish(job, errors=errors)
    created, errors = import_file(
        actor=actor, target=job.target, data=data, file_name=job.original_name
    )
    return _finish(job, errors=errors, created=created)


def _job_bytes(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return decrypt_bytes(handle.read().decode("ascii"))


def import_jobs_expire(*, now=None) -> int:
    """Running jobs silent for longer than MEDSUPP_IMPORT_JOB_STALE_MINUTES died with their
    worker: each is marked failed, with a message, and its upload deleted. The lock and the
    status re-check leave alone a job that moved on meanwhile. Idempotent."""
    minutes = settings.MEDSUPP_IMPORT_JOB_STALE_MINUTES
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    stale = ImportJob.objects.filter(status=ImportJobStatus.RUNNING, progress_at__lt=cutoff)
    expired = 0
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJobStatus.RUNNING or job.progress_at >= cutoff:
                continue
            message = str(STALE) % {"minutes": minutes}
            _finish(job, errors=[{"row": None, "column": "", "message": message}])
            expired += 1
    return expired


def _finish(job: ImportJob, *, errors: list[dict], created: int = 0) -> str:
    # The upload (ID numbers, names, phones) does not outlive its job.
    if job.file:
        job.file.delete(save=False)
    job.errors = errors[:5000]
    job.created_rows = created
    job.status = ImportJobStatus.FAILED if errors else ImportJobStatus.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "errors", "created_rows", "status", "finished_at"])
    return job.status
