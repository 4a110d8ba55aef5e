"""The compute step in several processes (PostgreSQL) gives what one process gives."""

import datetime as dt
import os
import threading
import time
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction

from claims.models import Compensation, SettlementBatch
from claims.parallel import can_fork, run_forked
from claims.services import compute
from claims.services.batches import batch_receive
from claims.services.compute import batch_compute
from insurance.models import BenefitPlan, Enrollment
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory

# Committed data, as in the worker (sessions of their own see nothing uncommitted).
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="forked compute runs on PostgreSQL only"
    ),
    pytest.mark.django_db(transaction=True),
]


def _ordos() -> BenefitPlan:
    """The shipped plan: an earlier transactional test's flush may have removed the row its
    data migration made, so load it the same way when it is missing."""
    if not BenefitPlan.objects.filter(code="ordos-2018").exists():
        migration = import_module("insurance.migrations.0004_shipped_plans")
        migration.load(django_apps, None)
    return BenefitPlan.objects.get(code="ordos-2018")


@pytest.fixture
def applied_batch(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    year = SchemeYearFactory(year=2018, plan=_ordos())
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    rows = []
    for n in range(24):
        person = PersonFactory(psn_no=f"P{n:04d}", insutype="310")
        Enrollment.objects.create(
            person=person, scheme_year=year, kind="renewal", start_date=dt.date(2018, 1, 1),
            end_date=dt.date(2018, 12, 31), benefits_from=dt.date(2018, 1, 1),
        )  # fmt: skip
        for k, month in enumerate((3, 5, 9)):
            rows.append(settlement_row(
                n * 10 + k, psn_no=person.psn_no, total=f"{30000 + 7000 * k + n}.00",
                setl_time=f"2018-{month:02d}-0{k + 1} 10:00:00", begndate=f"2018-{month:02d}-01",
                enddate=f"2018-{month:02d}-0{k + 1}", trt_category="chemotherapy",
            ))  # fmt: skip
    path = write_csv(tmp_path / "many.csv", rows)
    with path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False).batch
    settings.MEDSUPP_BATCH_WORKERS = 1
    from claims.services.batches import batch_process

    batch = batch_process(batch_id=batch.pk)
    assert batch.status == "applied" and Compensation.objects.count() == len(rows)
    return batch


def _owed():
    return {
        c.record.setl_id: (c.status, c.lines, c.total, c.trace)
        for c in Compensation.objects.select_related("record")
    }


def test_two_processes_compute_what_one_computes(applied_batch, settings, monkeypatch):
    serial = _owed()
    Compensation.objects.all().delete()
    SettlementBatch.objects.filter(pk=applied_batch.pk).update(computed_at=None)
    monkeypatch.setattr(compute, "PEOPLE_PER_CHUNK", 5)
    forked_runs = []

    def spy(parts, processes, work):
        forked_runs.append((len(parts), processes))
        return run_forked(parts, processes, work)

    monkeypatch.setattr(compute, "run_forked", spy)
    settings.MEDSUPP_BATCH_WORKERS = 2
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in a worker: no forking inside a web request
    assert batch_compute(batch_id=applied_batch.pk) == (72, 0)
    assert forked_runs == [(8, 2)]  # 24 people, 4 chunks a process: chunks of 3
    progress = SettlementBatch.objects.values_list("people_computed", "people_total").get()
    assert progress == (24, 24)  # every process's chunks were counted
    assert _owed() == serial
    assert any(trace for _s, _l, _t, trace in serial.values())  # later settlements carry state


def _work(fail_on: int):
    def work(part: int) -> tuple[int, int]:
        if part == fail_on:
            raise ValueError("boom")
        SettlementBatch.objects.exists()  # each process uses its own database session
        return part, 1

    return work


def test_results_of_every_process_are_summed():
    assert run_forked(range(7), 3, _work(fail_on=-1)) == (21, 7)
    assert SettlementBatch.objects.count() == 0  # the parent's session still works


def test_a_failed_child_is_reported():
    with pytest.raises(RuntimeError, match="1 compute process"):
        run_forked(range(6), 2, _work(fail_on=3))  # part 3 runs in the child
    with pytest.raises(ValueError, match="boom"):
        run_forked(range(6), 2, _work(fail_on=2))  # part 2 runs in the parent


def test_no_forking_where_it_is_unsafe(settings):
    settings.MEDSUPP_BATCH_WORKERS = 2
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert can_fork()
    settings.CELERY_TASK_ALWAYS_EAGER = True  # tasks run inside web requests
    assert not can_fork()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()  # another thread's locks would be copied half-held
    finally:
        stop.set()
        other.join()
    with transaction.atomic():
        assert not can_fork()  # other sessions would not see this transaction's rows


def test_a_failing_parent_stops_and_reaps_its_children():
    def work(part: int) -> tuple[int, int]:
        if part == 0:
            raise ValueError("parent fails first")
        time.sleep(30)  # a child still busy: it must be stopped, not waited for
        return 1, 0

    started = time.monotonic()
    with pytest.raises(ValueError, match="parent fails first"):
        run_forked(range(2), 2, work)
    assert time.monotonic() - started < 20
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind
