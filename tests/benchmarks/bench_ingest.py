"""Benchmark: settlement ingest end to end against django-import-export, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medsupp make bench
    DATABASE_URL=... pytest tests/benchmarks/bench_ingest.py -s -o addopts="" \
        [BENCH_ROWS=200000 BENCH_IE_ROWS=5000 BENCH_PEOPLE=30000 BENCH_FORM=plain|quoted|slashed]

(a) our pipeline, as the Celery task runs it (committed data): COPY into PostgreSQL -> SQL
    staging (RowParser for the rest) -> set checks -> apply -> engine compute with explanation
    traces in chunk tasks on the `ingest` queue, taken by BENCH_WORKERS (default 2) real Celery
    worker processes (needs REDIS_URL; without it the chunks run in this process), for
    BENCH_ROWS generated rows, timed until the batch is computed;
(b) a plain django-import-export ModelResource.import_data of the same rows (the first
    BENCH_IE_ROWS of them) into the same table, after (a)'s rows are removed.
Prints rows/s of each and the ratio, CPU seconds of this process, and its peak RSS. Skips on
SQLite. No assertion on time: the figures go to docs/benchmarks.md.
BENCH_FORM: `plain` (the default) writes the fastest form of a CSV file; `quoted` quotes every
cell, as many exports do; `slashed` writes dates and times with slashes (2025/03/05 08:28:15),
which only the general path reads (claims/settlements/ingest/rows.py). The rows are the same;
import-export,
which reads neither, is measured on the plain form only.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from django.db import connection

ROWS = int(os.environ.get("BENCH_ROWS", "200000"))
# import-export manages ~200 rows/s at a steady rate: its first 5,000 rows measure it.
IE_ROWS = int(os.environ.get("BENCH_IE_ROWS", str(min(ROWS, 5000))))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "20000"))
FORM = os.environ.get("BENCH_FORM", "plain")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def _peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _server_settings() -> str:
    """The server settings that move these figures most (docs/runbook.md, PostgreSQL)."""
    names = ("shared_buffers", "max_wal_size", "checkpoint_timeout")
    with connection.cursor() as cursor:
        shown = []
        for name in names:
            cursor.execute(f"SHOW {name}")
            shown.append(f"{name}={cursor.fetchone()[0]}")
    return " ".join(shown)


# Committed data (not a test transaction): the ingest workers read it from their own sessions.
@pytest.fixture
def city(transactional_db):
    import datetime as dt

    from insurance.models import BenefitPlan, SchemeYear
    from insurance.services.demo import generate_city
    from tests.contracts.factories import ContractFactory

    generate_city(people=PEOPLE, seed=7)
    year = SchemeYear.objects.get(scheme__code="EMP-SUPP")
    year.plan = BenefitPlan.objects.get(code="ordos-2018")
    year.save()
    contract = ContractFactory(
        scheme=year.scheme,
        starts_on=dt.date(year.year, 1, 1),
        ends_on=dt.date(year.year + 2, 12, 31),
    )
    return year, contract


@contextmanager
def ingest_workers(count: int, settings):
    """`count` real Celery workers on the `ingest` queue (separate processes, one solo pool each)
    while the block runs, on this test database; none (chunks in this process) without Redis."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or count < 1:
        yield
        return
    from config.celery import app

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "MEDSUPP_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "ingest"),
        *("--pool", "solo", "-l", "WARNING", "--without-gossip", "--without-mingle"),
    ]
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    workers = [
        subprocess.Popen([*command, "-n", f"bench{n}@%h"], env=env)  # noqa: S603
        for n in range(count)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=0.5)) < count:
            assert time.monotonic() < deadline, "the ingest workers did not start"
        yield
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=60)
        app.conf.task_always_eager = True


