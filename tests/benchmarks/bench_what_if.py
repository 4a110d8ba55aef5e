"""Benchmark of the what-if calculator (`manage.py compute_benefits`, issue #24) on a city's file.

    BENCH_WHATIF_SETTLEMENTS=300000 BENCH_WHATIF_PEOPLE=270000 pytest \\
        tests/benchmarks/bench_what_if.py -s -o addopts="" -o python_files="bench_*.py"

(also run by `make bench`: 100,000 settlements of 90,000 people by default). Writes the
settlements of random people in random order (`claims.synthetic`, ordos-2018's year 2018, all
the platform's columns), then runs in child processes, one after the other: the command, and a
same-run baseline that only reads the same file with `csv.reader` (what any reader pays). Prints
settlements/s by the wall clock and by CPU time, and the peak RSS of each, with the machine's
load average (the machine is shared: CPU time is the steadier figure). Aim: >= 25,000/s,
< 300 MB, whatever the file size. No assertion on time; the output is checked for every row.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTLEMENTS = int(os.environ.get("BENCH_WHATIF_SETTLEMENTS", "100000"))
PEOPLE = int(os.environ.get("BENCH_WHATIF_PEOPLE", str(SETTLEMENTS * 9 // 10)))
BASELINE = "import csv, sys\nfor _row in csv.reader(open(sys.argv[1], newline='')): pass\n"


def write_file(path: Path, *, settlements: int, people: int) -> None:
    from claims.synthetic import settlement_rows, write_settlement_csv

    pairs = [(f"P{i:08d}", "310") for i in range(people)]
    write_settlement_csv(path, settlement_rows(people=pairs, count=settlements, year=2018))


def _high_water_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines()
                 if line.startswith("VmHWM:")), 0.0)  # fmt: skip


def timed(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of a child process. The peak is read from
    /proc while it runs: a child's ru_maxrss would also count this process, which it was
    forked from."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, _high_water_mb(child.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    assert child.returncode == 0, command
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, peak


def test_bench_what_if(tmp_path):
    source, output = tmp_path / "settlements.csv", tmp_path / "out.csv"
    write_file(source, settlements=SETTLEMENTS, people=PEOPLE)
    load = os.getloadavg()
    plan = ROOT / "insurance" / "plans" / "ordos-2018.json"
    command = [
        *(sys.executable, "manage.py", "compute_benefits", "--plan-file", str(plan)),
        *("--settlements", str(source), "--output", str(output)),
    ]
    runs = {
        "compute_benefits": timed(command),
        "baseline (csv.reader only)": timed([sys.executable, "-c", BASELINE, str(source)]),
    }
    print(f"\nwhat-if: {SETTLEMENTS:,} settlements of {PEOPLE:,} people, ordos-2018; load {load}")
    for name, (wall, cpu, rss) in runs.items():
        print(
            f"  {name:28} {wall:7.2f} s {SETTLEMENTS / wall:9,.0f}/s wall"
            f"  {cpu:7.2f} s CPU {SETTLEMENTS / cpu:9,.0f}/s  peak {rss:6.0f} MB"
        )
    wall, cpu, rss = runs["compute_benefits"]
    print(f"  aim >= 25,000/s, < 300 MB: {SETTLEMENTS / wall:,.0f}/s, {rss:.0f} MB")
    with output.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == SETTLEMENTS + 1  # every settlement has its line
    assert any(row[2] != "0.00" for row in rows[1:])  # and the plan pays something
