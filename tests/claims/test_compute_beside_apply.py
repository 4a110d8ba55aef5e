"""The compute step beside the apply (PostgreSQL, forked processes): the same results as apply
then compute, nothing visible before the apply commits, nothing left when it fails."""

import datetime as dt
import os
import time
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections

from claims.models import (
    Compensation,
    CompensationAdjustment,
    SettlementBatch,
    SettlementRecord,
    SettlementStage,
)
from claims.parallel import fork_held
from claims.services import batches, compute
from claims.services.batches import batch_process, batch_receive
from insurance.models import BenefitPlan, Enrollment
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory, InsurerFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the compute beside the apply forks on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),  # sessions of their own see only committed rows
]
PEOPLE = 12


@pytest.fixture
def contract(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDSUPP_BATCH_WORKERS = 2
    monkeypatch.setattr(compute, "PEOPLE_PER_CHUNK", 2)  # several chunks in each process
    if not BenefitPlan.objects.filter(code="ordos-2018").exists():  # a flush removed it
        import_module("insurance.migrations.0004_shipped_plans").load(django_apps, None)
    year = SchemeYearFactory(year=2018, plan=BenefitPlan.objects.get(code="ordos-2018"))
    for n in range(PEOPLE):
        Enrollment.objects.create(
            person=PersonFactory(psn_no=f"B{n:04d}", insutype="310"), scheme_year=year,
            kind="renewal", start_date=dt.date(2018, 1, 1), end_date=dt.date(2018, 12, 31),
            benefits_from=dt.date(2018, 1, 1),
        )  # fmt: skip
    return ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )


def _chemo(n: int, person: int, day: str, burden: str, **extra) -> dict:
    """An admission whose whole cost is the patient's burden: the plan pays above 20,000."""
    return settlement_row(
        n, psn_no=f"B{person:04d}", total=burden, setl_time=f"{day} 10:00:00", begndate=day,
        enddate=day, fulamt_ownpay_amt="0.00", inscp_scp_amt=burden, hifp_pay="0.00",
        fund_pay_sumamt="0.00", psn_part_amt=burden, trt_category="chemotherapy", **extra,
    )  # fmt: skip


FIRST = [_chemo(100 + p, p, "2018-06-01", f"{15000 + 100 * p}.00") for p in range(PEOPLE)] + [
    _chemo(200 + p, p, "2018-08-01", "10000.00") for p in range(PEOPLE)
]
# Late records (earlier treatment) for every person, a reversal, and new settlements: the
# second batch moves amounts computed for the first (adjustments).
SECOND = (
    [_chemo(300 + p, p, "2018-04-01", "8000.00") for p in range(PEOPLE)]
    + [_chemo(400 + p, p, "2018-10-01", "5000.00") for p in range(PEOPLE)]
    + [_chemo(500, 0, "2018-06-01", "-15000.00", refd_setl_flag="1", init_setl_id="S00000100")]
)


def _send(contract, tmp_path, name: str, rows: list[dict]) -> SettlementBatch:
    path = write_csv(tmp_path / name, rows)
    with path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename=name, queue=False).batch
    return batch_process(batch_id=batch.pk)


def _outcome() -> tuple[dict, list]:
    owed = {
        c.record.setl_id: (c.status, c.lines, c.total, c.trace)
        for c in Compensation.objects.select_related("record")
    }
    adjusted = sorted(
        (a.record.setl_id, a.batch.filename, a.reason, a.total)
        for a in CompensationAdjustment.objects.select_related("record", "batch")
    )
    return owed, adjusted


def _forget_batches() -> None:
    """Remove every batch and what it made, so that the same files can be sent again."""
    with connection.cursor() as cursor:
        for model in (CompensationAdjustment, Compensation, SettlementRecord, SettlementBatch):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608


def _sequential_outcome(contract, tmp_path, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no forking: apply, then compute
    for name, rows in (("a.csv", FIRST), ("b.csv", SECOND)):
        assert _send(contract, tmp_path, name, rows).computed_at is not None
    outcome = _outcome()
    _forget_batches()
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in the worker: forking allowed
    return outcome


@pytest.fixture
def forks(monkeypatch):
    started = []

    def spy(parts, processes, work, committed):
        started.append(processes)
        return fork_held(parts, processes, work, committed)

    monkeypatch.setattr(compute, "fork_held", spy)
    return started


def test_beside_the_apply_computes_what_apply_then_compute_does(
    contract, tmp_path, settings, forks
):
    expected = _sequential_outcome(contract, tmp_path, settings)
    assert forks == []
    for name, rows in (("a.csv", FIRST), ("b.csv", SECOND)):
        batch = _send(contract, tmp_path, name, rows)
        assert batch.status == "applied" and batch.computed_at is not None
        assert (batch.people_computed, batch.people_total, batch.stage) == (PEOPLE, PEOPLE, "")
    assert forks == [2, 2]
    assert _outcome() == expected
    assert {reason for *_i, reason, _t in expected[1]} == {"late_record"}  # history was read
    assert "S00000500" in expected[0]  # the reversal, computed against its original
    assert not SettlementStage.objects.exists()
    # every record's id came from the staged row, and each has its compensation
    assert Compensation.objects.count() == SettlementRecord.objects.count() == len(FIRST + SECOND)


def _other_session(sql: str) -> int:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    finally:
        other.close()


def _wait_for_writers(table: str, count: int = 2) -> int:
    """Wait until `count` other sessions hold uncommitted writes to `table` (the lock an INSERT
    or COPY takes lasts until the transaction ends); how many do."""
    deadline = time.monotonic() + 30
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT pid) FROM pg_locks WHERE relation = %s::regclass "
                "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()",
                [table],
            )
            writers = cursor.fetchone()[0]
        if writers >= count or time.monotonic() > deadline:
            return writers
        time.sleep(0.05)


