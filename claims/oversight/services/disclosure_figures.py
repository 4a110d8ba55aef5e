"""The figures of a disclosure report (R-SUP-4), computed set-based (ORM aggregates), Decimal
throughout, and made safe to publish: only aggregates, and every count under
`DISCLOSURE_MIN_CELL` (default 5) is shown as "<5" together with the amount tied to it. Where a
breakdown has exactly one suppressed cell, the next smallest is suppressed too, so that nobody
can get the hidden one back by subtracting from the total.

Money and ratios are stored as strings ("1234.56") so the JSON hashes the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear, TruncDate

from claims.settlements.models import Compensation, CompensationAdjustment, SettlementRecord
from claims.settlements.services.time_ranges import days_q
from claims.supervision.selectors import manual_claims_within_limit_share
from contracts.choices import ContractStatus, SettlementStatus
from contracts.models import Contract, YearEndSettlement
from contracts.periods import contract_year
from contracts.selectors import contract_shares, fund_summary, funding_current, payout_ratio
from insurance.engine.money import quantize
from insurance.models import Person, Region, SchemeYear

ZERO = Decimal("0.00")
TENTH = Decimal("0.1")  # days
SHARE = Decimal("0.0001")

# Per-person annual compensation, in CNY: [lower, upper) and the label shown.
TIERS: tuple[tuple[Decimal, Decimal | None, str], ...] = (
    (Decimal("0.01"), Decimal("1000"), "1000元以下"),
    (Decimal("1000"), Decimal("10000"), "1000–10000元"),
    (Decimal("10000"), Decimal("50000"), "10000–50000元"),
    (Decimal("50000"), None, "50000元及以上"),
)


def min_cell() -> int:
    return int(settings.DISCLOSURE_MIN_CELL)


def suppressed_mark() -> str:
    return f"<{min_cell()}"


def money(value) -> str:
    return str(quantize(Decimal(value or 0)))


def year_bounds(scheme_id: int, year: int) -> tuple[dt.date, dt.date]:
    """The scheme year's cover (retroactive cover included), or the calendar year."""
    found = SchemeYear.objects.filter(scheme_id=scheme_id, year=year).first()
    if found is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return found.coverage_start, found.coverage_end


def contracts_for(scheme_id: int, year: int) -> list[Contract]:
    """Contracts of the scheme covering some part of the year (drafts excluded)."""
    start, end = year_bounds(scheme_id, year)
    return list(
        Contract.objects.filter(scheme_id=scheme_id, coverage_from__lte=end, ends_on__gte=start)
        .exclude(status=ContractStatus.DRAFT)
        .select_related("lead_insurer", "scheme")
        .order_by("coverage_from", "id")
    )


def _year_q(contracts: list[Contract], year: int, prefix: str = "") -> Q:
    """The settlements each contract's year pays for (`contracts.periods.contract_year`), as a
    condition on the records (`prefix` "record__" from what points at them)."""
    where = Q(pk__in=[])
    for contract in contracts:
        period = contract_year(contract, year)
        # a range on the indexed instant, no per-row date conversion
        where |= Q(
            days_q(period.claims_from, period.claims_to, field=f"{prefix}setl_time"),
            **{f"{prefix}contract_id": contract.pk},
        )
    return where


def _records(contracts: list[Contract], year: int):
    return SettlementRecord.objects.filter(_year_q(contracts, year))


def _computed(model, contracts: list[Contract], year: int):
    """The compensations (or adjustments) of the year's settlements, filtered on their joined
    record (an `IN (SELECT …)` of a year's record ids was planned as a few hundred rows and
    looked each up in a nested loop). Compensations are also filtered by their stored
    settlement year (the local year of `setl_time`, the instant the records are filtered on),
    so PostgreSQL reads only those years' partitions of them."""
    rows = model.objects.filter(_year_q(contracts, year, prefix="record__"))
    if model is Compensation:
        years: set[int] = set()
        for contract in contracts:
            period = contract_year(contract, year)
            years.update(range(period.claims_from.year, period.claims_to.year + 1))
        rows = rows.filter(year__in=years)
    return rows


def _months(contracts: list[Contract], year: int) -> list[tuple[int, int]]:
    """(year, month) of every month the contracts' years cover, in order."""
    periods = [contract_year(c, year) for c in contracts]
    if not periods:
        return [(year, month) for month in range(1, 13)]
    start = min(p.claims_from for p in periods)
    end = max(p.claims_to for p in periods)
    months, index = [], start.year * 12 + start.month - 1
    while index <= end.year * 12 + end.month - 1:
        months.append(divmod(index, 12))
        index += 1
    return [(y, m + 1) for y, m in months]


