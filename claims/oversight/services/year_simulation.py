"""One scheme year of one contract, run through the portal's own services, and its money.

`year_simulate(scenario)` (the `simulate_year` command) runs a scenario (docs/scenarios.md) inside
a transaction that is rolled back: scheme year, plan, contract, people and their enrolments, the
funding (calculated by a maker, approved by a checker), the settlement files through the real
ingest and benefit engine, the four quarterly transfers (prepared, approved, paid), the reserve
released by the evaluation score, and the year-end settlement (prepared and approved). It
returns the year's money as a JSON-ready dict. `year_run` does the same inside the caller's
transaction, for the demo.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from audit.services import user_ensure
from audit.workflow import reason_if_warned
from claims.oversight.services.scenarios import Scenario, ScenarioError
from claims.oversight.services.year_end import year_end_prepare_for
from claims.settlements.models import (
    Compensation,
    CompensationAdjustment,
    QuotaPoolEntry,
    SettlementRecord,
)
from claims.settlements.services.batches import batch_errors, batch_process, batch_receive
from contracts.choices import ContractStatus, LedgerAccount
from contracts.models import Contract, ContractMember, Insurer, ReserveRelease, Transfer
from contracts.periods import QUARTERS, contract_year, quarter_in_term
from contracts.selectors import funding_current, ledger_balances
from contracts.services.funding import funding_approve, funding_calculate
from contracts.services.reserves import reserve_release, reserve_release_move
from contracts.services.transfers import transfer_create, transfer_move
from contracts.services.year_end import carried_in_record, year_end_approve
from insurance.choices import EnrollmentStatus, PaymentChannel, RegionLevel
from insurance.engine.money import quantize
from insurance.identity import certno_check_digit
from insurance.models import BenefitPlan, Enrollment, Person, Region, Scheme, SchemeYear
from insurance.services.enrollment import enrollment_cancel, enrollment_create
from insurance.services.people import person_create, special_status_add
from insurance.services.plans import plan_activate, plan_for_code, plan_save_draft

ZERO = Decimal("0.00")
SIM_REGION = ("990000", "模拟统筹区")


class _Rollback(Exception):
    """Raised to leave the simulation's transaction without a trace."""


def year_simulate(scenario: Scenario) -> dict:
    """Run the scenario and roll everything back; the year's money as a dict."""
    result: dict = {}
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        try:
            with transaction.atomic():
                result = year_run(scenario)
                raise _Rollback
        except _Rollback:
            pass
    return result


def _actors(tag: str) -> dict:
    """A maker (finance) and a checker (director) who exist for this run only."""
    return {
        role: user_ensure(username=f"sim_{role}_{tag}", role_code=role)[0]
        for role in ("finance", "director")
    }


def _certno(birth: dt.date, index: int, sex: str) -> str:
    """A valid ID number, unique for each index: 500 per region code, a code per 500 people."""
    seq = f"{index % 100:02d}{(index // 100) % 5 * 2 + (1 if sex == '1' else 0)}"
    first17 = f"99{index // 500 % 10000:04d}{birth:%Y%m%d}{seq}"
    return first17 + certno_check_digit(first17)


def _plan(scenario: Scenario, actor) -> BenefitPlan:
    if scenario.plan_document is None:
        plan = plan_for_code(scenario.plan_code)
        if plan is None:
            raise ScenarioError([f"{scenario.path.name} plan：未知的方案编码 / unknown plan"])
        return plan
    document = dict(scenario.plan_document)
    existing = BenefitPlan.objects.filter(code=document.get("code", "")).order_by("-version")
    if existing.exists():  # a what-if version beside the stored ones
        document["version"] = existing.first().version + 1
    try:
        plan = plan_save_draft(plan=BenefitPlan(document=document), actor=actor)
    except Exception as exc:
        messages = getattr(exc, "messages", [str(exc)])
        raise ScenarioError([f"{scenario.path.name} plan_file：{m}" for m in messages]) from exc
    return plan_activate(plan=plan, actor=actor)


def _scheme_year(scenario: Scenario, plan: BenefitPlan, region: Region, tag: str) -> SchemeYear:
    scheme = Scheme.objects.create(
        code=f"SIM-{tag}", name=scenario.name[:128], kind=scenario.scheme_kind, region=region
    )
    references = {
        "prev_disposable_income_urban": scenario.references.get("disposable_income_urban"),
        "prev_disposable_income_rural": scenario.references.get("disposable_income_rural"),
        "prev_basic_funding_per_capita": scenario.references.get("basic_funding_per_capita"),
    }
    return SchemeYear.objects.create(
        scheme=scheme,
        year=scenario.year,
        coverage_start=scenario.coverage_start,
        coverage_end=scenario.coverage_end,
        insurance_year_start=scenario.insurance_year_start,
        funding_kind=scenario.funding_kind,
        funding_params=scenario.funding_params,
        plan=plan,
        **references,
    )


