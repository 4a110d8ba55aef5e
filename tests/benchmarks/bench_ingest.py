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
import time

import pytest
from django.db import connection

from tests.benchmarks.support import (
    batch_rows_delete,
    city_with_contract,
    ingest_timed,
    ingest_workers,
)

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
    return city_with_contract(PEOPLE)


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
    from claims.models import Compensation
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
        batch, ours = ingest_timed(contract, path)
    python_cpu = _cpu_seconds() - cpu_started
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

    batch_rows_delete(batch)
    ie_rate = _import_export_rate(path, contract, batch, IE_ROWS)
    print(
        f"[ingest] django-import-export import_data: {min(IE_ROWS, ROWS)} rows at "
        f"{ie_rate:,.0f} rows/s (no engine compute)\n"
        f"[ingest] ratio ours / import-export: {ours_rate / ie_rate:.1f}x"
    )