# --- suppression ---------------------------------------------------------------------------------


def suppress(rows: list[dict], *, count_key: str = "people", tied=("amount",)) -> list[dict]:
    """Replace small counts (and the amounts tied to them) by "<5"; complementary suppression
    when only one cell of the breakdown would be hidden."""
    limit = min_cell()
    small = [i for i, r in enumerate(rows) if 0 < r[count_key] < limit]
    if len(small) == 1:
        others = [i for i, r in enumerate(rows) if i not in small and r[count_key] > 0]
        if others:
            small.append(min(others, key=lambda i: rows[i][count_key]))
    mark = suppressed_mark()
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        row["suppressed"] = i in small
        if i in small:
            row[count_key] = mark
            for key in tied:
                row[key] = mark
        else:
            for key in tied:
                row[key] = money(row[key])
        out.append(row)
    return out


def _count_cell(n: int):
    return suppressed_mark() if 0 < n < min_cell() else n


# --- sections -------------------------------------------------------------------------------------


def contract_section(contracts: list[Contract]) -> list[dict]:
    rows = []
    for c in contracts:
        rows.append(
            {
                "number": c.number,
                "lead_insurer": c.lead_insurer.name,
                "insurers": [
                    {"name": insurer.name, "share": str(share)}
                    for insurer, share in contract_shares(c)
                ],
                "signed_on": c.signed_on.isoformat() if c.signed_on else "",
                "starts_on": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat(),
                "coverage_from": c.coverage_from.isoformat() if c.coverage_from else "",
                "surplus_rule": str(c.get_surplus_rule_display()),
                "claim_time_limit_days": c.claim_time_limit_days,
                "service_window": c.service_window_address,
                "service_hours": c.service_window_hours,
            }
        )
    return rows


def funding_section(scheme_year) -> dict:
    if scheme_year is None:
        return {"kind": "", "kind_label": "", "params": {}}
    params = {k: str(v) for k, v in (scheme_year.funding_params or {}).items()}
    return {
        "kind": scheme_year.funding_kind,
        "kind_label": str(scheme_year.get_funding_kind_display()),
        "params": params,
        "coverage": f"{scheme_year.coverage_start.isoformat()} 至 "
        f"{scheme_year.coverage_end.isoformat()}",
    }


def benefits_section(scheme_year) -> dict:
    plan = getattr(scheme_year, "plan", None) if scheme_year else None
    if plan is None:
        return {"plan": "", "plain_words": "", "waiting_days": 0}
    return {
        "plan": plan.name,
        "plan_code": plan.code,
        "plan_version": plan.version,
        "plain_words": plan.plain_words,
        "waiting_days": scheme_year.waiting_period_days,
    }


def _manual_limit(contracts: list[Contract]) -> int:
    return max((c.claim_time_limit_days for c in contracts), default=7)


def process_section(contracts: list[Contract]) -> list[str]:
    limit = _manual_limit(contracts)
    windows = "；".join(
        f"{c.service_window_address}（{c.service_window_hours}）".replace("（）", "")
        for c in contracts
        if c.service_window_address
    )
    return [
        "在定点医疗机构出院结算时，基本医保、大病保险与本补充保险“一站式”同步结算，"
        "参保人只需支付个人应付部分。",
        "保险机构每月核算应赔付金额并上传结算数据，经办机构复核。",
        f"在外地就医等无法即时结算的，出院后持发票、费用清单、出院小结等材料到服务窗口申请，"
        f"材料齐全后 {limit} 个工作日内办结。",
        f"服务窗口：{windows or '见医保经办机构公告'}。",
    ]