def _contract(scenario: Scenario, scheme_year: SchemeYear, tag: str) -> Contract:
    terms = dict(scenario.contract)
    insurer = Insurer.objects.create(
        name=f"模拟承办保险机构 {tag}",
        credit_code=_credit_code(tag),
        health_insurance_licensed=True,
    )
    terms.setdefault("starts_on", scheme_year.insurance_start)
    terms.setdefault("ends_on", dt.date(scheme_year.coverage_end.year + 2, 12, 31))
    terms.setdefault("coverage_from", min(scheme_year.coverage_start, terms["starts_on"]))
    terms = {k: v for k, v in terms.items() if v is not None}
    contract = Contract.objects.create(
        number=f"SIM-{tag}",
        scheme=scheme_year.scheme,
        lead_insurer=insurer,
        status=ContractStatus.ACTIVE,
        **terms,
    )
    ContractMember.objects.create(contract=contract, insurer=insurer, share=Decimal("100.00"))
    from contracts.rules import money_term_errors

    problems = money_term_errors(contract)
    if problems:
        raise ScenarioError(
            [f"{scenario.path.name} contract.{k}：{'；'.join(v)}" for k, v in problems.items()]
        )
    return contract


def _credit_code(tag: str) -> str:
    from insurance.identity import uscc_check_char

    first17 = f"91{int(tag, 16) % 10**15:015d}"
    return first17 + uscc_check_char(first17)


def _people(scenario: Scenario, scheme_year: SchemeYear, region: Region, actor) -> list:
    taken = set(
        Person.objects.filter(psn_no__in=[p.psn_no for p in scenario.persons]).values_list(
            "psn_no", flat=True
        )
    )
    if taken:
        rows = [p for p in scenario.persons if p.psn_no in taken]
        raise ScenarioError(
            [
                f"{scenario.persons_file} 第{p.row}行 psn_no：{p.psn_no} 已在本数据库登记；"
                f"请在不含这些人员的数据库上模拟 / already registered in this database: run the "
                f"simulation on a database without them (docs/scenarios.md)"
                for p in rows
            ]
        )
    leavers = []
    for index, row in enumerate(scenario.persons):
        person = person_create(
            actor=actor,
            psn_no=row.psn_no,
            certno=_certno(row.birth_date, index, row.sex),
            name=f"模拟{index + 1:04d}",
            insutype=row.insutype,
            psn_type=row.psn_type,
            region=region,
            sex=row.sex,
            birth_date=row.birth_date,
            insured_since=row.insured_since,
            cvlserv_flag=row.cvlserv_flag,
        )
        _person_facts(person, row)
        for kind, start, end in row.statuses:
            special_status_add(
                actor=actor,
                person=person,
                kind=kind,
                valid_from=start or dt.date(1900, 1, 1),
                valid_to=end,
            )
        enrollment = enrollment_create(
            actor=actor,
            person=person,
            scheme_year=scheme_year,
            start_date=row.enrol_start,
            premium=row.premium,
            payment_channel=None
            if row.payment_channel == PaymentChannel.NONE
            else row.payment_channel,
        )
        if row.left_on is not None and row.left_on <= enrollment.start_date:
            # withdrawn before cover began: the premium is refunded (R-JN-1), before funding
            enrollment_cancel(
                actor=actor, enrollment=enrollment, on_date=row.left_on, reason="退保（模拟）"
            )
        elif row.left_on is not None:
            leavers.append((row, enrollment))
    return leavers


def _leave(scenario: Scenario, leavers: list, actor) -> None:
    """People leave after the year's settlements are in: the unused personal quota the pool
    receives is what the quota line had not paid them by then (R-ENT-2)."""
    for row, enrollment in leavers:
        later = SettlementRecord.objects.filter(
            psn_no=row.psn_no, setl_time__date__gte=row.left_on, refd_setl_flag=False
        ).values_list("setl_id", flat=True)
        if later:
            raise ScenarioError(
                [
                    f"{scenario.persons_file} 第{row.row}行 left_on：{row.left_on} 离职，但结算 "
                    f"{', '.join(later)} 在其后 / settlements after the leaving day"
                ]
            )
        enrollment_cancel(
            actor=actor, enrollment=enrollment, on_date=row.left_on, reason="离职（模拟）"
        )


def _person_facts(person: Person, row) -> None:
    """The facts a plan's eligibility may read that person_create does not take."""
    changed = []
    for name, value in (("rural", row.rural), ("hire_date", row.hire_date)):
        if hasattr(person, name) and getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if changed:
        person.save(update_fields=changed)


