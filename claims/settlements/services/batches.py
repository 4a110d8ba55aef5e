"""Receiving and processing settlement batches: all or nothing, and never twice.

batch_receive  stores the file, recognises a re-sent file or Idempotency-Key, queues processing.
batch_process  parse -> stage -> set checks -> (rejected | apply in one transaction -> compute
               in chunk tasks on the `ingest` queue, claims/settlements/services/compute.py).
Processing is idempotent: it locks the batch row and only moves forward from the state it finds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.file_crypto import plain_copy, seal_stream
from claims.choices import BatchSource, BatchStatus, ChangeKind
from claims.settlements.ingest import fastcsv
from claims.settlements.ingest.checks import check_batch, tie_reversals
from claims.settlements.ingest.errors import FileRejected
from claims.settlements.ingest.readers import (
    detect_encoding,
    detect_format,
    normalise_encoding,
    open_rows,
    read_csv_header,
)
from claims.settlements.ingest.rows import ParseStats, RowParser
from claims.settlements.ingest.stage import (
    STAGE_FIELDS,
    analyze,
    stage_clear,
    stage_rows,
    stage_tuple,
)
from claims.settlements.models import SettlementBatch, SettlementRecord, SettlementStage
from claims.settlements.services.changes import change_record
from claims.settlements.services.code_mappings import codebook_for
from claims.settlements.services.compute import batch_compute
from claims.settlements.services.partitions import partitions_analyze
from contracts.selectors import contract_for_user, insurer_of
from insurance.models import Person
from insurance.models.person import PERSON_DELETE_LOCK

logger = logging.getLogger(__name__)
PREVIEW_ERRORS = 200
# The columns the set checks and the compute step filter or join on (see analyze() and
# partitions_analyze()).
STAGE_CHECKED = ("batch_id", "psn_no", "setl_id", "init_setl_id", "refd_setl_flag", "service_date")
RECORD_QUERIED = ("batch_id", "person_id", "contract_id", "setl_id", "setl_time")
# pg_advisory_xact_lock(APPLY_LOCK, contract id): one apply of a contract at a time (PostgreSQL)
APPLY_LOCK = 24_000_024
# A batch in these states may be (re)started: new, left half-way by a crash, or failed.
RESTARTABLE = (BatchStatus.RECEIVED, BatchStatus.VALIDATING, BatchStatus.FAILED)
# Seams: stage_rows and check_batch are called through this module's names, which the
# fault-injection tests replace (tests/claims/test_ingest_safety.py), as is fastcsv.enabled.


@dataclass(frozen=True)
class Received:
    batch: SettlementBatch
    duplicate: bool  # the same file or Idempotency-Key was already received


class IdempotencyConflict(Exception):
    """The Idempotency-Key was first used for another upload (file, contract or stated
    encoding): `batch` is that upload's batch."""

    def __init__(self, batch: SettlementBatch):
        super().__init__(
            _(
                "幂等键已用于另一次上传（批次 #%(id)s：文件、合同或指定编码不同）："
                "请为新的上传使用新的键。"
            )
            % {"id": batch.pk}
        )
        self.batch = batch


def _max_bytes() -> int:
    return settings.MEDSUPP_MAX_UPLOAD_MB * 1024 * 1024


def _sha256(fileobj) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def _sealed(fileobj) -> File:
    """The upload encrypted for storage (`audit.file_crypto`): the file holds personal and
    medical data and stays in media until its retention ends (`batch_files_purge`)."""
    sealed = tempfile.TemporaryFile()  # noqa: SIM115 - Django's storage reads and the GC closes it
    fileobj.seek(0)
    seal_stream(fileobj, sealed)
    sealed.seek(0)
    return File(sealed)


def _check_actor_may_upload(actor, contract) -> None:
    if actor is None:  # the command line: bureau IT on the server
        return
    if not contract_for_user(actor).filter(pk=contract.pk).exists():
        raise PermissionDenied(_("您无权为该合同上传结算数据。"))
    if not actor.has_perm("claims.add_settlementbatch"):
        raise PermissionDenied(_("您没有上传结算数据的权限。"))


def _uploading_insurer(actor, contract):
    """The insurer a batch belongs to: the uploader's own, or the contract's lead for staff."""
    own = insurer_of(actor) if actor is not None else None
    return own or contract.lead_insurer


