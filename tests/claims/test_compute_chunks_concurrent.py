"""Two chunks compute at the same time in two sessions, as two ingest workers do. A chunk's
transaction locks its own chunk row, not the batch's or the contract's (it only reads those), so
another chunk of the batch neither waits for it nor blocks anyone editing the contract; and two
batches of a contract computing the same person at once both count in the person's totals."""

import datetime as dt
import json
import threading
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from claims.models import (
    BatchChunk,
    Compensation,
    CompensationAdjustment,
    PersonComputeState,
    SettlementBatch,
    SettlementRecord,
)
from claims.settlements.services import batches, compute
from claims.settlements.services.batches import batch_process, batch_receive
from claims.settlements.services.compute import compute_chunk
from tests.claims.chunk_data import chemo_file
from tests.claims.files import write_csv
from tests.claims.test_compute_incremental import (
    RATE,
    THRESHOLD,
    burden,
    chemo,
    enrol,
    ingest,
    scheme_contract,
)
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory

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


@contextmanager
def _held_after(monkeypatch, step: str, run):
    """`run()` in a session (thread) of its own, held once `compute.<step>` has returned in it
    (its transaction open) until the block ends or sets the yielded event. Yields (exceptions
    `run` raised, filled once the block ends; the release event)."""
    real = getattr(compute, step)
    inside, release = threading.Event(), threading.Event()
    failed: list = []

    def pausing(*args, **kwargs):
        done = real(*args, **kwargs)
        if threading.current_thread().name == "held":
            inside.set()
            assert release.wait(timeout=30)
        return done

    monkeypatch.setattr(compute, step, pausing)

    def target():
        try:
            run()
        except Exception as exc:  # shown by the caller's assertion
            failed.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target, name="held")
    thread.start()
    try:
        assert inside.wait(timeout=30)
        yield failed, release
    finally:
        release.set()
        thread.join(timeout=30)


def _owed(*setl_ids: str) -> dict[str, D]:
    """What each settlement is owed in all: its compensation plus its adjustments."""
    owed = {setl_id: D("0") for setl_id in setl_ids}
    for setl_id, total in Compensation.objects.values_list("record__setl_id", "total"):
        owed[setl_id] += total
    for setl_id, total in CompensationAdjustment.objects.values_list("record__setl_id", "total"):
        owed[setl_id] += total
    return owed


def test_a_chunk_computes_while_another_chunk_of_its_batch_is_in_flight(
    tmp_path, settings, monkeypatch
):
    batch = _applied_with_chunks(tmp_path, settings, monkeypatch)
    first: list = []

    def run_first():
        first.append(compute_chunk(batch_id=batch.pk, index=0, worker="w1"))

    # the first chunk held with its compensations written, its transaction still open
    with _held_after(monkeypatch, "people_compute", run_first):
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
    assert first == [(3 * CHUNK, 0)]
    batch.refresh_from_db()
    assert batch.computed_at is not None and batch.people_computed == PEOPLE
    assert Compensation.objects.filter(batch=batch).count() == 3 * PEOPLE