def efficiency_section(contracts: list[Contract], year: int) -> dict:
    """Days from discharge (`enddate`) to settlement (`setl_time`) over the year's settlements
    (reversals excluded), from a histogram grouped in the database: median and mean."""
    pairs = (
        _records(contracts, year)
        .filter(refd_setl_flag=False, enddate__isnull=False)
        .annotate(paid_on=TruncDate("setl_time"))
        .values("enddate", "paid_on")
        .annotate(n=Count("id"))
    )
    histogram: dict[int, int] = defaultdict(int)
    for row in pairs:
        histogram[max((row["paid_on"] - row["enddate"]).days, 0)] += row["n"]
    total = sum(histogram.values())
    median = mean = None
    if total:
        mean = quantize(Decimal(sum(d * n for d, n in histogram.items())) / Decimal(total), TENTH)
        median = _median(histogram, total)
    shares = [manual_claims_within_limit_share(c, year) for c in contracts]
    shares = [s for s in shares if s is not None]
    share = None
    if shares:
        share = str(quantize(sum(shares) / len(shares), SHARE))
    return {
        "settlements": total,
        "median_days": None if median is None else str(median),
        "mean_days": None if mean is None else str(mean),
        "manual_limit_days": _manual_limit(contracts),
        "manual_within_limit_share": share,
    }