def _ingest(scenario: Scenario, contract: Contract) -> list[dict]:
    batches = []
    for path in scenario.settlement_files:
        with path.open("rb") as fh:
            received = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False)
        batch = batch_process(batch_id=received.batch.pk)
        if batch.status != "applied":
            located = [
                f"{path.name} 第{e.get('row', '')}行 {e.get('column', '')}："
                f"{e.get('message', '')} / {e.get('message_en', '')}"
                for e in batch_errors(batch)[:50]
            ]
            problem = batch.file_problem or ""
            raise ScenarioError(located or [f"{path.name}：{problem}"])
        batches.append({"file": path.name, "rows": batch.rows_total, "batch": batch.pk})
    return batches


# the reason a simulated approval gives when its figures look implausible (a scenario may well
# state a year of 4000% claims): the year is replayed as the file says
SIMULATED = "模拟年度：按情景文件的数字办理"


def _simulated(doc, move: str) -> str:
    return reason_if_warned(doc, move, SIMULATED)


def _pay_quarters(contract: Contract, year: int, actors: dict) -> list[dict]:
    period = contract_year(contract, year)
    rows = []
    for quarter in QUARTERS:
        if not quarter_in_term(contract, period, quarter):
            continue
        transfer, _created = transfer_create(contract_id=contract.pk, year=year, quarter=quarter)
        start, end = period.quarter_bounds(quarter)
        if transfer is not None:
            transfer_move(transfer=transfer, move="prepare", actor=actors["finance"])
            transfer_move(
                transfer=transfer,
                move="approve",
                actor=actors["director"],
                reason=_simulated(transfer, "approve"),
            )
            transfer_move(
                transfer=transfer,
                move="pay",
                actor=actors["finance"],
                paid_on=start,
                bank_reference=f"SIM-{year}-Q{quarter}",
            )
        rows.append(
            {
                "quarter": quarter,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "transferred": str(transfer.amount if transfer else ZERO),
                "reserve_held": str(transfer.reserve_part if transfer else ZERO),
            }
        )
    return rows


def _release(contract: Contract, year: int, score: Decimal | None, actors: dict) -> dict:
    held = Transfer.objects.filter(contract=contract, year=year).aggregate(s=Sum("reserve_part"))
    held = held["s"] or ZERO
    if not held:
        return {"held": "0.00", "score": None, "released": "0.00", "forfeited": "0.00"}
    if score is None:
        raise ScenarioError(["evaluation.score：合同设有考核预留款，请给出考核得分 / the "
                             "contract holds a reserve: give the evaluation score"])  # fmt: skip
    release = reserve_release(
        contract=contract,
        year=year,
        score=score,
        evaluation_ref="模拟考核",
        actor=actors["finance"],
    )
    reserve_release_move(
        release=release,
        move="approve",
        actor=actors["director"],
        reason=_simulated(release, "approve"),
    )
    reserve_release_move(
        release=release,
        move="pay",
        actor=actors["finance"],
        paid_on=contract_year(contract, year).end,
        bank_reference=f"SIM-{year}-R",
    )
    release = ReserveRelease.objects.get(pk=release.pk)
    return {
        "held": str(release.held),
        "score": str(score),
        "release_percent": str(release.release_percent),
        "released": str(release.released),
        "forfeited": str(release.returned),
    }


def _benefits(contract: Contract) -> dict:
    records = SettlementRecord.objects.filter(contract=contract)
    owed: dict[str, Decimal] = {}
    for setl_id, total in Compensation.objects.filter(record__in=records).values_list(
        "record__setl_id", "total"
    ):
        owed[setl_id] = owed.get(setl_id, ZERO) + total
    for setl_id, total in CompensationAdjustment.objects.filter(record__in=records).values_list(
        "record__setl_id", "total"
    ):
        owed[setl_id] = owed.get(setl_id, ZERO) + total
    return {
        "total": str(sum(owed.values(), ZERO)),
        "settlements": len(owed),
        "by_setl_id": {k: str(v) for k, v in sorted(owed.items())},
    }


@contextmanager
def _step(scenario: Scenario, where: str):
    """A service's refusal, located at the scenario's part it came from."""
    try:
        yield
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        raise ScenarioError([f"{scenario.path.name} {where}：{m}" for m in messages]) from exc


