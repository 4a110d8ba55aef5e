"""The staging table does not grow with the year: once a batch is applied or refused and no
other batch is staged, the table is emptied whole (TRUNCATE), not left holding dead rows that the
next batches' checks read end to end until a VACUUM comes (autovacuum is off on the CI machine,
and late on a busy server)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from claims.choices import BatchSource, BatchStatus
from claims.models import SettlementBatch, SettlementStage
from claims.settlements.ingest.stage import stage_clear
from tests.claims.test_compute_incremental import chemo, enrol, ingest, scheme_contract
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE and locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True),  # another session must see the committed rows
]
TABLE = SettlementStage._meta.db_table


def _batch(status=BatchStatus.VALIDATING) -> int:
    """A batch (id) as a worker left it: in validation while its rows are staged."""
    contract = ContractFactory()
    batch = SettlementBatch.objects.create(
        contract=contract,
        insurer=contract.lead_insurer,
        status=status,
        source=BatchSource.COMMAND,
        filename="stage.csv",
        sha256=f"{SettlementBatch.objects.count() + 1:064d}",
    )
    return batch.pk


def _stage(batch_id: int, rows: int) -> None:
    SettlementStage.objects.bulk_create(
        SettlementStage(
            batch_id=batch_id,
            row_number=n + 2,
            setl_id=f"ST{batch_id}-{n}",
            mdtrt_id=f"MT{batch_id}-{n}",
            psn_no=f"P{n:06d}",
            insutype="310",
            med_type="21",
            setl_time=timezone.now(),
            service_date=dt.date.today(),
        )
        for n in range(rows)
    )


def _pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [TABLE])
        return cursor.fetchone()[0]


def _staged() -> dict[int, int]:
    counts: dict[int, int] = {}
    for batch_id in SettlementStage.objects.values_list("batch_id", flat=True):
        counts[batch_id] = counts.get(batch_id, 0) + 1
    return counts


def test_the_last_batch_out_leaves_the_staging_table_empty_to_its_pages():
    batch = _batch()
    _stage(batch, 500)
    assert _pages() > 5  # the rows fill pages; a DELETE would leave them all in place
    stage_clear(batch)
    assert _staged() == {}
    assert _pages() == 0


def test_a_batch_applied_through_the_pipeline_leaves_no_pages_behind(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    year, contract = scheme_contract()
    people = [PersonFactory(psn_no=f"PS{n:02d}", insutype="310") for n in range(3)]
    for person in people:
        enrol(person, year)
    rows = [chemo(n + 1, f"PS{n % 3:02d}", "30000.00", "2018-03-10") for n in range(60)]
    ingest(contract, tmp_path, "march", rows)
    assert _pages() == 0


def test_the_rows_of_other_batches_in_validation_stay_whatever_their_ids():
    first, middle, last = _batch(), _batch(), _batch()
    _stage(first, 30)
    _stage(middle, 200)
    _stage(last, 20)
    stage_clear(middle)
    assert _staged() == {first: 30, last: 20}
    stage_clear(first)
    assert _staged() == {last: 20}
    stage_clear(last)  # the last one out empties the table
    assert _pages() == 0


def test_rows_left_by_a_batch_that_moved_on_do_not_keep_the_table_from_being_emptied():
    """A worker that died between a batch's apply (or refusal) and clearing its rows left them:
    they keep no later batch from emptying the table."""
    left_behind = _batch(BatchStatus.APPLIED)
    _stage(left_behind, 50)
    for _ in range(3):
        batch = _batch()
        _stage(batch, 300)
        stage_clear(batch)
        assert _pages() == 0
        assert _staged() == {}


def test_inside_a_transaction_the_table_is_neither_truncated_nor_locked():
    """The simulation of a year runs batches inside one transaction: a TRUNCATE there would
    hold the table's lock, and every other batch's staging with it, until the end."""
    batch = _batch()
    _stage(batch, 200)
    free: list[bool] = []
    with transaction.atomic():
        stage_clear(batch)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"LOCK TABLE {TABLE} IN ROW EXCLUSIVE MODE NOWAIT")
                free.append(True)
                cursor.execute("ROLLBACK")
        finally:
            other.close()
    assert free == [True]
    assert _staged() == {}
    assert _pages() > 0  # deleted, not truncated


def test_a_staging_table_in_use_is_not_waited_for():
    """Another session reading the staging table holds a lock that TRUNCATE would have to wait
    for: the batch's rows are deleted instead, at once, and the reader goes on."""
    first, second = _batch(), _batch()
    _stage(first, 200)
    _stage(second, 30)
    read, release = threading.Event(), threading.Event()
    seen: list = []

    def reader():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE batch_id = %s", [second])  # noqa: S608
                seen.append(cursor.fetchone()[0])
                read.set()
                release.wait(10)
                cursor.execute("COMMIT")
                seen.append("committed")
        finally:
            other.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert read.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # a wait would fail here, not hang
            try:
                started = time.monotonic()
                stage_clear(first)
                assert time.monotonic() - started < 1  # NOWAIT: no wait for the lock at all
                assert _staged() == {second: 30}
                # with the second batch gone the lock is still not free: nothing is truncated
                SettlementBatch.objects.filter(pk=second).update(status=BatchStatus.APPLIED)
                stage_clear(second)
            finally:
                cursor.execute("RESET lock_timeout")
    finally:
        release.set()
        thread.join(10)
    assert seen == [30, "committed"]
    assert _staged() == {}
    assert _pages() > 0  # deleted, not truncated, while the reader held its lock
    stage_clear(_batch())  # the next batch out, with the table free, empties it
    assert _pages() == 0