def batch_receive(
    *,
    contract,
    fileobj,
    filename: str,
    actor=None,
    source: str = BatchSource.ADMIN,
    idempotency_key: str | None = None,
    encoding: str = "",
    queue: bool = True,
) -> Received:
    """Store an upload as a new batch, or return the batch it repeats.

    Processing is queued on commit unless `queue` is false (the caller then runs batch_process).
    """
    _check_actor_may_upload(actor, contract)
    digest, size = _sha256(fileobj)
    if size == 0:
        raise ValidationError(_("文件为空。"))
    if size > _max_bytes():
        raise ValidationError(
            _("文件大小 %(mb).1f MB 超过上限 %(max)d MB。")
            % {"mb": size / 1024 / 1024, "max": _max_bytes() // 1024 // 1024}
        )
    insurer = _uploading_insurer(actor, contract)
    encoding = encoding.strip().lower()
    existing = batch_received_before(insurer, contract, digest, idempotency_key, encoding)
    if existing is not None:
        return Received(existing, duplicate=True)
    batch = SettlementBatch(
        contract=contract,
        insurer=insurer,
        source=source,
        uploaded_by=actor,
        filename=Path(filename).name[:255],
        file_size=size,
        sha256=digest,
        idempotency_key=idempotency_key or None,
        encoding_override=encoding,
    )
    try:
        with transaction.atomic():
            batch.file.save(digest[:16] + ".sealed", _sealed(fileobj), save=False)
            batch.save()
            events.record(
                action="create",
                actor=actor,
                obj=batch,
                summary=f"接收结算数据文件 {batch.filename}",
                changes={
                    "before": {},
                    "after": {
                        "contract_id": batch.contract_id,
                        "insurer_id": batch.insurer_id,
                        "status": batch.status,
                        "filename": batch.filename,
                        "file_size": size,
                        "sha256": digest,
                        "encoding_override": encoding,
                    },
                },
                extra={"sha256": digest, "size": size, "source": source},
            )
            if queue:
                transaction.on_commit(lambda: batch_queue(batch.pk))
    except BaseException as exc:
        if batch.file.name:  # the row was not kept: neither is its file
            batch.file.storage.delete(batch.file.name)
        if not isinstance(exc, IntegrityError):
            raise
        # A concurrent upload of the same file or key won the race: answer with its batch.
        existing = batch_received_before(insurer, contract, digest, idempotency_key, encoding)
        if existing is None:
            raise
        return Received(existing, duplicate=True)
    return Received(batch, duplicate=False)


# Seam: tests wrap this to make two uploads race between the look-up and the save.
def batch_received_before(
    insurer, contract, digest: str, key: str | None, encoding: str
) -> SettlementBatch | None:
    """The batch this upload repeats: the same file for the same contract with the same stated
    encoding (a re-send stating another encoding is read anew), or the same key for all of
    these; raises IdempotencyConflict when the key was first used for another upload."""
    if key:
        keyed = SettlementBatch.objects.filter(insurer=insurer, idempotency_key=key).first()
        if keyed is not None:
            same = (keyed.sha256, keyed.contract_id, keyed.encoding_override)
            if same != (digest, contract.pk, encoding):
                raise IdempotencyConflict(keyed)
            return keyed
    return SettlementBatch.objects.filter(
        insurer=insurer, contract=contract, sha256=digest, encoding_override=encoding
    ).first()


# Seam: tests replace this to receive a batch without processing it.
def batch_queue(batch_id: int) -> None:
    """Queue the processing of a received batch (called once the receipt commits)."""
    from claims.settlements.tasks import process_batch

    process_batch.delay(batch_id)


def batch_errors(batch: SettlementBatch) -> list[dict]:
    """Every recorded error of a batch (the preview when no report file was written)."""
    if not batch.error_report:
        return list(batch.errors_preview)
    with batch.error_report.open("rb") as fh:
        return json.loads(fh.read().decode())


def _update(batch_id: int, **fields) -> None:
    SettlementBatch.objects.filter(pk=batch_id).update(**fields)


def _start(batch_id: int) -> SettlementBatch | None:
    """Claim the batch for processing; None when another run already moved it on."""
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in RESTARTABLE:
            return None
        batch.status = BatchStatus.VALIDATING
        batch.stage = "parse"
        batch.file_problem = ""
        batch.save(update_fields=["status", "stage", "file_problem"])
    stage_clear(batch_id)  # leftovers of a crashed earlier run
    return batch


def _fail(batch_id: int, exc: BaseException) -> None:
    """Processing stopped before the apply committed: nothing of the batch is kept, and it is
    marked failed (not left validating), to be processed again once the cause is mended."""
    stage_clear(batch_id)
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.VALIDATING:
            return  # applied (a compute failure is resumed), or rejected
        batch.status = BatchStatus.FAILED
        batch.stage = ""
        batch.file_problem = (
            f"处理出错，未入库任何数据，可重新处理 / processing failed, nothing was stored, "
            f"it can be processed again: {type(exc).__name__}: {exc}"
        )[:500]
        batch.save(update_fields=["status", "stage", "file_problem"])
        events.batch(
            actor=None,
            obj=batch,
            summary="结算数据批次处理失败，未入库",
            checksum=batch.sha256,
            count=0,
            extra={"status": "failed", "error": type(exc).__name__},
        )


def _reject(batch: SettlementBatch, *, errors: list[dict], error_count: int, problem: str = ""):
    # The full list (up to the parser's cap) is kept as JSON; CSV and XLSX are made on download.
    report = json.dumps(errors, ensure_ascii=False).encode() if errors else b""
    with transaction.atomic():
        batch.status = BatchStatus.REJECTED
        batch.stage = ""
        batch.errors_preview = errors[:PREVIEW_ERRORS]
        batch.error_count = error_count
        batch.file_problem = problem[:500]
        batch.validated_at = timezone.now()
        if report:
            batch.error_report.save(
                f"batch-{batch.pk}-errors.json", ContentFile(report), save=False
            )
        batch.save()
        events.batch(
            actor=batch.uploaded_by,
            obj=batch,
            summary=f"结算数据批次被退回：{error_count} 处错误",
            checksum=batch.sha256,
            count=batch.rows_total,
            extra={"status": "rejected"},
        )
        change_record(
            kind=ChangeKind.BATCH_REJECTED, obj=batch, insurer_id=batch.insurer_id,
            contract_id=batch.contract_id,
        )  # fmt: skip
    stage_clear(batch.pk)


def _parse_and_stage(batch: SettlementBatch) -> ParseStats:
    """Read the file into the staging table: a plain CSV file on PostgreSQL by the fast path
    (fastcsv.py), anything else (or a CSV file that turns out not to be plain) by the general
    path (rows.py). Refunds without init_setl_id are then tied to their originals."""
    with plain_copy(batch.file, suffix=Path(batch.filename).suffix) as path:
        return _parse_and_stage_plain(batch, path)


def _parse_and_stage_plain(batch: SettlementBatch, path: Path) -> ParseStats:
    batch_id = batch.pk
    codes = codebook_for(contract=batch.contract)

    def progress(done: int) -> None:
        _update(batch_id, rows_processed=done)

    stats = None
    encoding = batch.encoding_override
    if fastcsv.enabled() and detect_format(path, batch.filename) == "csv":
        encoding = normalise_encoding(encoding) if encoding else detect_encoding(path)
        header = read_csv_header(path, encoding)
        _update(batch_id, file_format="csv", encoding=encoding)
        stats = fastcsv.stage_plain_csv(
            batch_id=batch_id,
            path=path,
            header=header,
            encoding=encoding,
            codes=codes,
            on_progress=progress,
        )
    if stats is None:
        # The encoding the fast path found, if it ran: the whole file is not read twice for it.
        file_format, encoding, header, rows = open_rows(
            path, filename=batch.filename, encoding=encoding
        )
        _update(batch_id, file_format=file_format, encoding=encoding)
        parser = RowParser(header, codes=codes)
        tuples = (stage_tuple(batch_id, n, record) for n, record in parser.parse(rows))
        stage_rows(tuples, on_chunk=progress)
        stats = parser.stats
    _update(batch_id, ignored_columns=stats.ignored)
    if not stats.rows:
        raise FileRejected("empty", "文件只有表头，没有数据行", "the file has a header but no rows")
    if stats.reversals:
        untied = tie_reversals(batch_id=batch_id, contract_id=batch.contract_id)
        stats.errors.extend(untied)
        stats.bad += len(untied)
        stats.good -= len(untied)
    # The checks and the apply read the whole batch: its size and spread are all they need.
    analyze(SettlementStage, STAGE_CHECKED, sample_target=10)
    return stats


def _apply(batch: SettlementBatch) -> int:
    """Move the staged rows into the records table in one statement, inside one transaction."""
    record_table = SettlementRecord._meta.db_table
    stage_table = SettlementStage._meta.db_table
    person_table = Person._meta.db_table
    copied = [f for f in STAGE_FIELDS if f not in ("batch_id", "service_date")]
    columns = ", ".join(copied)
    selected = ", ".join(f"s.{f}" for f in copied)
    if connection.vendor == "postgresql":  # the id each row drew as it was staged
        columns = f"id, {columns}"
        selected = f"s.record_id, {selected}"
    # Only our own table and column names are interpolated; values go as parameters.
    sql = (
        f"INSERT INTO {record_table} (batch_id, contract_id, person_id, {columns}) "  # noqa: S608
        f"SELECT s.batch_id, %s, p.id, {selected} FROM {stage_table} s "
        f"JOIN {person_table} p ON p.psn_no = s.psn_no WHERE s.batch_id = %s"
    )
    with connection.cursor() as cursor:
        _lock_people(cursor)
        cursor.execute(sql, [batch.contract_id, batch.pk])
        return cursor.rowcount


def _lock_people(cursor) -> None:
    """What the person foreign key's per-row check did, once for the batch: no person can be
    deleted until the apply commits. The apply holds the shared side of PERSON_DELETE_LOCK; a
    DELETE of a person takes it exclusively first (its delete guard, audit.triggers.delete_guard),
    so it waits for the apply and is then refused for a person the batch refers to. One lock, not
    a row lock on each of the batch's people: those wrote each person's page to the WAL (a 200,000
    row batch at city scale: 290 MB of its 800 MB)."""
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time: nothing can delete a person meanwhile
    cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [PERSON_DELETE_LOCK])


