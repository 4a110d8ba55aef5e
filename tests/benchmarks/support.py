"""What the ingest and city benchmarks share: a generated city on committed data, real Celery
workers on the `ingest` queue (and on the default queue, for what follows a batch's compute), and
a batch timed from upload until its last chunk commits."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from contextlib import contextmanager

from django.db import connection
from django.db.models import Q


def city_with_contract(people: int):
    """`people` generated and enrolled (seed 7), the ordos-2018 plan on the employee scheme and an
    active three-year contract: (scheme year, contract). Committed, so workers read it."""
    from contracts.choices import ContractStatus
    from insurance.models import BenefitPlan, SchemeYear
    from insurance.services.demo import generate_city
    from tests.contracts.factories import ContractFactory

    generate_city(people=people, seed=7)
    year = SchemeYear.objects.get(scheme__code="EMP-SUPP")
    year.plan = BenefitPlan.objects.get(code="ordos-2018")
    year.save()
    contract = ContractFactory(
        scheme=year.scheme,
        starts_on=dt.date(year.year, 1, 1),
        ends_on=dt.date(year.year + 2, 12, 31),
        status=ContractStatus.ACTIVE,
    )
    return year, contract


@contextmanager
def ingest_workers(count: int, settings, *, followers: int = 0):
    """`count` real Celery workers on the `ingest` queue (separate processes, one solo pool each)
    while the block runs, on this test database; none (chunks in this process) without Redis.
    `followers`: workers on the default queue too, which run what follows each batch's compute
    (its supervision, its month figures) as a deployment's default workers do."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or count < 1:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        yield
        return
    from config.celery import app

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "MEDSUPP_MEDIA_ROOT": str(settings.MEDIA_ROOT)}

    def worker(name: str, queue: str) -> subprocess.Popen:
        command = [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue),
            *("--pool", "solo", "-l", "WARNING", "--without-gossip", "--without-mingle"),
        ]
        return subprocess.Popen([*command, "-n", f"{name}@%h"], env=env)  # noqa: S603

    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with app.connection_for_write() as conn:
        for queue in ("ingest", "celery"):  # nothing left from an earlier run's batches
            conn.default_channel.queue_purge(queue)
    workers = [worker(f"bench{n}", "ingest") for n in range(count)]
    workers += [worker(f"follow{n}", "celery") for n in range(followers)]
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=0.5)) < len(workers):
            assert time.monotonic() < deadline, "the workers did not start"
        yield
    finally:
        for process in workers:
            process.terminate()
            process.wait(timeout=60)
        app.conf.task_always_eager = True


def supervised_wait(contract, seconds: float = 900) -> None:
    """Wait until every applied batch of `contract` is reconciled, screened and in the month
    figures (the followers' work after each compute)."""
    from claims.models import SettlementBatch

    pending = SettlementBatch.objects.filter(contract=contract, status="applied").filter(
        Q(reconciled_at=None) | Q(fraud_screened_at=None) | Q(figures_added_at=None)
    )
    deadline = time.monotonic() + seconds
    while pending.exists():
        assert time.monotonic() < deadline, "the batches' supervision did not finish"
        time.sleep(0.1)


def database_quiet(seconds: float = 900) -> float:
    """Wait until no autovacuum worker is at work on this database (the year's earlier batches'
    rows being vacuumed and analysed), then CHECKPOINT, so that a timed batch starts from the
    same state whatever came before it: it pays for its own writes, not for background upkeep
    of the earlier ones. Returns the seconds waited."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' "
                "AND datname = current_database()"
            )
            if not cursor.fetchone()[0] or time.monotonic() - started > seconds:
                break
            time.sleep(0.5)
        cursor.execute("CHECKPOINT")
    return time.monotonic() - started


def ingest_timed(contract, path):
    """Upload `path` and process it as the batch task does; wait until its last chunk commits.
    Returns (the batch, seconds from upload to computed)."""
    from claims.settlements.services.batches import batch_process, batch_receive

    started = time.perf_counter()
    with path.open("rb") as fh:
        received = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False)
    batch = batch_process(batch_id=received.batch.pk)
    while batch.computed_at is None and batch.status == "applied":
        time.sleep(0.02)
        batch.refresh_from_db()
    seconds = time.perf_counter() - started
    assert batch.status == "applied", batch.errors_preview[:5] or batch.file_problem
    return batch, seconds


def batch_rows_delete(batch) -> None:
    """A batch's records, what was computed and found on them (compensations, reconciliation
    results, fraud flags) and the running totals it left, removed with plain DELETEs (the ORM's
    collector would first read every row to look for dependents); the emptied batch no longer
    counts as a receipt of its file, so the same file can be ingested again. People whose
    totals it removed are walked over their year at their next batch. Its month figures stay
    added: the benchmark reads none of them."""
    from claims.models import (
        BatchChunk,
        Compensation,
        CompensationAdjustment,
        FraudFlag,
        PersonComputeState,
        ReconciliationResult,
        SettlementBatch,
        SettlementRecord,
    )

    records = f"SELECT id FROM {SettlementRecord._meta.db_table} WHERE batch_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for model, column in (
            (ReconciliationResult, "record_id"),
            (FraudFlag, "record_id"),
            (FraudFlag, "other_record_id"),
        ):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({records})",  # noqa: S608
                [batch.pk],
            )
        for model in (
            Compensation,
            CompensationAdjustment,
            BatchChunk,
            PersonComputeState,
            SettlementRecord,
        ):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE batch_id = %s", [batch.pk])  # noqa: S608
    SettlementBatch.objects.filter(pk=batch.pk).update(
        sha256=f"removed by the benchmark {batch.pk}"
    )