def test_compensations_appear_only_with_their_records(contract, tmp_path, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    apply = batches._apply
    seen = []

    def apply_then_look(batch):
        inserted = apply(batch)
        # Both compute processes have written compensations, and wait for this transaction.
        seen.append(_wait_for_writers("claims_compensation"))
        seen.append(_other_session("SELECT count(*) FROM claims_compensation"))
        seen.append(_other_session("SELECT count(*) FROM claims_settlementrecord"))
        return inserted

    monkeypatch.setattr(batches, "_apply", apply_then_look)
    batch = _send(contract, tmp_path, "a.csv", FIRST)
    assert seen == [2, 0, 0]
    assert batch.computed_at is not None
    assert Compensation.objects.filter(batch=batch).count() == len(FIRST)


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_failed_apply_leaves_nothing_and_can_be_retried(
    contract, tmp_path, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    apply = batches._apply
    monkeypatch.setattr(batches, "_apply", lambda batch: apply(batch) - 1)  # "a person vanished"
    with pytest.raises(RuntimeError, match="applied 23 of 24 rows"):
        _send(contract, tmp_path, "a.csv", FIRST)
    batch = SettlementBatch.objects.get()
    assert batch.status == "failed" and batch.computed_at is None  # not left validating
    assert "applied 23 of 24 rows" in batch.file_problem
    assert not SettlementRecord.objects.exists()
    assert not Compensation.objects.exists()  # the compute processes rolled back
    assert not SettlementStage.objects.exists()
    assert _no_child_left()

    monkeypatch.setattr(batches, "_apply", apply)
    batch = batch_process(batch_id=batch.pk)
    assert batch.computed_at is not None
    assert Compensation.objects.count() == len(FIRST)


def test_a_batch_the_set_checks_reject_leaves_no_compensation(contract, tmp_path, settings, forks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    unknown = settlement_row(999, psn_no="X9999", setl_time="2018-06-01 10:00:00")
    batch = _send(contract, tmp_path, "a.csv", [*FIRST, unknown])
    assert forks == [2]  # the processes computed beside the checks
    assert batch.status == "rejected" and batch.unknown_persons == 1
    assert not Compensation.objects.exists()  # and rolled back when the checks failed
    assert not SettlementRecord.objects.exists()
    assert not SettlementStage.objects.exists()
    assert _no_child_left()


def test_a_failing_set_check_stops_the_processes(contract, tmp_path, settings, monkeypatch, forks):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def check_fails(**kwargs):
        assert _wait_for_writers("claims_compensation") == 2  # they were computing meanwhile
        raise RuntimeError("the database went away")

    monkeypatch.setattr(batches, "check_batch", check_fails)
    with pytest.raises(RuntimeError, match="went away"):
        _send(contract, tmp_path, "a.csv", FIRST)
    assert forks == [2]
    assert SettlementBatch.objects.get().status == "failed"  # a retry starts it again
    assert not SettlementStage.objects.exists()
    assert not Compensation.objects.exists()
    assert _no_child_left()

    monkeypatch.undo()
    batch = batch_process(batch_id=SettlementBatch.objects.get().pk)
    assert batch.computed_at is not None
    assert Compensation.objects.count() == len(FIRST)


def test_a_compute_process_failing_after_the_apply_is_resumed(
    contract, tmp_path, settings, monkeypatch
):
    expected = _sequential_outcome(contract, tmp_path, settings)
    _send(contract, tmp_path, "a.csv", FIRST)
    chunk = compute._compute_chunk

    def fail_for_one(job, people):
        if any(psn == "B0007" for _id, psn in people):
            raise ValueError("boom")
        return chunk(job, people)

    monkeypatch.setattr(compute, "_compute_chunk", fail_for_one)
    with pytest.raises(RuntimeError, match="1 compute process"):
        _send(contract, tmp_path, "b.csv", SECOND)
    batch = SettlementBatch.objects.get(filename="b.csv")
    assert batch.status == "applied" and batch.computed_at is None  # applied, not computed
    assert Compensation.objects.filter(batch=batch).count() < len(SECOND)
    assert not SettlementStage.objects.exists()
    assert _no_child_left()

    monkeypatch.setattr(compute, "_compute_chunk", chunk)
    # A parent killed while waiting leaves the batch's staged rows: the resume removes them.
    SettlementStage.objects.create(**_staged_leftover(batch))
    batch = batch_process(batch_id=batch.pk)  # what the task's retry does
    assert batch.computed_at is not None
    assert _outcome() == expected
    assert not SettlementStage.objects.exists()


def _staged_leftover(batch) -> dict:
    return {
        "batch_id": batch.pk, "row_number": 2, "setl_id": "S-LEFT", "mdtrt_id": "M-LEFT",
        "psn_no": "B0000", "insutype": "310", "med_type": "11", "service_date": dt.date(2018, 6, 1),
        "setl_time": dt.datetime(2018, 6, 1, 10, tzinfo=dt.UTC),
    }  # fmt: skip


def test_a_compute_that_cannot_start_beside_leaves_apply_then_compute(
    contract, tmp_path, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def refused(*args, **kwargs):
        raise BlockingIOError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(compute, "fork_held", refused)
    batch = _send(contract, tmp_path, "a.csv", FIRST)  # checks, apply, then compute
    assert batch.status == "applied" and batch.computed_at is not None
    assert Compensation.objects.filter(batch=batch).count() == len(FIRST)
    assert _no_child_left()


PROBE = "medsupp_held_probe"


@pytest.fixture
def probe():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PROBE} (n integer)")
        cursor.execute(f"TRUNCATE {PROBE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {PROBE}")


def _write(part: int) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PROBE} VALUES (%s)", [part])  # noqa: S608
    return part, 1


def _mark_committed(parts: list) -> None:
    with connection.cursor() as cursor:
        for _part in parts:
            cursor.execute(f"INSERT INTO {PROBE} VALUES (-1)")  # noqa: S608


def _probe() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {PROBE} ORDER BY n")  # noqa: S608
        return [n for (n,) in cursor.fetchall()]


@pytest.mark.parametrize(
    ("commit", "totals", "rows"),
    [(True, (15, 6), [-1] * 6 + [0, 1, 2, 3, 4, 5]), (False, (0, 0), []), (None, (0, 0), [])],
)
def test_held_children_commit_only_when_told(probe, commit, totals, rows):
    children = fork_held(range(6), 2, _write, _mark_committed)
    assert _wait_for_writers(PROBE) == 2
    assert _probe() == []  # written, not committed
    if commit is not None:  # None: no word at all, as when the caller failed
        children.go(commit=commit)
    assert children.wait() == totals
    assert _probe() == rows
    assert _no_child_left()


def _write_slowly(part: int) -> tuple[int, int]:
    time.sleep(0.3)
    return _write(part)


def test_held_children_told_while_working_commit_and_go_on(probe):
    children = fork_held(range(6), 2, _write_slowly, _mark_committed)
    assert _wait_for_writers(PROBE) == 2  # each child is at its first or second part of three
    children.go(commit=True)
    assert _probe() != [0, 1, 2, 3, 4, 5]  # not finished when told
    assert children.wait() == (15, 6)
    assert _probe() == [-1] * 6 + [0, 1, 2, 3, 4, 5]  # every part committed and counted once


def _write_slowly_then_fail(part: int) -> tuple[int, int]:
    done = _write_slowly(part)
    if part == 5:
        raise ValueError("boom after writing")
    return done


def test_a_part_failing_after_the_word_leaves_none_of_its_writes(probe):
    children = fork_held(range(6), 2, _write_slowly_then_fail, _mark_committed)
    assert _wait_for_writers(PROBE) == 2  # part 5 is the last of its child's three
    children.go(commit=True)
    with pytest.raises(RuntimeError, match="1 compute process"):
        children.wait()
    rows = _probe()
    assert 5 not in rows  # its own transaction rolled back with it
    assert {0, 2, 4} <= set(rows)  # the other child's parts all committed
    assert rows.count(-1) == len([n for n in rows if n >= 0])  # each counted once
    assert _no_child_left()


def _frozen(part: int) -> tuple[int, int]:
    import gc

    return int(gc.get_freeze_count() > 0), 1


def test_children_exempt_what_they_inherited_from_collection():
    children = fork_held(range(4), 2, _frozen, lambda parts: None)
    children.go(commit=True)
    assert children.wait() == (4, 4)  # every part ran in a child with a frozen heap
    assert _no_child_left()


def test_a_twin_under_another_contract_counts_once_beside_the_apply(
    contract, tmp_path, settings, forks
):
    """The same settlements sent under two contracts of the scheme (setl_id is unique per
    contract): computed beside the apply from the staged rows, the second contract's history
    leaves out the first's twins, and owes exactly what the first owes."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    other = ContractFactory(
        scheme=contract.scheme, lead_insurer=InsurerFactory(),
        starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31),
    )  # fmt: skip
    first = _send(contract, tmp_path, "a.csv", FIRST)
    second = _send(other, tmp_path, "b.csv", FIRST)
    assert forks == [2, 2] and second.computed_at is not None
    mine = {c.record.setl_id: c.total for c in Compensation.objects.filter(batch=first)}
    theirs = {c.record.setl_id: c.total for c in Compensation.objects.filter(batch=second)}
    assert theirs == mine and sum(mine.values()) > 0
    assert not CompensationAdjustment.objects.exists()
