"""Benchmark of the people admin on a big register (PostgreSQL, 1,000,000 generated people).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medsupp_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medsupp_bench \
        python manage.py generate_city --people 1000000 --seed 1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medsupp_bench \
        pytest tests/benchmarks/bench_people_admin.py -s -o addopts=""

It reads the database named in DATABASE_URL directly (no test database). It skips on SQLite and
when fewer than BENCH_MIN_PEOPLE (default 900,000) people are there, unless BENCH_GENERATE=1
asks it to generate BENCH_PEOPLE (default 1,000,000) first. Prints the median milliseconds of
several runs of each page and its ratio to two baselines measured in the same process: a plain
primary-key SELECT of one person, and the admin login page. No wall-clock assertion.
"""

from __future__ import annotations

import os
import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
MIN_PEOPLE = int(os.environ.get("BENCH_MIN_PEOPLE", "900000"))


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the database named in DATABASE_URL as it is (it holds the generated city)."""


def _median_ms(fn, runs: int = RUNS) -> float:
    fn()
    fn()  # warm caches and connections
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _estimated_people() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'insurance_person'")
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else 0


def _get_ok(client: Client, url: str, params: dict | None = None, expect: int | None = None):
    def run():
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        if expect is not None:
            assert len(response.context["cl"].result_list) == expect
        return response

    return run


def test_people_admin_benchmark(django_db_blocker, settings):
    if connection.vendor != "postgresql":
        pytest.skip("benchmark needs PostgreSQL: set DATABASE_URL to the benchmark database")
    settings.MEDSUPP_2FA_ENFORCED = False  # the bench user signs in with force_login
    with django_db_blocker.unblock():
        from audit.models import User
        from insurance.models import Person, Region, SpecialStatus

        if _estimated_people() < MIN_PEOPLE:
            if os.environ.get("BENCH_GENERATE") != "1":
                pytest.skip(
                    f"fewer than {MIN_PEOPLE} people in {connection.settings_dict['NAME']}: run "
                    "generate_city --people 1000000 first, or set BENCH_GENERATE=1"
                )
            from insurance.services.demo import generate_city

            generate_city(people=int(os.environ.get("BENCH_PEOPLE", "1000000")), seed=1)
        people = _estimated_people()
        admin, _created = User.objects.get_or_create(
            username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client()
        client.force_login(admin)
        changelist = reverse("admin:insurance_person_changelist")
        sample = Person.objects.order_by("pk")[people // 2 :].only("pk", "certno").first()
        county = Region.objects.get(code="370827")
        special_kind = SpecialStatus.objects.values_list("kind", flat=True).first()

        def baseline_pk():
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM insurance_person WHERE id = %s", [sample.pk])
                cursor.fetchone()

        login = Client()
        baselines = {
            "baseline: SELECT one person by pk": _median_ms(baseline_pk),
            "baseline: admin login page": _median_ms(lambda: login.get(reverse("admin:login"))),
        }
        pages = {
            "changelist, first page": _median_ms(_get_ok(client, changelist)),
            "changelist, page 3": _median_ms(_get_ok(client, changelist, {"p": "3"})),
            "changelist, filtered by county": _median_ms(
                _get_ok(client, changelist, {"region": county.pk})
            ),
            "changelist, filtered county + status + insutype": _median_ms(
                _get_ok(
                    client, changelist, {"region": county.pk, "status": "active", "insutype": "390"}
                )
            ),
            f"changelist, special status {special_kind} today": _median_ms(
                _get_ok(client, changelist, {"special": special_kind})
            ),
            # The ID number is POSTed once (issue 19); the list behind its token is timed.
            "search by exact ID number (blind index)": _median_ms(
                _get_ok(
                    client,
                    client.post(changelist + "find/", {"certno": sample.certno})["Location"],
                    expect=1,
                )
            ),
            "person change page": _median_ms(
                _get_ok(client, reverse("admin:insurance_person_change", args=[sample.pk]))
            ),
        }
    width = max(len(name) for name in [*baselines, *pages])
    print(f"\npeople admin benchmark: ~{people:,} people, {RUNS} runs each, median ms")
    for name, ms in baselines.items():
        print(f"  {name:<{width}}  {ms:8.2f} ms")
    pk_ms = baselines["baseline: SELECT one person by pk"]
    login_ms = baselines["baseline: admin login page"]
    for name, ms in pages.items():
        print(
            f"  {name:<{width}}  {ms:8.2f} ms   x{ms / pk_ms:7.1f} pk-select   "
            f"x{ms / login_ms:5.1f} login page"
        )
    assert all(ms > 0 for ms in pages.values())