def _import_export_rate(path, contract, batch, rows: int) -> float:
    import tablib
    from import_export import fields, resources, widgets

    from claims.models import SettlementRecord
    from insurance.models import Person

    class Resource(resources.ModelResource):
        person = fields.Field(
            attribute="person",
            column_name="psn_no",
            widget=widgets.ForeignKeyWidget(Person, "psn_no"),
        )

        class Meta:
            model = SettlementRecord
            import_id_fields = ("setl_id",)
            exclude = ("id",)

    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = [*reader.fieldnames, "batch", "contract", "row_number"]
        data = tablib.Dataset(headers=header)
        for number, row in enumerate(reader, start=2):
            if number - 1 > rows:
                break
            data.append(
                [*(row[h] or None for h in reader.fieldnames), batch.pk, contract.pk, number]
            )
    started = time.perf_counter()
    result = Resource().import_data(data, dry_run=False, raise_errors=True, use_transactions=True)
    elapsed = time.perf_counter() - started
    assert not result.has_errors()
    return len(data) / elapsed


def _slashed(cell: str) -> str:
    """2025-03-05 08:28:15 as 2025/03/05 08:28:15; other cells as they are."""
    if len(cell) in (10, 19) and cell[4:5] == "-" and cell[7:8] == "-":
        return cell.replace("-", "/", 2)
    return cell


def _rewrite(path, form: str) -> None:
    """The same rows in another form (outside the timed part)."""
    other = path.with_suffix(f".{form}")
    with path.open(encoding="utf-8", newline="") as source, other.open("w", newline="") as out:
        if form == "quoted":
            csv.writer(out, quoting=csv.QUOTE_ALL).writerows(csv.reader(source))
        else:
            csv.writer(out).writerows([_slashed(c) for c in row] for row in csv.reader(source))
    other.replace(path)


def test_bench_ingest(city, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the ingest benchmark measures the PostgreSQL COPY path: set DATABASE_URL")
    from claims.models import Compensation, SettlementRecord
    from claims.settlements.services.batches import batch_process, batch_receive
    from claims.synthetic import covered_people, settlement_rows, write_settlement_csv

    settings.MEDIA_ROOT = tmp_path / "media"
    year, contract = city
    people = covered_people(scheme_year=year)
    path = tmp_path / "settlements.csv"
    write_settlement_csv(path, settlement_rows(people=people, count=ROWS, year=year.year))
    if FORM != "plain":
        _rewrite(path, FORM)
    rss_before = _peak_rss_mb()

    with ingest_workers(WORKERS, settings):
        cpu_started = _cpu_seconds()
        started = time.perf_counter()
        with path.open("rb") as fh:
            received = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False)
        batch = batch_process(batch_id=received.batch.pk)
        while batch.computed_at is None and batch.status == "applied":
            time.sleep(0.02)
            batch.refresh_from_db()
        ours = time.perf_counter() - started
    python_cpu = _cpu_seconds() - cpu_started
    assert batch.status == "applied", batch.errors_preview[:5] or batch.file_problem
    assert Compensation.objects.filter(record__batch=batch).count() == ROWS
    ours_rate = ROWS / ours
    print(
        f"\n[ingest] ours ({FORM} CSV): {ROWS} rows in {ours:.1f} s "
        f"= {ours_rate:,.0f} rows/s "
        f"(parse+check {batch.seconds_parse:.1f} s, apply {batch.seconds_apply:.1f} s, "
        f"compute {batch.seconds_compute:.1f} s); Python CPU {python_cpu:.1f} s; "
        f"peak RSS {_peak_rss_mb():.0f} MB (before the run {rss_before:.0f} MB); "
        f"{WORKERS if os.environ.get('REDIS_URL') else 0} ingest workers; "
        f"load average {os.getloadavg()[0]:.1f}; PostgreSQL {_server_settings()}"
    )

    # Plain DELETEs: the ORM's collector would first read a million rows to look for dependents.
    with connection.cursor() as cursor:
        for model in (Compensation, SettlementRecord):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE batch_id = %s", [batch.pk])  # noqa: S608
    ie_rate = _import_export_rate(path, contract, batch, IE_ROWS)
    print(
        f"[ingest] django-import-export import_data: {min(IE_ROWS, ROWS)} rows at "
        f"{ie_rate:,.0f} rows/s (no engine compute)\n"
        f"[ingest] ratio ours / import-export: {ours_rate / ie_rate:.1f}x"
    )
