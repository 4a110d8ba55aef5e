"""Demo data for `make run`: the six seed schemes run as a bureau runs them, dated from today.

For each scheme: its shipped plan (a new version where the shipped one does not cover the demo
years), a contract with its seed's money terms, the city's people enrolled for last year and this
year, and settlement files made the way one-stop settlement writes them (the scheme's own payment
in its plan's field). Last year is closed: every quarter paid, the evaluation approved, the reserve
released, the year-end settlement approved, the disclosure report published. This year runs:
settlements up to yesterday, every quarter begun so far transferred except the newest, which waits
for the director. Everything goes through the portal's services with the demo accounts as makers
and checkers. Idempotent: a scheme whose contract exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import User
from audit.workflow import reason_if_warned
from claims.oversight.services.disclosure import disclosure_draft, disclosure_move
from claims.oversight.services.evaluation import evaluation_draft, evaluation_move, evaluation_score
from claims.oversight.services.year_end import claims_paid_to_date, year_end_prepare_for
from claims.settlements.services.batches import batch_process, batch_receive
from claims.settlements.services.compute import _person_facts
from claims.synthetic import settlement_rows, write_settlement_csv
from contracts.choices import ContractStatus, LossSharing, SettlementRule, SurplusRule
from contracts.models import Contract, ContractMember, Insurer, PerformanceBond, ReserveRelease
from contracts.periods import QUARTERS, contract_year, quarter_in_term
from contracts.selectors import insurer_of
from contracts.services.funding import funding_approve, funding_calculate
from contracts.services.insurers import insurer_user_link
from contracts.services.reserves import reserve_release_move
from contracts.services.transfers import transfer_create, transfer_move
from contracts.services.year_end import year_end_approve
from insurance.choices import EnrollmentKind, FundingKind, InsuType, PaymentChannel, PersonStatus
from insurance.engine import Settlement, compile_plan, compute_many
from insurance.engine.money import quantize
from insurance.models import BenefitPlan, Enrollment, Person, Region, Scheme, SchemeYear
from insurance.services.plans import plan_activate, plan_for_code, plan_new_version

REFERENCES = {
    "prev_disposable_income_urban": Decimal("48500.00"),
    "prev_disposable_income_rural": Decimal("22100.00"),
    "prev_basic_funding_per_capita": Decimal("1020.00"),
}


@dataclass(frozen=True)
class DemoScheme:
    code: str
    name: str
    kind: str
    plan: str
    funding_kind: str
    funding_params: dict
    terms: dict
    insurer: tuple[str, str]  # name, unified social credit code
    # the payout ratio the demo's funding is sized for (its claims, where buyers fund it)
    payout: Decimal | None
    july: bool = False  # insurance years run July to June (Huizhou)
    who: str = "all"  # employees / residents / all / buyers
    rows: int = 240  # settlements a year
    extra: dict = field(default_factory=dict)


def _terms(**kwargs) -> dict:
    base = {
        "settlement_rule": SettlementRule.PROFIT_CAP,
        "transfer_share": Decimal("80.00"),
        "reserve_share": Decimal("20.00"),
        "profit_cap": Decimal("5.00"),
        "surplus_rule": SurplusRule.CARRY_OVER,
        "loss_sharing": LossSharing.ALL,
        "loss_share_insurer": Decimal("50.00"),
    }
    base.update(kwargs)
    return base


# The demo's figures are plausible (funding sized to the claims, or the claims to what buyers
# paid; tests/claims/test_demo.py); should a generated figure still look implausible
# (audit.plausibility), the history says why the demo went on with this reason.
DEMO_REASON = "演示数据：按生成的数字办理"
NO_RESERVE = {"transfer_share": Decimal("100.00"), "reserve_share": Decimal("0.00")}

SCHEMES = (
    DemoScheme(
        "EMP-SUPP", "职工基本医疗保险商业补充保险（鄂尔多斯方案）", "employee_supp", "ordos-2018",
        FundingKind.PER_CAPITA, {"amount": "60.00", "source": "employee_large_fund"},
        _terms(), ("示范人寿保险股份有限公司示范市中心支公司", "91150600MA0DEMO01X"),
        Decimal("0.82"), who="employees",
    ),
    DemoScheme(
        "RES-CRIT", "城乡居民大病保险（内蒙古框架，示例参数）", "resident_critical",
        "inner-mongolia-2015", FundingKind.BASIC_FUNDING_PERCENT, {"percent": "5.5"},
        _terms(surplus_rule=SurplusRule.RETURN_TO_FUND, loss_sharing=LossSharing.POLICY_CHANGES,
               **NO_RESERVE),
        ("示范财产保险股份有限公司示范市分公司", "91150600MA0DEMO02X"), Decimal("0.88"),
        who="residents",
    ),
    DemoScheme(
        "UNIV-SUPP", "全民补充医疗保险（青岛方案）", "universal_supp", "qingdao-2017",
        FundingKind.COMPOSITE, {}, _terms(surplus_rule=SurplusRule.RETURN_TO_FUND, **NO_RESERVE),
        ("示范人寿保险股份有限公司示范市中心支公司", "91150600MA0DEMO01X"), Decimal("0.76"),
    ),
    DemoScheme(
        "HMB", "城市定制型商业补充医疗保险“示惠保”（济宁方案，示例参数）", "city_voluntary",
        "jining-2022", FundingKind.VOLUNTARY_PREMIUM, {"premium": "99.00", "months": "12"},
        _terms(settlement_rule=SettlementRule.SELF_FUNDED, loss_sharing=LossSharing.NONE,
               platform_fee_kind="rate", platform_fee_rate=Decimal("4.50"), **NO_RESERVE),
        ("示范健康保险股份有限公司示范市分公司", "91150600MA0DEMO03X"), Decimal("0.90"),
        who="buyers",
        rows=40,
    ),
    DemoScheme(
        "CRIT-2ND", "大病二次补偿（惠州方案）", "resident_critical", "huizhou-2013",
        FundingKind.FIXED_TOTAL, {}, _terms(settlement_rule=SettlementRule.PAYOUT_RATIO,
                                            **NO_RESERVE),
        ("示范人寿保险股份有限公司示范市中心支公司", "91150600MA0DEMO01X"), Decimal("0.97"),
        july=True,
    ),
    DemoScheme(
        "ENT-SUPP", "企业补充医疗保险（公司方案，示例参数）", "enterprise_supp",
        "shaanxi-enterprise-2011", FundingKind.PAYROLL_PERCENT,
        {"percent": "4", "stop_percent": "8", "deductible_percent": "5"},
        _terms(profit_cap=Decimal("0.00"), loss_share_insurer=Decimal("0.00"), **NO_RESERVE),
        ("示范人寿保险股份有限公司示范市中心支公司", "91150600MA0DEMO01X"), Decimal("0.60"),
        who="employees",
    ),
)  # fmt: skip


def demo_years(today: dt.date, july: bool) -> tuple[int, int]:
    """(last year, this year): the insurance year closed most recently and the one running."""
    running = today.year if not july or today.month >= 7 else today.year - 1
    return running - 1, running


def _bounds(year: int, july: bool) -> tuple[dt.date, dt.date]:
    if july:
        return dt.date(year, 7, 1), dt.date(year + 1, 6, 30)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _q(value) -> Decimal:
    return quantize(Decimal(value))


class Actors:
    def __init__(self):
        users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
        self.finance = users["demo_finance"]
        self.director = users["demo_director"]
        self.reviewer = users["demo_reviewer"]
        self.insurer = users.get("demo_insurer")


# --- plans, schemes, people ---------------------------------------------------------------------


def _plan_covering(code: str, start: dt.date, actor) -> BenefitPlan:
    """The stored plan, or a new version of it whose dates cover the demo years (a new product
    year is a new document: docs/plans.md)."""
    plan = plan_for_code(code)
    parsed = plan.parsed
    if parsed.effective_from <= start and parsed.effective_to is None:
        return plan
    draft = plan_new_version(plan=plan, actor=actor)
    document = dict(draft.document)
    document["effective_from"] = start.isoformat()
    document.pop("effective_to", None)
    document.pop("accumulate_from", None)
    draft.document = document
    draft.full_clean()
    draft.save()
    return plan_activate(plan=draft, actor=actor)


def _scheme_years(spec: DemoScheme, city: Region, plan, years) -> list[SchemeYear]:
    scheme, _c = Scheme.objects.get_or_create(
        code=spec.code, defaults={"name": spec.name, "kind": spec.kind, "region": city}
    )
    out = []
    for year in years:
        start, end = _bounds(year, spec.july)
        row, _c = SchemeYear.objects.get_or_create(
            scheme=scheme,
            year=year,
            defaults={
                "coverage_start": start,
                "coverage_end": end,
                "funding_kind": spec.funding_kind,
                "funding_params": spec.funding_params or {"total": "0"},
                "plan": plan,
                **REFERENCES,
            },
        )
        out.append(row)
    return out


def _members(spec: DemoScheme) -> list[Person]:
    people = Person.objects.filter(status=PersonStatus.ACTIVE).order_by("psn_no")
    if spec.who == "employees":
        people = people.filter(insutype=InsuType.EMPLOYEE)
    elif spec.who == "residents":
        people = people.filter(insutype=InsuType.RESIDENT)
    people = list(people)
    if spec.code == "ENT-SUPP":  # the company's staff: those with a hire date, and retirees
        people = [p for p in people if p.hire_date or p.psn_type == "12"]
    if spec.who == "buyers":
        people = people[::4]
    return people


def _enrol(spec: DemoScheme, year: SchemeYear, people: list[Person], first: bool) -> None:
    """Bulk enrolments (the register's people as of the demo); benefits from the engine's rule
    are met by the city's facts (insured for years, hired before the year)."""
    rows = []
    for index, person in enumerate(people):
        channel, premium = PaymentChannel.NONE, Decimal("0.00")
        if spec.who == "buyers":
            employee = person.insutype == InsuType.EMPLOYEE
            channel = (
                PaymentChannel.OWN_ACCOUNT
                if employee and index % 3 == 0
                else (
                    (PaymentChannel.WECHAT, PaymentChannel.ALIPAY, PaymentChannel.COUNTER)[
                        index % 3
                    ]
                )
            )
            premium = Decimal("99.00")
        start = year.coverage_start
        served = person.hire_date and person.hire_date.replace(year=person.hire_date.year + 1)
        benefits_from = max(start, served) if spec.code == "ENT-SUPP" and served else start
        rows.append(
            Enrollment(
                person=person,
                scheme_year=year,
                kind=EnrollmentKind.FIRST if first else EnrollmentKind.RENEWAL,
                start_date=start,
                end_date=year.coverage_end,
                benefits_from=benefits_from,
                premium=premium,
                payment_channel=channel,
            )
        )
    Enrollment.objects.bulk_create(rows, batch_size=2000)


# --- the contract and its money -----------------------------------------------------------------


def _contract(spec: DemoScheme, first: SchemeYear, actors: Actors) -> Contract:
    name, code = spec.insurer
    insurer, _c = Insurer.objects.get_or_create(
        credit_code=code,
        defaults={"name": name, "health_insurance_licensed": True,
                  "head_office_name": name.split("股份有限公司")[0] + "股份有限公司"},
    )  # fmt: skip
    start = first.insurance_start
    contract = Contract.objects.create(
        number=f"DEMO-{spec.code}-{first.year}",
        scheme=first.scheme,
        lead_insurer=insurer,
        starts_on=start,
        ends_on=start.replace(year=start.year + 3) - dt.timedelta(days=1),
        coverage_from=first.coverage_start,
        status=ContractStatus.ACTIVE,
        signed_on=start - dt.timedelta(days=20),
        activated_on=start,
        **spec.terms,
    )
    ContractMember.objects.create(contract=contract, insurer=insurer, share=Decimal("100.00"))
    PerformanceBond.objects.create(
        contract=contract, bank="中国工商银行示范市分行", guarantee_no=f"BH-{spec.code}",
        amount=Decimal("2000000.00"), valid_from=start,
        valid_until=contract.ends_on + dt.timedelta(days=90),
    )  # fmt: skip
    if actors.insurer is not None and insurer_of(actors.insurer) is None:
        insurer_user_link(user=actors.insurer, insurer=insurer, actor=None)
    return contract


def _owed(rows: list[dict], year: SchemeYear, compiled) -> dict[str, Decimal]:
    """The engine's benefit of each settlement row, by its setl_id."""
    person_ids = dict(Person.objects.filter(psn_no__in={r["psn_no"] for r in rows}).values_list(
        "psn_no", "id"))  # fmt: skip
    facts, _ids = _person_facts(list(person_ids.values()), year.scheme_id)
    settlements = [Settlement.from_mapping(r) for r in rows]
    return {
        res.setl_id: res.total
        for person in compute_many(plan=compiled, persons=facts, settlements=settlements)
        for res in person.settlements
    }


def _within_budget(rows: list[dict], year: SchemeYear, compiled, budget: Decimal):
    """The rows without the costliest claims until the benefits fit the budget (a scheme funded
    by what its buyers paid cannot be sized to its claims: its claims are sized to it). Each
    row left out changes the later rows' accumulations, so the benefits are computed again."""
    owed = _owed(rows, year, compiled)
    while rows and sum(owed.values(), Decimal(0)) > budget:
        costliest = max(rows, key=lambda r: owed.get(r["setl_id"], Decimal(0)))
        rows = [r for r in rows if r is not costliest]
        owed = _owed(rows, year, compiled)
    return rows, owed


def _own_payment(rows: list[dict], year: SchemeYear, budget: Decimal | None) -> list[dict]:
    """What one-stop settlement writes: the engine's benefit in the plan's own-payment field,
    taken out of the patient's share; with a `budget`, only the rows whose benefits fit it."""
    plan = year.plan.parsed
    field_name = plan.own_payment_field
    compiled = compile_plan(plan=plan, references=year.reference_figures())
    if budget is None:
        owed = _owed(rows, year, compiled)
    else:
        rows, owed = _within_budget(rows, year, compiled, budget)
    for row in rows:
        paid = owed.get(row["setl_id"], Decimal(0))
        if paid <= 0:
            continue
        row[field_name] = f"{paid:.2f}"
        row["fund_pay_sumamt"] = f"{Decimal(row['fund_pay_sumamt']) + paid:.2f}"
        part = Decimal(row["psn_part_amt"]) - paid
        row["psn_part_amt"] = f"{part:.2f}"
        account = min(Decimal(row.get("acct_pay") or 0), part)
        row["acct_pay"], row["psn_cash_pay"] = f"{account:.2f}", f"{part - account:.2f}"
    return rows


def _ingest(contract: Contract, year: SchemeYear, people: list[Person], *, until: dt.date,
            seed: int, count: int, budget: Decimal | None = None) -> None:  # fmt: skip
    start = year.coverage_start
    days = (min(year.coverage_end, until) - start).days
    if days <= 0 or not people:
        return
    pairs = [(p.psn_no, p.insutype) for p in people]
    rows = [row for row in settlement_rows(people=pairs, count=count, year=start.year, seed=seed)]
    shift = start - dt.date(start.year, 1, 1)
    kept = []
    for row in rows:
        when = dt.datetime.fromisoformat(row["setl_time"]) + shift
        if (when.date() - start).days >= days:
            continue
        begin = max(dt.date.fromisoformat(row["begndate"]) + shift, start)
        row.update(
            setl_time=when.strftime("%Y-%m-%d %H:%M:%S"), enddate=when.date().isoformat(),
            begndate=begin.isoformat(),
            setl_id=f"{contract.scheme.code[:3]}{row['setl_id']}-{year.year}",
            mdtrt_id=f"{contract.scheme.code[:3]}{row['mdtrt_id']}-{year.year}",
        )  # fmt: skip
        kept.append(row)
    kept = _own_payment(kept, year, budget)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{contract.scheme.code.lower()}-{year.year}-settlements.csv"
        write_settlement_csv(path, kept, extra_columns=("oth_pay", "hifes_pay", "hifmi_pay"))
        with path.open("rb") as fh:
            received = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False)
    batch_process(batch_id=received.batch.pk)


