"""Two chunks of one batch compute at the same time in two sessions, as two ingest workers do:
a chunk's transaction locks its own chunk row, not the batch's or the contract's (it only reads
those), so the other chunk neither waits for it nor blocks anyone editing the contract."""

import threading

import pytest
from django.db import connection, connections

from claims.models import BatchChunk, Compensation, SettlementBatch
from claims.settlements.services import batches, compute
from claims.settlements.services.batches import batch_process, batch_receive
from claims.settlements.services.compute import compute_chunk
from tests.claims.chunk_data import chemo_file

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
    pytest.mark.django_db(transaction=True),  # the other session must see the committed batch
]
PEOPLE = 8  # three settlements each
CHUNK = 4


def _applied_with_chunks(tmp_path, settings, monkeypatch) -> SettlementBatch:
    """The batch applied and cut into its two chunks, none computed yet."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = CHUNK
    contract, path = chemo_file(tmp_path, people=PEOPLE)
    with path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False).batch
    monkeypatch.setattr(batches, "batch_compute", lambda batch_id: None)
    batch = batch_process(batch_id=batch.pk)
    assert batch.status == "applied" and batch.computed_at is None
    compute._chunks_planned(batch)
    assert BatchChunk.objects.filter(batch=batch).count() == PEOPLE // CHUNK
    return batch


def test_a_chunk_computes_while_another_chunk_of_its_batch_is_in_flight(
    tmp_path, settings, monkeypatch
):
    batch = _applied_with_chunks(tmp_path, settings, monkeypatch)
    real = compute.people_compute
    inside, release = threading.Event(), threading.Event()
    first: list = []

    def pausing(job, people):
        done = real(job, people)
        if threading.current_thread().name == "first-chunk":
            inside.set()  # its compensations written, its transaction still open
            assert release.wait(timeout=30)
        return done

    monkeypatch.setattr(compute, "people_compute", pausing)

    def run_first():
        try:
            first.append(compute_chunk(batch_id=batch.pk, index=0, worker="w1"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=run_first, name="first-chunk")
    thread.start()
    try:
        assert inside.wait(timeout=30)
        with connection.cursor() as cursor:
            # before: the second chunk waited for the first one's lock of the batch row
            cursor.execute("SET lock_timeout = '2s'")
            try:
                assert compute_chunk(batch_id=batch.pk, index=1, worker="w2") == (3 * CHUNK, 0)
                cursor.execute(
                    "SELECT id FROM contracts_contract WHERE id = %s FOR UPDATE NOWAIT",
                    [batch.contract_id],
                )
                assert cursor.fetchone() == (batch.contract_id,)
            finally:
                cursor.execute("RESET lock_timeout")
        assert SettlementBatch.objects.get(pk=batch.pk).computed_at is None  # chunk 0 pending
    finally:
        release.set()
        thread.join(timeout=30)
    assert first == [(3 * CHUNK, 0)]
    batch.refresh_from_db()
    assert batch.computed_at is not None and batch.people_computed == PEOPLE
    assert Compensation.objects.filter(batch=batch).count() == 3 * PEOPLE
