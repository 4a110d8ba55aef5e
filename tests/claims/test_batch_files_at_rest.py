"""Review of issue 19, point 3: a settlement file is sealed at rest from the moment it arrives,
is read through a temporary plain copy that does not outlive the job, and is deleted
MEDSUPP_BATCH_FILE_RETENTION_DAYS after its batch is applied or rejected."""

import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.crypto import DecryptionError
from audit.file_crypto import CHUNK, TEMP_PREFIX, open_stream, seal_stream
from audit.models import AuditEntry
from claims.choices import BatchStatus
from claims.settlements.services.batch_files import batch_files_purge
from claims.settlements.services.batches import batch_receive
from tests.claims.files import settlement_row, write_csv


@pytest.fixture
def send(django_capture_on_commit_callbacks, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"

    def _send(contract, path):
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            received = batch_receive(contract=contract, fileobj=fh, filename=path.name)
        received.batch.refresh_from_db()
        return received.batch

    return _send


def _plain_leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*")}


@pytest.mark.django_db
def test_the_stored_file_is_sealed_and_the_plain_copy_is_gone_after_the_job(
    tmp_path, send, covered_city
):
    before = _plain_leftovers()
    rows = [settlement_row(i, psn_no=f"P{(i % 3) + 1:04d}") for i in range(1, 4)]
    upload = write_csv(tmp_path / "march.csv", rows)
    batch = send(covered_city["contract"], upload)
    assert batch.status == BatchStatus.APPLIED, batch.errors_preview or batch.file_problem
    on_disk = Path(batch.file.path).read_bytes()
    plain = upload.read_bytes()
    for clear in (b"P0002", b"S00000001", b"H15060200001", plain[:40]):
        assert clear not in on_disk
    assert _plain_leftovers() == before
    opened = io.BytesIO()
    open_stream(io.BytesIO(on_disk), opened)
    assert opened.getvalue() == plain


def test_a_sealed_file_detects_a_changed_a_dropped_and_a_cut_chunk(settings):
    plain = bytes(range(256)) * (CHUNK // 256 * 2 + 10)  # three chunks
    sealed = io.BytesIO()
    seal_stream(io.BytesIO(plain), sealed)
    data = sealed.getvalue()
    header_end = data.index(b"\n") + 1
    first_len = int.from_bytes(data[header_end : header_end + 4], "big")
    first_end = header_end + 4 + first_len
    changed = bytearray(data)
    changed[header_end + 40] ^= 1
    dropped = data[:header_end] + data[first_end:]  # the first chunk left out
    cut = data[:first_end]  # everything after the first chunk cut off
    for broken in (bytes(changed), dropped, cut, data[:-3]):
        with pytest.raises(DecryptionError):
            open_stream(io.BytesIO(broken), io.BytesIO())


@pytest.mark.django_db
def test_files_are_deleted_after_their_retention_once_applied_or_rejected(
    send, tmp_path, covered_city, settings
):
    settings.MEDSUPP_BATCH_FILE_RETENTION_DAYS = 30
    rows = [settlement_row(i, psn_no=f"P{(i % 3) + 1:04d}") for i in range(1, 4)]
    applied = send(covered_city["contract"], write_csv(tmp_path / "a.csv", rows))
    bad = [settlement_row(10, psn_no="NOBODY")]
    rejected = send(covered_city["contract"], write_csv(tmp_path / "b.csv", bad))
    assert (applied.status, rejected.status) == (BatchStatus.APPLIED, BatchStatus.REJECTED)
    waiting = send(covered_city["contract"], write_csv(tmp_path / "c.csv", rows[:1]))
    type(waiting).objects.filter(pk=waiting.pk).update(status=BatchStatus.FAILED)
    paths = {b.pk: Path(b.file.path) for b in (applied, rejected, waiting)}
    now = timezone.now()

    assert batch_files_purge(now=now + dt.timedelta(days=29)) == 0  # not yet
    assert all(p.exists() for p in paths.values())
    assert batch_files_purge(now=now + dt.timedelta(days=31)) == 2
    assert not paths[applied.pk].exists() and not paths[rejected.pk].exists()
    assert paths[waiting.pk].exists()  # failed: to be processed again, kept
    applied.refresh_from_db()
    assert not applied.file and applied.sha256  # the checksum still names the file
    entries = AuditEntry.objects.filter(action="delete", object_type="claims.settlementbatch")
    assert {e.extra["sha256"] for e in entries} == {applied.sha256, rejected.sha256}
    assert batch_files_purge(now=now + dt.timedelta(days=40)) == 0  # idempotent


@pytest.mark.django_db
def test_a_file_stored_before_sealing_is_still_read(send, tmp_path, covered_city):
    rows = [settlement_row(i, psn_no=f"P{(i % 3) + 1:04d}") for i in range(1, 4)]
    path = write_csv(tmp_path / "old.csv", rows)
    batch = send(covered_city["contract"], write_csv(tmp_path / "x.csv", rows[:1]))
    from claims.settlements.services.batches import batch_process

    batch.file.save("legacy-plain", ContentFile(path.read_bytes()), save=False)
    type(batch).objects.filter(pk=batch.pk).update(
        status=BatchStatus.RECEIVED, file=batch.file.name
    )
    processed = batch_process(batch_id=batch.pk)
    assert processed.rows_total == 3 and processed.file_format == "csv"