def _funding(spec: DemoScheme, contract: Contract, year: SchemeYear, actors: Actors, sized):
    """Funding sized so the year's payout ratio is the scheme's demo figure (a bureau's own
    figures differ; the demo's city has 300 people)."""
    kwargs: dict = {}
    amount = sized or Decimal(1)
    if spec.funding_kind == FundingKind.PER_CAPITA:
        kwargs = {"headcount": max(1, int(amount / Decimal("60.00"))),
                  "headcount_source": "职工基本医疗保险参保登记（演示数据）"}  # fmt: skip
    elif spec.funding_kind == FundingKind.BASIC_FUNDING_PERCENT:
        per_capita = _q(REFERENCES["prev_basic_funding_per_capita"] * Decimal("0.055"))
        kwargs = {"headcount": max(1, int(amount / per_capita)),
                  "headcount_source": "城乡居民基本医疗保险参保登记（演示数据）"}  # fmt: skip
    elif spec.funding_kind == FundingKind.FIXED_TOTAL:
        year.funding_params = {"total": f"{_q(amount)}", "split": [
            {"source": "employee_supp_fund", "percent": "80"},
            {"source": "resident_fund", "percent": "20"}]}  # fmt: skip
        year.save(update_fields=["funding_params"])
    elif spec.funding_kind == FundingKind.COMPOSITE:
        # the fiscal part makes up what 20 CNY a person and the interest do not
        per_person = Decimal("20.00") * year.enrollments.count()
        interest = _q(amount / 100)
        amount = max(amount - per_person - interest, Decimal("100.00"))
        year.funding_params = {"components": [
            {"kind": "per_capita", "amount": "20.00", "insutypes": ["310"],
             "source": "employee_personal_account", "label": "参保职工从个人账户划转"},
            {"kind": "per_capita", "amount": "20.00", "insutypes": ["390"],
             "source": "resident_premium", "label": "城乡居民从个人缴费中划转"},
            {"kind": "fixed", "total": f"{_q(amount)}", "label": "财政配套资金（市、区1:1）",
             "split": [{"source": "fiscal_city", "percent": "50"},
                       {"source": "fiscal_district", "percent": "50"}]},
            {"kind": "declared", "key": "interest", "source": "account_interest",
             "label": "职工个人账户保值增值收入"},
        ]}  # fmt: skip
        year.save(update_fields=["funding_params"])
        kwargs = {"declared": {"interest": f"{interest}"}}
    elif spec.funding_kind == FundingKind.PAYROLL_PERCENT:
        kwargs = {"payroll": _q(amount / Decimal("0.04")), "accumulated_balance": Decimal("0"),
                  "payroll_source": "公司上年度财务决算报表（演示数据）",
                  "balance_source": "补充医疗保险基金专户对账单（演示数据）"}  # fmt: skip
    calc = funding_calculate(contract=contract, year=year.year, actor=actors.finance, **kwargs)
    return funding_approve(calculation=calc, actor=actors.director)