def batch_process(*, batch_id: int) -> SettlementBatch:
    """Run the pipeline for a batch. Safe to call again: it resumes or does nothing. An error
    before the apply commits leaves the batch failed, with nothing staged or stored; the error
    is raised again for the caller's log."""
    batch = _start(batch_id)
    if batch is None:
        batch = SettlementBatch.objects.get(pk=batch_id)
        if batch.status == BatchStatus.APPLIED and batch.computed_at is None:
            batch_compute(batch_id=batch_id)  # chunks lost or never queued: queue them again
            batch.refresh_from_db()
        return batch
    try:
        return _validate_and_apply(batch)
    except BaseException as exc:
        logger.exception("batch %s: processing failed", batch_id)
        _fail(batch_id, exc)
        raise


def batches_resume() -> int:
    """Queue again the pending chunks of applied batches whose compute has not finished
    MEDSUPP_BATCH_RESUME_MINUTES after their apply: a chunk whose task failed (a bug, a database
    restart) is acknowledged and would otherwise wait for someone to process the batch again.
    Safe beside chunks still running: a chunk is idempotent under its row lock. Returns how
    many batches were resumed."""
    cutoff = timezone.now() - timedelta(minutes=settings.MEDSUPP_BATCH_RESUME_MINUTES)
    stuck = list(
        SettlementBatch.objects.filter(
            status=BatchStatus.APPLIED, computed_at__isnull=True, applied_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for batch_id in stuck:
        logger.warning("batch %s: compute not finished, pending chunks queued again", batch_id)
        batch_compute(batch_id=batch_id)
    return len(stuck)


def _validate_and_apply(batch: SettlementBatch) -> SettlementBatch:
    batch_id = batch.pk
    started = time.monotonic()
    try:
        stats = _parse_and_stage(batch)
    except FileRejected as exc:
        problem = f"{exc.code}: {exc.message_zh} / {exc.message_en}"
        _reject(batch, errors=[], error_count=1, problem=problem)
        return SettlementBatch.objects.get(pk=batch_id)
    batch.refresh_from_db()
    batch.rows_total = stats.rows
    batch.rows_good = stats.good
    batch.rows_bad = stats.bad
    batch.reversals = stats.reversals
    batch.rows_processed = stats.rows
    batch.stage = "check"
    batch.save(
        update_fields=[
            "rows_total",
            "rows_good",
            "rows_bad",
            "reversals",
            "rows_processed",
            "stage",
        ]
    )
    applied_before = _applied_count(batch.contract_id)  # before the checks read the records
    rejected = _check_or_reject(batch, stats, started)
    if rejected is not None:
        return rejected
    try:
        applied = _apply_batch(batch, applied_before=applied_before)
    except IntegrityError:
        # Another batch of the contract stored some of these settlement ids meanwhile: the
        # checks, run again, name them.
        rejected = _check_or_reject(batch, stats, started)
        if rejected is None:
            raise
        return rejected
    if applied.status == BatchStatus.APPLIED:
        batch_compute(batch_id=batch_id)
        applied.refresh_from_db()
    return applied


def _check_or_reject(batch: SettlementBatch, stats, started: float) -> SettlementBatch | None:
    """The set checks; the rejected batch when a row failed them or the parse, else None."""
    errors = [e.as_dict() for e in stats.errors]
    counts, db_errors = check_batch(
        batch_id=batch.pk,
        contract_id=batch.contract_id,
        scheme_id=batch.contract.scheme_id,
        reversals=stats.reversals > 0,
    )
    errors.extend(e.as_dict() for e in db_errors)
    errors.sort(key=lambda e: (e["row"], e["column"]))
    batch.seconds_parse = time.monotonic() - started
    batch.unknown_persons = counts.get("unknown_person", 0)
    batch.save(update_fields=["seconds_parse", "unknown_persons"])
    if not errors:
        return None
    bad_rows = stats.bad + sum(counts.values())
    _reject(batch, errors=errors, error_count=len(stats.errors) + sum(counts.values()))
    _update(batch.pk, rows_bad=min(stats.rows, bad_rows), rows_good=max(0, stats.rows - bad_rows))
    return SettlementBatch.objects.get(pk=batch.pk)


def _applied_count(contract_id: int) -> int:
    return SettlementBatch.objects.filter(
        contract_id=contract_id, status=BatchStatus.APPLIED
    ).count()


def _stored_meanwhile(batch: SettlementBatch, applied_before: int) -> None:
    """On PostgreSQL the records' unique key holds their partition key (setl_time): it no
    longer refuses a settlement id the contract stored at another time. So the applies of a
    contract take turns, and when another batch of the contract was applied since this one's
    checks, its settlement ids are looked up again; a duplicate raises IntegrityError, as the
    unique key did (the checks, run again, then name it). SQLite keeps the plain unique key."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [APPLY_LOCK, batch.contract_id])
    if _applied_count(batch.contract_id) == applied_before:
        return
    stored = SettlementRecord.objects.filter(
        contract_id=batch.contract_id, setl_id=OuterRef("setl_id")
    )
    if SettlementStage.objects.filter(batch_id=batch.pk).filter(Exists(stored)).exists():
        raise IntegrityError(f"batch {batch.pk}: a settlement id was stored meanwhile")


def _apply_batch(batch: SettlementBatch, *, applied_before: int) -> SettlementBatch:
    """Insert the staged rows as records in one transaction."""
    started = time.monotonic()
    with transaction.atomic():
        locked = SettlementBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.VALIDATING:
            return locked
        _stored_meanwhile(locked, applied_before)
        inserted = _apply(locked)
        if inserted != locked.rows_good:
            # A person vanished between check and apply: refuse rather than half-apply.
            raise RuntimeError(f"batch {locked.pk}: applied {inserted} of {locked.rows_good} rows")
        now = timezone.now()
        locked.status = BatchStatus.APPLIED
        locked.stage = ""
        locked.validated_at = locked.validated_at or now
        locked.applied_at = now
        locked.seconds_apply = time.monotonic() - started
        locked.save()
        events.batch(
            actor=locked.uploaded_by,
            obj=locked,
            summary=f"结算数据批次入库：{inserted} 条",
            checksum=locked.sha256,
            count=inserted,
            extra={"status": "applied", "reversals": locked.reversals},
        )
        change_record(
            kind=ChangeKind.BATCH_APPLIED, obj=locked, insurer_id=locked.insurer_id,
            contract_id=locked.contract_id,
        )  # fmt: skip
    stage_clear(batch.pk)
    partitions_analyze(SettlementRecord, RECORD_QUERIED, batch_id=batch.pk, rows=locked.rows_good)
    return locked