def test_two_batches_computing_one_persons_totals_at_once_lose_neither(
    tmp_path, settings, monkeypatch
):
    """Ordos-2018, R-ORD-6 (tests/claims/test_compute_incremental.py works the figures): a
    person's chemotherapy burden (0.37 of each total) accumulates over the year, what lies
    above 20,000 is paid at 30%. January is computed; June's and September's batches compute
    at once, September's chunk having read the stored totals (January's) first."""

    settings.MEDIA_ROOT = tmp_path / "media"
    year, contract = scheme_contract()
    enrol(PersonFactory(psn_no="PA01", insutype="310"), year)
    ingest(contract, tmp_path, "jan", [chemo(1, "PA01", "30000.00", "2018-01-10")])
    monkeypatch.setattr(batches, "batch_compute", lambda batch_id: None)
    june, september = (
        _applied(contract, tmp_path, name, [chemo(n, "PA01", total, day)])
        for name, n, total, day in (
            ("jun", 2, "20000.00", "2018-06-10"),
            ("sep", 4, "40000.00", "2018-09-10"),
        )
    )
    # September's chunk held once it has read the stored totals (January's)
    held = _held_after(
        monkeypatch, "states_taken", lambda: compute_chunk(batch_id=september.pk, index=0)
    )
    with held as (failed, release):
        letting_go = threading.Timer(2, release.set)  # June's chunk may wait for September's
        letting_go.start()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '20s'")
            try:
                compute_chunk(batch_id=june.pk, index=0)
            finally:
                cursor.execute("RESET lock_timeout")
    letting_go.cancel()
    assert not failed

    # 11,100 + 7,400 + 14,800 = 33,300 by September: (33,300 - 20,000) x 30% = 3,990.00 owed on
    # it (paid at once or with an adjustment), nothing on January's or June's
    a1, a2, a3 = burden("30000.00"), burden("20000.00"), burden("40000.00")
    assert _owed("S00000001", "S00000002", "S00000004") == {
        "S00000001": D("0.00"),
        "S00000002": D("0.00"),
        "S00000004": (a1 + a2 + a3 - THRESHOLD) * RATE,
    }
    # and the totals a later batch continues from hold all three
    state = PersonComputeState.objects.get()
    assert state.last_record_id == SettlementRecord.objects.order_by("-id")[0].id
    [accumulated] = json.loads(state.totals)[str(year.pk)]["acc"]
    assert D(accumulated[4]) == a1 + a2 + a3 == D("33300.00")


@pytest.mark.parametrize("walked", ["two_contracts", "incremental_off", "no_stored_totals"])
def test_a_batch_stored_and_computed_between_a_walks_two_reads_is_not_undone(
    tmp_path, settings, monkeypatch, walked
):
    """A person walked over their year (no stored totals to lock: a scheme with two contracts,
    incremental compute off, or none stored, as after a reversal): September's chunk has read
    the person's records when June's file is applied and computed, then reads what was paid.
    Before, it counted June's payments without June's settlement: September owed 1,770.00 and
    an adjustment of -2,220.00 undid what June's chunk had paid on it (found by a reviewer).
    Now it notices the records it read are no longer all and is tried again, as its task would."""

    settings.MEDIA_ROOT = tmp_path / "media"
    year, contract = scheme_contract()
    if walked == "two_contracts":
        ContractFactory(
            scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
        )
    if walked == "incremental_off":
        settings.MEDSUPP_COMPUTE_INCREMENTAL = False
    enrol(PersonFactory(psn_no="PA01", insutype="310"), year)
    ingest(contract, tmp_path, "jan", [chemo(1, "PA01", "30000.00", "2018-01-10")])
    if walked == "no_stored_totals":
        PersonComputeState.objects.all().delete()
    monkeypatch.setattr(batches, "batch_compute", lambda batch_id: None)
    september = _applied(contract, tmp_path, "sep", [chemo(4, "PA01", "40000.00", "2018-09-10")])
    # September's chunk held once it has read the person's records, not what was paid on them
    held = _held_after(
        monkeypatch, "_chunk_settlements", lambda: compute_chunk(batch_id=september.pk, index=0)
    )
    with held as (failed, _release):
        june = _applied(contract, tmp_path, "jun", [chemo(2, "PA01", "20000.00", "2018-06-10")])
        assert compute_chunk(batch_id=june.pk, index=0) == (2, 0)  # June's and September's
    assert [type(exc) for exc in failed] == [compute.PeopleChangedMeanwhile]
    compute_chunk(batch_id=september.pk, index=0)  # its task tries again (CHUNK_CONFLICTS)

    a1, a2, a3 = burden("30000.00"), burden("20000.00"), burden("40000.00")
    assert _owed("S00000001", "S00000002", "S00000004") == {
        "S00000001": D("0.00"),
        "S00000002": D("0.00"),
        "S00000004": (a1 + a2 + a3 - THRESHOLD) * RATE,  # 3,990.00
    }
    assert SettlementBatch.objects.get(pk=september.pk).computed_at is not None


def _applied(contract, tmp_path, name: str, rows) -> SettlementBatch:
    """A file applied and cut into chunks, not computed (batch_compute replaced by the test)."""
    path = write_csv(tmp_path / f"{name}.csv", rows)
    with path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False).batch
    batch = batch_process(batch_id=batch.pk)
    assert batch.status == "applied" and batch.computed_at is None
    compute._chunks_planned(batch)
    return batch