def _transfers(contract: Contract, year: int, actors: Actors, *, today: dt.date) -> None:
    """Quarters begun by today: paid, but the newest of a running year, which is prepared and
    waits for the director's approval."""
    period = contract_year(contract, year)
    begun = [q for q in QUARTERS if quarter_in_term(contract, period, q)
             and period.quarter_bounds(q)[0] <= today]  # fmt: skip
    for quarter in begun:
        transfer, _c = transfer_create(contract_id=contract.pk, year=year, quarter=quarter)
        if transfer is None:
            continue
        transfer_move(transfer=transfer, move="prepare", actor=actors.finance)
        if quarter == begun[-1] and period.end >= today:
            continue
        transfer_move(
            transfer=transfer, move="approve", actor=actors.director,
            reason=reason_if_warned(transfer, "approve", DEMO_REASON),
        )  # fmt: skip
        transfer_move(
            transfer=transfer, move="pay", actor=actors.finance,
            paid_on=period.quarter_bounds(quarter)[0] + dt.timedelta(days=6),
            bank_reference=f"DEMO{contract.pk:03d}{year}{quarter}",
        )  # fmt: skip


def _evaluate(contract: Contract, year: int, actors: Actors) -> None:
    evaluation, _c = evaluation_draft(contract=contract, year=year)
    for row in evaluation.scores.all():
        if row.computed_score is None:
            evaluation_score(row=row, manual_score="88", comment="演示：按检查情况评分",
                             actor=actors.reviewer)  # fmt: skip
    evaluation_move(
        evaluation=evaluation, move="submit", actor=actors.reviewer,
        reason=reason_if_warned(evaluation, "submit", DEMO_REASON),
    )  # fmt: skip
    evaluation_move(
        evaluation=evaluation, move="approve", actor=actors.director,
        reason=reason_if_warned(evaluation, "approve", DEMO_REASON),
    )  # fmt: skip
    if not contract.reserve_share:
        return
    release = ReserveRelease.objects.filter(contract=contract, year=year).first()
    if release is None:
        from claims.oversight.services.evaluation import evaluation_reserve_prepare

        try:
            release = evaluation_reserve_prepare(
                evaluation=evaluation, actor=actors.finance
            ).reserve_release
        except ValidationError:
            return
    if release is not None and release.held:
        reserve_release_move(
            release=release, move="approve", actor=actors.director,
            reason=reason_if_warned(release, "approve", DEMO_REASON),
        )  # fmt: skip
        reserve_release_move(
            release=release, move="pay", actor=actors.finance,
            paid_on=contract_year(contract, year).end + dt.timedelta(days=40),
            bank_reference=f"DEMO{contract.pk:03d}{year}R",
        )  # fmt: skip


