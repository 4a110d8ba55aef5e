"""Benchmark of the benefit engine on a synthetic city year (deterministic, seeded).

    python -m tests.benchmarks.bench_engine --settlements 1000000 --people 300000
    BENCH_SETTLEMENTS=20000 pytest tests/benchmarks/bench_engine.py -p no:django -o addopts=""

Prints settlements per second for the engine and for a baseline that only sums the Decimal
fields of the same records, and their ratio (engine cost relative to just touching the data).
No wall-clock assertion: timings are for people to read.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from insurance.engine import (
    Enrolment,
    PersonFacts,
    Settlement,
    StatusPeriod,
    compile_plan,
    compute_many,
    parse_plan,
)
from insurance.plans import load_shipped_plans

AMOUNTS = (
    "psn_part_amt", "excl_item_amt", "inscp_over_max_amt", "ooc_cancer_drug_amt",
    "inscp_scp_amt", "hifp_pay", "fulamt_ownpay_amt", "overlmt_selfpay", "special_drug_amt",
)  # fmt: skip
CATEGORIES = ("", "", "", "", "", "", "", "dialysis", "radiotherapy", "chemotherapy")


def _fen(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount in fen, built from integers (no float touches money)."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def make_people(*, people: int, year: int, seed: int = 7) -> dict[str, PersonFacts]:
    rng = random.Random(seed)
    persons: dict[str, PersonFacts] = {}
    for i in range(people):
        psn_no = f"P{i:08d}"
        statuses: tuple[StatusPeriod, ...] = ()
        if rng.random() < 0.03:
            statuses = (StatusPeriod("dibao", date(year, rng.randint(1, 12), 1)),)
        persons[psn_no] = PersonFacts(
            psn_no=psn_no,
            insutype="310",
            cvlserv_flag=rng.random() < 0.05,
            statuses=statuses,
            enrolments=(Enrolment(date(year - 5, 1, 1)),),
        )
    return persons


def make_settlements(
    *, settlements: int, people: int, year: int, seed: int = 11
) -> Iterator[Settlement]:
    """Settlements grouped by person (as ORDER BY psn_no would give), about 1 in 200 reversed."""
    rng = random.Random(seed)
    start = datetime(year, 1, 1, 8)
    per_person = [1] * people
    for _ in range(max(0, settlements - people)):
        per_person[rng.randrange(people)] += 1
    n = 0
    for i, count in enumerate(per_person):
        psn_no = f"P{i:08d}"
        previous: Settlement | None = None
        for k in range(count):
            n += 1
            if previous is not None and rng.random() < 0.005:
                # the national platform's reversal: flag, original id, negated amounts
                yield Settlement(
                    setl_id=f"S{n:09d}", psn_no=psn_no,
                    setl_time=previous.setl_time + timedelta(hours=2),
                    refd_setl_flag=True, init_setl_id=previous.setl_id,
                    psn_part_amt=-previous.psn_part_amt,
                )  # fmt: skip
                previous = None
                continue
            inpatient = rng.random() < 0.4
            previous = Settlement(
                setl_id=f"S{n:09d}",
                psn_no=psn_no,
                setl_time=start + timedelta(minutes=rng.randrange(364 * 24 * 60)),
                mdtrt_id=f"M{i}-{k // 2}",
                insutype="310",
                med_type="21" if inpatient else rng.choice(("11", "14")),
                psn_part_amt=_fen(rng, 50, 60000 if inpatient else 3000),
                excl_item_amt=_fen(rng, 0, 800),
                inscp_over_max_amt=_fen(rng, 0, 30000) if rng.random() < 0.05 else Decimal(0),
                ooc_cancer_drug_amt=_fen(rng, 0, 20000) if rng.random() < 0.03 else Decimal(0),
                inscp_scp_amt=_fen(rng, 0, 50000),
                hifp_pay=_fen(rng, 0, 20000),
                fulamt_ownpay_amt=_fen(rng, 0, 5000),
                special_drug_amt=_fen(rng, 0, 9000) if rng.random() < 0.02 else Decimal(0),
                trt_category=rng.choice(CATEGORIES),
            )
            yield previous


def baseline(records: list[Settlement]) -> Decimal:
    """Only touch the data: sum the amount fields the engine reads."""
    total = Decimal(0)
    for record in records:
        for name in AMOUNTS:
            total += getattr(record, name)
    return total


def run(
    *,
    settlements: int,
    people: int,
    plan_code: str = "ordos-2018",
    explain: bool = False,
    trace: bool = False,
):
    year = {"ordos-2018": 2018, "qingdao-2017": 2017}[plan_code]
    plan = compile_plan(plan=parse_plan(load_shipped_plans()[plan_code]))
    persons = make_people(people=people, year=year)
    records = list(make_settlements(settlements=settlements, people=people, year=year))

    # CPU time of this process (one core): other work on a shared machine does not count.
    t0 = time.process_time()
    checksum = baseline(records)
    t_base = time.process_time() - t0

    t0, w0 = time.process_time(), time.perf_counter()
    paid = Decimal(0)
    count = 0
    for result in compute_many(
        plan=plan, persons=persons, settlements=records, presorted=True, explain=explain,
        trace=trace,
    ):  # fmt: skip
        paid += result.total
        count += len(result.settlements)
    t_engine = time.process_time() - t0
    wall = time.perf_counter() - w0

    rate = count / t_engine
    print(
        f"{plan_code}: {count:,} settlements, {people:,} people, explain={explain}, "
        f"trace={trace}\n"
        f"  engine   {t_engine:8.2f} s CPU  {rate:10,.0f} settlements/s  (wall {wall:.2f} s)"
        f"  total paid {paid}\n"
        f"  baseline {t_base:8.2f} s CPU  {len(records) / t_base:10,.0f} records/s"
        f"  (sum {checksum})\n"
        f"  ratio engine/baseline time: {t_engine / t_base:.1f}x"
    )
    return count, rate, paid


def test_bench_engine() -> None:
    n = int(os.environ.get("BENCH_SETTLEMENTS", "20000"))
    count, _rate, paid = run(settlements=n, people=max(1, n * 3 // 10))
    assert count == n  # every generated settlement came back with a result
    assert paid > 0  # the synthetic year has benefits to pay: a broken engine pays nothing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--settlements", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--plan", default="ordos-2018", choices=("ordos-2018", "qingdao-2017"))
    parser.add_argument("--explain", action="store_true", help="also build explanation steps")
    parser.add_argument("--trace", action="store_true", help="also take traces (as ingest does)")
    args = parser.parse_args()
    run(
        settlements=args.settlements, people=args.people, plan_code=args.plan,
        explain=args.explain, trace=args.trace,
    )  # fmt: skip


if __name__ == "__main__":
    main()
