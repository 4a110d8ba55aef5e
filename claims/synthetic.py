"""Synthetic settlement files for the demo and the benchmarks: plausible, consistent to the fen.

Deterministic for a seed. Rows are written as they are made, so a million-row file costs no
memory.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from insurance.engine.money import quantize

HEADER = (
    "setl_id", "mdtrt_id", "psn_no", "insutype", "med_type", "fixmedins_code", "begndate",
    "enddate", "setl_time", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
    "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "hifmi_pay", "hifob_pay",
    "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "refd_setl_flag",
    "init_setl_id", "excl_item_amt", "inscp_over_max_amt", "trt_category",
)  # fmt: skip
HOSPITALS = [f"H1506{n:07d}" for n in range(1, 41)]


def _money(value: float) -> Decimal:
    """A random float as an amount: its shortest decimal form, to the fen."""
    return quantize(Decimal(repr(value)))


def settlement_rows(
    *,
    people: list[tuple[str, str]],
    count: int,
    year: int,
    seed: int = 1,
    days: tuple[int, int] | None = None,
):
    """Yield `count` consistent settlement rows (dicts of text) for (psn_no, insutype) people,
    settled at random over the year, or within its days `days` (first, last; 1 is January 1st)
    as a file of the settlements of those days is."""
    rng = random.Random(seed)
    start = datetime(year, 1, 1, 8, 0)  # noqa: DTZ001  local time, as the platform sends it
    minutes = (0, 364 * 24 * 60)
    if days is not None:
        minutes = ((days[0] - 1) * 24 * 60, days[1] * 24 * 60 - 8 * 60 - 1)
    for n in range(1, count + 1):
        psn_no, insutype = people[rng.randrange(len(people))]
        inpatient = rng.random() < 0.35
        total = _money(rng.lognormvariate(9.6 if inpatient else 6.0, 0.9))
        own = _money(float(total) * rng.uniform(0.02, 0.2))
        over = _money(float(total - own) * rng.uniform(0, 0.05))
        inscp = total - own - over
        hifp = _money(float(inscp) * rng.uniform(0.5, 0.85))
        over_max = _money(float(inscp - hifp) * 0.2) if inpatient and rng.random() < 0.05 else 0
        excl = _money(float(own) * rng.uniform(0, 0.3))
        psn_part = total - hifp
        acct = _money(float(psn_part) * rng.uniform(0, 0.3))
        when = start + timedelta(minutes=rng.randrange(*minutes))
        stay = timedelta(days=rng.randrange(1, 15) if inpatient else 0)
        begin = max((when - stay).date(), date(year, 1, 1))
        category = "chemotherapy" if inpatient and rng.random() < 0.04 else ""
        yield {
            "setl_id": f"S{seed:02d}{n:010d}",
            "mdtrt_id": f"M{seed:02d}{n:010d}",
            "psn_no": psn_no,
            "insutype": insutype,
            "med_type": "21" if inpatient else "11",
            "fixmedins_code": HOSPITALS[rng.randrange(len(HOSPITALS))],
            "begndate": begin.isoformat(),
            "enddate": when.date().isoformat(),
            "setl_time": when.strftime("%Y-%m-%d %H:%M:%S"),
            "medfee_sumamt": f"{total}",
            "fulamt_ownpay_amt": f"{own}",
            "overlmt_selfpay": f"{over}",
            "preselfpay_amt": "0.00",
            "inscp_scp_amt": f"{inscp}",
            "act_pay_dedc": "800.00" if inpatient else "0.00",
            "hifp_pay": f"{hifp}",
            "hifmi_pay": "0.00",
            "hifob_pay": "0.00",
            "fund_pay_sumamt": f"{hifp}",
            "psn_part_amt": f"{psn_part}",
            "acct_pay": f"{acct}",
            "psn_cash_pay": f"{psn_part - acct}",
            "refd_setl_flag": "0",
            "init_setl_id": "",
            "excl_item_amt": f"{excl}",
            "inscp_over_max_amt": f"{over_max}",
            "trt_category": category,
        }


def write_settlement_csv(
    path: Path, rows, *, encoding: str = "utf-8", extra_columns: tuple[str, ...] = ()
) -> int:
    """Write rows under HEADER plus `extra_columns` (amounts; a row without one writes 0.00)."""
    written = 0
    header = [*HEADER, *(c for c in extra_columns if c not in HEADER)]
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, restval="0.00")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


def covered_people(*, scheme_year) -> list[tuple[str, str]]:
    """(psn_no, insutype) of everyone enrolled in the scheme year for the whole year."""
    from insurance.models import Enrollment

    return list(
        Enrollment.objects.filter(
            scheme_year=scheme_year,
            status="active",
            start_date__lte=date(scheme_year.year, 1, 1),
            end_date__gte=date(scheme_year.year, 12, 31),
        ).values_list("person__psn_no", "person__insutype")
    )
