"""City benchmark (issue #24): a generated city, a city-shaped year ingested batch by batch, the
year's jobs, and the admin pages of the issue's table, each figure printed beside its aim and a
same-run baseline. PostgreSQL only (skips on SQLite).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medsupp_bench \\
        BENCH_CITY_PEOPLE=100000 BENCH_CITY_BATCHES=8 make bench

BENCH_CITY_PEOPLE   people generated and enrolled (default 20,000; the issue's city: 1,000,000)
BENCH_CITY_BATCHES  files of the year (default 6), each with a fifth as many rows as the scheme
                    has people covered all year, drawn at random over them: about 1.1 rows
                    per person in a file, as a real city's daily files are (the ingest
                    benchmark has ~10 rows per person)
Baseline of each batch: a raw COPY of the same file into a plain text table (no checks, no
engine), in the same run. No assertion on time: the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
import tracemalloc

import pytest
from django.db import connection

PEOPLE = int(os.environ.get("BENCH_CITY_PEOPLE", "20000"))
BATCHES = int(os.environ.get("BENCH_CITY_BATCHES", "6"))
REPEAT = 5  # each admin page: the median of this many loads


def _raw_copy_seconds(path) -> float:
    """The baseline: the file's rows COPYed as text into an unlogged table, nothing else."""
    from claims.synthetic import HEADER

    columns = ", ".join(f"{name} text" for name in HEADER)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE IF NOT EXISTS bench_raw ({columns})")
        cursor.execute("TRUNCATE bench_raw")
        started = time.perf_counter()
        with (
            path.open("rb") as fh,
            cursor.cursor.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw")
    return seconds


def _line(what: str, seconds: float, aim: str, baseline: str = "") -> None:
    print(f"[city] {what:<58} {seconds * 1000:>9,.0f} ms   aim {aim:<10} {baseline}")


@pytest.fixture
def city(transactional_db):
    from contracts.choices import ContractStatus
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
        status=ContractStatus.ACTIVE,
    )
    return year, contract


def _admin_pages(client, record) -> list[tuple[str, str, dict, str]]:
    return [
        ("admin: settlement records list", "/admin/claims/settlementrecord/", {}, "< 300 ms"),
        (
            "admin: exact setl_id search",
            "/admin/claims/settlementrecord/",
            {"q": record.setl_id},
            "< 300 ms",
        ),
        (
            "admin: reconciliation results list",
            "/admin/claims/reconciliationresult/",
            {},
            "< 300 ms",
        ),
        ("admin: index (dashboard)", "/admin/", {}, "< 300 ms"),
    ]


def test_bench_city(city, tmp_path, settings, client):
    if connection.vendor != "postgresql":
        pytest.skip("the city benchmark measures PostgreSQL: set DATABASE_URL")
    from django.contrib.auth import get_user_model

    from claims.models import SettlementRecord
    from claims.oversight.services.disclosure import disclosure_build
    from claims.settlements.services.batches import batch_process, batch_receive
    from claims.supervision.services.reconciliation import reconciliation_compute
    from claims.supervision.services.statements import statement_submit
    from claims.supervision.tasks import supervision_nightly
    from claims.synthetic import covered_people, settlement_rows, write_settlement_csv
    from tests.conftest import login_verified

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = False  # batch_process runs as in a worker
    year, contract = city
    people = covered_people(scheme_year=year)
    rows_per_file = max(len(people) // 5, 1)
    print(
        f"\n[city] {len(people):,} people, {BATCHES} files of {rows_per_file:,} rows "
        f"(~1.1 rows per person per file); load average {os.getloadavg()[0]:.1f}"
    )

    for number in range(1, BATCHES + 1):
        path = tmp_path / f"batch-{number}.csv"
        rows = settlement_rows(people=people, count=rows_per_file, year=year.year, seed=number)
        write_settlement_csv(path, rows)
        started = time.perf_counter()
        with path.open("rb") as fh:
            batch = batch_receive(
                contract=contract, fileobj=fh, filename=path.name, queue=False
            ).batch
        batch = batch_process(batch_id=batch.pk)
        seconds = time.perf_counter() - started
        assert batch.status == "applied", batch.errors_preview[:5] or batch.file_problem
        raw = _raw_copy_seconds(path)
        _line(
            f"ingest batch {number} ({rows_per_file / seconds:,.0f} rows/s)",
            seconds,
            "—",
            f"raw COPY {raw * 1000:,.0f} ms ({seconds / raw:.0f}x)",
        )
    total = SettlementRecord.objects.filter(contract=contract).count()
    print(f"[city] the year holds {total:,} settlement records")

    started = time.perf_counter()
    supervision_nightly.apply(kwargs={"day": f"{year.year}-12-31"}).get()
    _line(
        "nightly supervision, first night (recon + screen + figures)",
        time.perf_counter() - started,
        "< 10 s",
    )
    started = time.perf_counter()
    supervision_nightly.apply(kwargs={"day": f"{year.year + 1}-01-01"}).get()
    _line(
        "nightly supervision, a night without new batches", time.perf_counter() - started, "< 10 s"
    )
    started = time.perf_counter()
    reconciliation_compute(contract=contract)
    _line("reconciliation of the whole year (recomputed)", time.perf_counter() - started, "< 10 s")

    admin = get_user_model().objects.create_superuser("bench_admin", password="bench-pw-1")
    started = time.perf_counter()
    statement_submit(contract=contract, period=dt.date(year.year, 6, 1), actor=admin)
    _line("monthly statement submit (June)", time.perf_counter() - started, "< 5 s")

    tracemalloc.start()
    started = time.perf_counter()
    disclosure_build(scheme=year.scheme, year=year.year)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    _line(f"disclosure draft (Python peak {peak:,.0f} MB)", seconds, "< 10 s", "aim < 300 MB")

    login_verified(client, admin)
    record = SettlementRecord.objects.filter(contract=contract).order_by("id")[total // 2]
    for what, url, params, aim in _admin_pages(client, record):
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        _line(f"{what} (median of {REPEAT})", statistics.median(times), aim)