def _median(histogram: dict[int, int], total: int) -> Decimal:
    ordered = sorted(histogram.items())

    def at(position: int) -> int:  # 0-based position in the sorted list of days
        seen = 0
        for days, n in ordered:
            seen += n
            if position < seen:
                return days
        return ordered[-1][0]

    if total % 2:
        return quantize(Decimal(at(total // 2)), TENTH)
    return quantize(Decimal(at(total // 2 - 1) + at(total // 2)) / 2, TENTH)


@dataclass(frozen=True)
class PaidInYear:
    """What the year's settlements were owed (first computations plus adjustments), read in
    one pass over the compensations and their records (`paid_in_year`), in fen."""

    # (region, tier index, people, fen) of the people owed more than nothing in the year
    by_region_tier: list[tuple[str, int, int, int]]
    # (year, month) -> (fen, first computations owing something, people owed something)
    by_month: dict[tuple[int, int], tuple[int, int, int]]

    @property
    def total(self) -> Decimal:
        return _yuan(sum(fen for fen, _settlements, _people in self.by_month.values()))


def paid_in_year(contracts: list[Contract], year: int) -> PaidInYear:
    """The beneficiaries, the months and the claims paid of the disclosure from one scan of the
    year's compensations and adjustments joined to their records (each of the three used to
    scan them on its own: at a city's size, wide rows read four times).

    The rows are first summed per person and settlement month to the fen as integers, so every
    figure above them is exact on SQLite's floats as on PostgreSQL's numeric; tiers and regions
    are grouped in the database (a city's people never pass through Python)."""
    if not contracts:
        return PaidInYear([], {})
    month = {"y": ExtractYear("record__setl_time"), "mo": ExtractMonth("record__setl_time")}
    owing = Case(When(total__gt=0, then=Value(1)), default=Value(0))
    rows = [
        _computed(model, contracts, year)
        .values(p=F("record__person_id"), **month, a=F("total"))
        .annotate(paid=owing if model is Compensation else Value(0))
        .order_by()  # SQLite takes no ORDER BY inside a UNION
        for model in (Compensation, CompensationAdjustment)
    ]
    union, params = rows[0].union(rows[1], all=True).query.sql_with_params()
    tier = " ".join(
        f"WHEN pp.fen >= {int(low * 100)}"
        + ("" if high is None else f" AND pp.fen < {int(high * 100)}")
        + f" THEN {i}"
        for i, (low, high, _label) in enumerate(TIERS)
    )
    person, region = Person._meta.db_table, Region._meta.db_table
    # only our own table names and the fixed tiers are interpolated; values go as parameters.
    # kind 0: a month (y, mo, fen, settlements owing, people owing); kind 1: a region and tier
    sql = f"""
        WITH pm AS (
            SELECT u.p AS p, u.y AS y, u.mo AS mo, CAST(ROUND(SUM(u.a) * 100) AS BIGINT) AS fen,
                   SUM(u.paid) AS paid
            FROM ({union}) u GROUP BY u.p, u.y, u.mo
        )
        SELECT 0, NULL, y, mo, SUM(fen), SUM(paid), SUM(CASE WHEN paid > 0 THEN 1 ELSE 0 END)
        FROM pm GROUP BY y, mo
        UNION ALL
        SELECT 1, rg.name, CASE {tier} END, NULL, SUM(pp.fen), COUNT(*), NULL
        FROM (SELECT p, SUM(fen) AS fen FROM pm GROUP BY p) pp
        JOIN {person} ps ON ps.id = pp.p
        LEFT JOIN {region} rg ON rg.id = ps.region_id
        WHERE pp.fen > 0
        GROUP BY rg.name, CASE {tier} END
    """  # noqa: S608
    by_region_tier, by_month = [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, name, a, b, fen, n, people in cursor.fetchall():
            if kind == 0:
                by_month[(int(a), int(b))] = (int(fen), int(n), int(people))
            else:
                by_region_tier.append((name or "—", int(a), int(n), int(fen)))
    return PaidInYear(by_region_tier, by_month)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def beneficiaries_section(paid: PaidInYear) -> dict:
    totals = paid.by_region_tier
    tiers = []
    for i, (_low, _high, label) in enumerate(TIERS):
        inside = [(n, fen) for _region, t, n, fen in totals if t == i]
        tiers.append(
            {
                "label": label,
                "people": sum(n for n, _fen in inside),
                "amount": _yuan(sum(fen for _n, fen in inside)),
            }
        )
    regions: dict[str, dict] = {}
    for name, _tier, n, fen in totals:
        row = regions.setdefault(name, {"label": name, "people": 0, "amount": ZERO})
        row["people"] += n
        row["amount"] += _yuan(fen)
    return {
        "people": _count_cell(sum(n for _r, _t, n, _f in totals)),
        "amount": money(_yuan(sum(fen for _r, _t, _n, fen in totals))),
        "by_tier": suppress(tiers),
        "by_region": suppress(sorted(regions.values(), key=lambda r: r["label"])),
    }


def monthly_section(contracts: list[Contract], year: int, paid: PaidInYear) -> list[dict]:
    """Compensation by settlement month (first computations plus adjustments) and the number of
    settlements and distinct people with a payment that month."""
    rows = []
    for key in _months(contracts, year):
        fen, settlements, people = paid.by_month.get(key, (0, 0, 0))
        rows.append(
            {
                "month": f"{key[0]}-{key[1]:02d}",
                "settlements": settlements,
                "people": people,
                "amount": _yuan(fen),
            }
        )
    # months are a time series, not a partition to protect by complement: suppress cell by cell
    mark = suppressed_mark()
    for row in rows:
        small = 0 < row["people"] < min_cell()
        row["suppressed"] = small
        row["amount"] = mark if small else money(row["amount"])
        if small:
            row["people"] = row["settlements"] = mark
    return rows


def finance_section(contracts: list[Contract], year: int, paid: PaidInYear) -> dict:
    """Income and expenditure of the year: funds raised, transferred, claims paid, reserve,
    and — once the year-end settlement is approved — surplus or loss and where it went. Claims
    paid: what the engine says was owed on the settlements each contract's year pays for (the
    contract year's claims window, as `compensation_due_total` reads it)."""
    totals = {k: ZERO for k in ("raised", "transferred", "held", "released", "returned")}
    claims_paid = paid.total
    for c in contracts:
        for key, value in fund_summary(contract=c, year=year).items():
            totals[key] += value
    settlements = list(
        YearEndSettlement.objects.filter(
            contract__in=contracts, year=year, status=SettlementStatus.APPROVED
        ).prefetch_related("lines")
    )
    settled = bool(settlements) and len(settlements) == len(contracts)
    section = {
        "raised": money(totals["raised"]),
        "transferred": money(totals["transferred"]),
        "reserve_held": money(totals["held"]),
        "reserve_released": money(totals["released"]),
        "reserve_returned": money(totals["returned"]),
        "claims_paid": money(claims_paid),
        "balance": money(totals["raised"] - claims_paid),
        "settled": settled,
        "to_return": money(sum((s.to_return for s in settlements), ZERO)),
        "to_carry": money(sum((s.to_carry for s in settlements), ZERO)),
        "loss_fund_share": money(sum((s.loss_fund_share for s in settlements), ZERO)),
        "lines": [
            {"label": line.label, "amount": money(line.amount)}
            for s in settlements
            for line in s.lines.all()
        ],
    }
    ratio = payout_ratio(claims_paid=claims_paid, premium=totals["raised"])
    section["payout_ratio"] = None if ratio is None else str(ratio)
    section["funding_approved"] = any(funding_current(contract=c, year=year) for c in contracts)
    return section


def complaints_total(contracts: list[Contract], year: int) -> dict:
    from claims.supervision.selectors import complaint_figures

    received = answered_on_time = 0
    for c in contracts:
        f = complaint_figures(c, year)
        received += f["received"]
        answered_on_time += f["on_time"]
    return {"received": received, "on_time": answered_on_time}