def _close(contract: Contract, year: int, actors: Actors) -> None:
    settlement = year_end_prepare_for(contract=contract, year=year, actor=actors.finance,
                                      interest=Decimal("1280.00"))  # fmt: skip
    year_end_approve(
        settlement=settlement, actor=actors.director,
        note=reason_if_warned(settlement, "approve", DEMO_REASON),
    )  # fmt: skip
    report = disclosure_draft(scheme=contract.scheme, year=year)
    if report is not None:
        try:
            report = disclosure_move(report=report, move="check", actor=actors.reviewer)
            disclosure_move(
                report=report, move="publish", actor=actors.director,
                reason=reason_if_warned(report, "publish", DEMO_REASON),
            )  # fmt: skip
        except ValidationError:
            pass  # the demo roles may not hold these permissions: the draft waits


def _premium_budget(spec: DemoScheme, year: SchemeYear) -> Decimal | None:
    """For a scheme its buyers fund: the benefits the year's premiums pay at the demo's ratio."""
    if spec.funding_kind != FundingKind.VOLUNTARY_PREMIUM:
        return None
    paid = sum(year.enrollments.values_list("premium", flat=True), Decimal(0))
    return _q(paid * spec.payout)


@transaction.atomic
def _scheme_ensure(spec: DemoScheme, city: Region, actors: Actors, today: dt.date, seed: int):
    last, this = demo_years(today, spec.july)
    plan = _plan_covering(spec.plan, _bounds(last, spec.july)[0], actors.director)
    years = _scheme_years(spec, city, plan, (last, this))
    if Contract.objects.filter(scheme=years[0].scheme).exists():
        return
    people = _members(spec)
    for index, year in enumerate(years):
        if not year.enrollments.exists():
            _enrol(spec, year, people, first=index == 0)
    contract = _contract(spec, years[0], actors)
    # last year: settlements first, then the funding sized to them, then the year's money; what
    # buyers paid is known first, and their claims are sized to it instead
    budget = _premium_budget(spec, years[0])
    _ingest(contract, years[0], people, until=years[0].coverage_end, seed=seed, count=spec.rows,
            budget=budget)  # fmt: skip
    claims = claims_paid_to_date(contract=contract, year=last)
    sized = claims / spec.payout if spec.payout and budget is None else None
    _funding(spec, contract, years[0], actors, sized)
    _transfers(contract, last, actors, today=today)
    _evaluate(contract, last, actors)
    _close(contract, last, actors)
    # this year: the same funding inputs; last year's pattern of costs, up to yesterday
    _funding(spec, contract, years[1], actors, sized)
    yesterday = today - dt.timedelta(days=1)
    _ingest(contract, years[1], people, until=yesterday, seed=seed, count=spec.rows,
            budget=_premium_budget(spec, years[1]))  # fmt: skip
    _transfers(contract, this, actors, today=today)


def demo_claims_ensure(*, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    actors = Actors()
    city = Region.objects.get(code="370800")
    for seed, spec in enumerate(SCHEMES, start=11):
        _scheme_ensure(spec, city, actors, today, seed)