def year_run(scenario: Scenario) -> dict:
    """Run the scenario in the caller's transaction (nothing is rolled back here)."""
    tag = uuid.uuid4().hex[:12]
    actors = _actors(tag)
    region, _c = Region.objects.get_or_create(
        code=SIM_REGION[0], defaults={"name": SIM_REGION[1], "level": RegionLevel.CITY}
    )
    with _step(scenario, "plan"):
        plan = _plan(scenario, actors["director"])
    with _step(scenario, "year"):
        scheme_year = _scheme_year(scenario, plan, region, tag)
    with _step(scenario, "contract"):
        contract = _contract(scenario, scheme_year, tag)
    with _step(scenario, f"persons（{scenario.persons_file}）"):
        leavers = _people(scenario, scheme_year, region, actors["finance"])
    inputs = dict(scenario.funding_inputs)
    snapshot = inputs.pop("snapshot_date", None)
    with _step(scenario, "funding"):
        calc = funding_calculate(
            contract=contract,
            year=scenario.year,
            actor=actors["finance"],
            snapshot_date=snapshot,
            **inputs,
        )
        funding_approve(calculation=calc, actor=actors["director"])
    if scenario.carried_in:
        with _step(scenario, "carried_in"):
            carried_in_record(
                contract=contract,
                year=scenario.year,
                amount=scenario.carried_in,
                actor=actors["finance"],
                reason="上年结余（情景输入）",
            )
    batches = _ingest(scenario, contract)
    with _step(scenario, f"persons（{scenario.persons_file}）left_on"):
        _leave(scenario, leavers, actors["finance"])
    with _step(scenario, "contract"):
        transfers = _pay_quarters(contract, scenario.year, actors)
    with _step(scenario, "evaluation"):
        reserve = _release(contract, scenario.year, scenario.evaluation_score, actors)
    with _step(scenario, "year_end"):
        settlement = year_end_prepare_for(
            contract=contract, year=scenario.year, actor=actors["finance"], **scenario.year_end
        )
        settlement = year_end_approve(
            settlement=settlement,
            actor=actors["director"],
            note=_simulated(settlement, "approve"),
        )
    return _result(scenario, plan, contract, calc, batches, transfers, reserve, settlement)


def _result(scenario, plan, contract, calc, batches, transfers, reserve, settlement) -> dict:
    lines = {line.code: str(line.amount) for line in settlement.lines.all()}
    balances = ledger_balances(contract=contract, year=scenario.year)
    insurer_holds = sum(
        (v for (_f, _y, a), v in balances.items() if a == LedgerAccount.INSURER), ZERO
    )
    funding = funding_current(contract=contract, year=scenario.year)
    pool = QuotaPoolEntry.objects.filter(scheme_year__scheme=contract.scheme)
    enrolled = Enrollment.objects.filter(scheme_year__scheme=contract.scheme).exclude(
        status=EnrollmentStatus.CANCELLED
    )
    return {
        "scenario": scenario.name,
        "plan": {"code": plan.code, "version": plan.version},
        "year": scenario.year,
        "insurance_year": {
            "from": contract_year(contract, scenario.year).insurance_start.isoformat(),
            "to": contract_year(contract, scenario.year).end.isoformat(),
        },
        "people": {"persons": len(scenario.persons), "enrolled_at_year_end": enrolled.count()},
        "batches": batches,
        "benefits": _benefits(contract),
        "quota_pool": {
            "entries": pool.count(),
            "total": str(quantize(pool.aggregate(s=Sum("amount"))["s"] or ZERO)),
        },
        "funding": {
            "total": str(calc.result),
            "premium": str(funding.premium),
            "by_source": {source: str(amount) for source, amount in calc.part_amounts()},
            "explanation": calc.explanation.splitlines(),
        },
        "transfers": transfers,
        "reserve": reserve,
        "year_end": {
            "rule": settlement.rule,
            "claims": str(settlement.claims_paid),
            "payout_ratio": str(settlement.payout_ratio),
            "insurer_income": lines.get("received"),
            "interest": lines.get("interest"),
            "platform_fee": lines.get("platform_fee"),
            "profit_cap": lines.get("profit_cap"),
            "profit": str(max(settlement.insurer_result, ZERO)),
            "carried_over": str(settlement.to_carry),
            "returned_to_fund": str(settlement.to_return),
            "paid_to_insurer": str(settlement.to_pay),
            "loss": str(max(-settlement.insurer_result, ZERO) + settlement.loss_fund_share),
            "loss_insurer": str(max(-settlement.insurer_result, ZERO)),
            "loss_fund": str(settlement.loss_fund_share),
            "insurer_balance": str(settlement.insurer_result),
            "adjustment_proposed": settlement.adjustment_proposed,
            "lines": lines,
        },
        "ledger": {
            "insurer_holds": str(insurer_holds),
            "by_account": {
                account: str(sum((v for (_f, _y, a), v in balances.items() if a == account), ZERO))
                for account in LedgerAccount.values
            },
        },
    }
