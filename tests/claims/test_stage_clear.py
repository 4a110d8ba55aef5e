"""The staging table does not grow with the year: once a batch is applied or refused and no
other batch is staged, the table is emptied whole (TRUNCATE), not left holding dead rows that the
next batches' checks read end to end until a VACUUM comes (autovacuum is off on the CI machine,
and late on a busy server)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from claims.models import SettlementStage
from claims.settlements.ingest.stage import stage_clear
from tests.claims.test_compute_incremental import chemo, enrol, ingest, scheme_contract
from tests.insurance.factories import PersonFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE and locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True),  # another session must see the committed rows
]
TABLE = SettlementStage._meta.db_table


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
    _stage(1, 500)
    assert _pages() > 5  # the rows fill pages; a DELETE would leave them all in place
    stage_clear(1)
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


def test_another_batchs_staged_rows_stay():
    _stage(1, 200)
    _stage(2, 30)
    stage_clear(1)
    assert _staged() == {2: 30}
    stage_clear(2)  # the last one out empties the table
    assert _pages() == 0


def test_a_staging_table_in_use_is_not_waited_for():
    """Another session reading the staging table holds a lock that TRUNCATE would have to wait
    for: the batch's rows are deleted instead, at once, and the reader goes on."""
    _stage(1, 200)
    _stage(2, 30)
    read, release = threading.Event(), threading.Event()
    seen: list = []

    def reader():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE batch_id = 2")  # noqa: S608
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
            cursor.execute("SET lock_timeout = '2s'")  # a wait would fail here, not hang
            try:
                stage_clear(1)
                assert _staged() == {2: 30}
                # and with batch 2 gone the lock is still not free: nothing is truncated
                SettlementStage.objects.filter(batch_id=2).delete()
                stage_clear(2)
            finally:
                cursor.execute("RESET lock_timeout")
    finally:
        release.set()
        thread.join(10)
    assert seen == [30, "committed"]
    assert _staged() == {}
    assert _pages() > 0  # deleted, not truncated, while the reader held its lock
    stage_clear(3)  # the next batch out, with the table free, empties it
    assert _pages() == 0
