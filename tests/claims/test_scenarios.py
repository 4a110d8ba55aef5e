"""`simulate_year` runs each seed scheme's worked scenario (docs/scenarios/) through the portal's
services, and the year's money is checked against figures worked by hand from the seed's words.
Nothing the simulation writes stays in the database.

Each worked figure below is computed in the test from the scenario's files and the seed's rules;
the comments give the arithmetic and the seed line.
"""

from __future__ import annotations

import json
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.models import SettlementBatch
from contracts.models import Contract
from insurance.models import Person

SCENARIOS = Path(__file__).resolve().parents[2] / "docs" / "scenarios"
D = Decimal
CENT = D("0.01")
ZERO_POINTS = D(0)


def q(value) -> Decimal:
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def simulate(db, tmp_path):
    def run(name: str) -> dict:
        output = tmp_path / f"{name}.json"
        call_command("simulate_year", str(SCENARIOS / name / "scenario.json"), output=output)
        return json.loads(output.read_text(encoding="utf-8"))

    return run


def money(result: dict, *path: str) -> Decimal:
    value = result
    for key in path:
        value = value[key]
    return D(value)


def test_ordos_year(simulate):
    r = simulate("ordos")
    # R-ORD-6: the patient's burden before this scheme's own payment (psn_part_amt + oth_pay),
    # less the excluded items and what the other two lines paid, above 20,000 per admission, 30%
    s1 = (D("41600") + D("8400") - D("2000") - 20000) * D("0.30")  # 8,400.00
    # R-ORD-5: in-policy costs above the maxima at 80% (60,000 -> 48,000), then the burden
    s2_over = D("60000") * D("0.80")
    s2_burden = (D("42400") + D("57600") - s2_over - 20000) * D("0.30")  # 9,600.00
    # chemotherapy accumulates over the calendar year: 15,000 then 9,900 + 2,100 = 27,000
    s4 = (D("15000") + D("9900") + D("2100") - 20000) * D("0.30")  # 2,100.00
    # a civil-servant-subsidy recipient keeps the old rules for R-ORD-5 (no over-max line)
    s5 = (D("34000") + D("6000") - 20000) * D("0.30")  # 6,000.00
    # R-ORD-7: out-of-catalogue cancer drugs topped up to 70%: 30,000 × 70% − 5,000 reimbursed;
    # the burden left (19,000 + 16,000 − 16,000 = 19,000) stays under 20,000
    s6 = D("30000") * D("0.70") - D("5000")  # 16,000.00
    s8 = (D("23500") + D("1500") - 20000) * D("0.30")  # 1,500.00, reversed by S9
    owed = {
        "ORD-S1": s1, "ORD-S2": s2_over + s2_burden, "ORD-S3": D(0), "ORD-S4": s4,
        "ORD-S5": s5, "ORD-S6": s6, "ORD-S7": D(0), "ORD-S8": s8, "ORD-S9": -s8,
    }  # fmt: skip
    assert {k: D(v) for k, v in r["benefits"]["by_setl_id"].items()} == {
        k: q(v) for k, v in owed.items()
    }
    claims = sum(owed.values())  # 90,100.00
    assert money(r, "benefits", "total") == claims == D("90100")
    # R-ORD-1: 60 CNY × 2,000 insured employees from the 大额 fund
    funding = D("60") * 2000
    assert money(r, "funding", "total") == funding
    assert r["funding"]["by_source"] == {"employee_large_fund": "120000.00"}
    # R-ORD-2: 80% quarterly (24,000 each), 20% held back (6,000 each)
    assert [(D(t["transferred"]), D(t["reserve_held"])) for t in r["transfers"]] == [
        (funding * D("0.8") / 4, funding * D("0.2") / 4)
    ] * 4
    # score 85 releases 80% of the 24,000 reserve
    released = funding * D("0.2") * D("0.8")
    assert money(r, "reserve", "released") == released
    assert money(r, "reserve", "forfeited") == funding * D("0.2") - released
    # R-ORD-3: the insurer received 96,000 + 19,200, earned 300 interest and paid the claims;
    # it keeps at most 5% of the funds (6,000); the rest is carried into next year's funds
    result = funding * D("0.8") + released + D("300") - claims
    cap = funding * D("0.05")
    end = r["year_end"]
    assert D(end["claims"]) == claims and D(end["profit_cap"]) == cap
    assert D(end["carried_over"]) == result - cap  # 19,400.00
    assert D(end["returned_to_fund"]) == 0 and D(end["loss_fund"]) == 0
    assert D(end["insurer_balance"]) == cap
    # the ledger: the insurer holds what it received less what it carries into 2026
    assert D(r["ledger"]["insurer_holds"]) == funding * D("0.8") + released - (result - cap)


def test_huizhou_first_insurance_year(simulate):
    r = simulate("huizhou")
    # R-HZ-4/5: in-policy self-pay (inscp − hifp − above the maximum) over the calendar year,
    # above 10,000 at 95%, counted AND paid from 2013-01-01 although the scheme began 2013-07-01
    s1 = (D("55000") - D("33000") - 10000) * D("0.95")  # March 2013: 11,400.00, retroactive
    s2 = (D("22000") + D("8000") - 10000) * D("0.95") - s1  # 7,600.00
    s3 = D(0)  # 2014: a new year, 6,000 under the deductible
    s4 = (D("400000") - D("200000") - D("100000") - 10000) * D("0.95")  # 85,500.00
    claims = s1 + s2 + s3 + s4
    assert r["benefits"]["by_setl_id"] == {
        "HZ-S1": str(q(s1)), "HZ-S2": str(q(s2)), "HZ-S3": "0.00", "HZ-S4": str(q(s4)),
    }  # fmt: skip
    # R-HZ-1: 145,891,300.00 for the first insurance year, 8:2
    premium = D("145891300.00")
    assert r["funding"]["by_source"] == {
        "employee_supp_fund": str(q(premium * D("0.8"))),
        "resident_fund": str(q(premium * D("0.2"))),
    }
    # four quarters of the insurance year, July to June, a quarter of the premium each
    assert [(t["from"], t["to"], D(t["transferred"])) for t in r["transfers"]] == [
        ("2013-07-01", "2013-09-30", premium / 4),
        ("2013-10-01", "2013-12-31", premium / 4),
        ("2014-01-01", "2014-03-31", premium / 4),
        ("2014-04-01", "2014-06-30", premium / 4),
    ]
    # R-HZ-2: the payout ratio is far below 95%: the insurer gets the claims plus 4% of them and
    # returns the rest of the premium it received, once
    end = r["year_end"]
    entitled = claims + q(claims * D("0.04"))
    assert D(end["claims"]) == claims
    assert D(end["returned_to_fund"]) == premium - entitled
    assert D(end["insurer_balance"]) == entitled - claims
    assert end["adjustment_proposed"] is True  # below 95% (R-HZ-3)


def test_jining_year(simulate):
    r = simulate("jining")
    # R-JN-3 example figures: in-policy costs left after basic, 大病, 大额, civil-servant subsidy
    # and assistance, above 15,000 per policy year at 80%; special drugs at 70%
    s1 = (D("70000") - D("35000") - D("10000") - 15000) * D("0.80")  # 8,000.00
    s2 = D("20000") * D("0.70")  # 14,000.00
    s3 = (D("25000") + D("12000") - 15000) * D("0.80") - s1  # 9,600.00
    claims = s1 + s2 + s3
    assert money(r, "benefits", "total") == claims
    # R-JN-1: 99 CNY each: six paid in cash to the insurer, one of whom withdrew before cover
    # and got it back, three from personal accounts
    assert r["funding"]["by_source"] == {
        "personal": str(q(6 * D("99") - D("99"))),
        "employee_personal_account": str(q(3 * D("99"))),
    }
    assert any("退费 99.00" in step for step in r["funding"]["explanation"])
    premium = 8 * D("99")
    # only the 297.00 from personal accounts passes through the bureau, with no reserve
    assert [D(t["transferred"]) for t in r["transfers"]] == [3 * D("99") / 4] * 4
    assert {t["reserve_held"] for t in r["transfers"]} == {"0.00"}
    # 自负盈亏: the insurer's loss is its own; platform fee 5% of premium income (R-JN-2)
    fee = q(premium * D("0.05"))
    end = r["year_end"]
    assert D(end["platform_fee"]) == fee
    assert D(end["insurer_balance"]) == premium - claims - fee
    assert D(end["loss_fund"]) == 0 and D(end["returned_to_fund"]) == 0


def test_qingdao_year(simulate):
    r = simulate("qingdao")
    # R-QD-4: out-of-catalogue + above price limits + above the maxima, above 50,000 a year at
    # 70%; QD01 insured for years does not wait when the scheme starts (R-QD-5)
    s1 = (D("40000") + D("5000") + D("20000") - 50000) * D("0.70")  # 10,500.00
    # QD02 joined basic insurance on 2016-12-01: 90 days' wait to 2017-03-01 (example length)
    s2 = D(0)  # 2017-02-10, still waiting
    s3 = D("10000") * D("0.80")  # R-QD-3 special drugs at 80% once the wait is over
    s4 = D("12000") * D("0.70")  # dibao: no deductible (抚恤定补优抚对象、低保和低保边缘)
    s5 = (D("150000") + D("100000") - 50000) * D("0.70")  # 140,000.00
    s6 = D("200000") - s5  # 100,000 more at 70% is 70,000: the year's 200,000 cap leaves 60,000
    owed = {"QD-S1": s1, "QD-S2": s2, "QD-S3": s3, "QD-S4": s4, "QD-S5": s5, "QD-S6": s6,
            "QD-S7": D(0)}  # fmt: skip
    assert {k: D(v) for k, v in r["benefits"]["by_setl_id"].items()} == owed
    claims = sum(owed.values())
    # R-QD-1: 20 CNY × 2 employees from personal accounts, × 3 residents from their premiums;
    # the fiscal 270,000,000.00 split 1:1 between city and districts; the declared interest; the
    # one-off 3,000,000,000.00 reserve, kept by the bureau (not premium, not transferred)
    premium = 2 * D("20") + 3 * D("20") + D("270000000") + D("1234567.89")
    assert money(r, "funding", "total") == premium + D("3000000000")
    assert money(r, "funding", "premium") == premium
    assert r["funding"]["by_source"]["fiscal_city"] == r["funding"]["by_source"]["fiscal_district"]
    quarters = [D(t["transferred"]) for t in r["transfers"]]
    assert sum(quarters) == premium and max(quarters) - min(quarters) == CENT
    cap = q(premium * D("0.05"))
    end = r["year_end"]
    assert D(end["returned_to_fund"]) == premium - claims - cap
    assert D(end["insurer_balance"]) == cap


def test_inner_mongolia_year(simulate):
    r = simulate("inner-mongolia")

    # R-IM-2 example bands above the deductible
    bands = [(D(0), D("50000"), D("0.50")), (D("50000"), D("100000"), D("0.60")),
             (D("100000"), None, D("0.70"))]  # fmt: skip
    cap = D("300000")

    def benefit(base, deductible, add=ZERO_POINTS, capped=True):
        above = max(base - deductible, D(0))
        total = D(0)
        for lo, hi, rate in bands:
            if above > lo:
                total += ((above if hi is None else min(above, hi)) - lo) * (rate + add)
        return min(total, cap) if capped else total

    urban, rural = D("48000"), D("20000")  # last year's disposable / net income
    owed = {
        "IM-S1": benefit(D("150000") - D("80000"), urban),  # 11,000.00
        "IM-S2": benefit(D("60000") - D("30000"), rural),  # a rural resident: 5,000.00
        # dibao (example): half the deductible, 5 more points, no cap
        "IM-S3": benefit(D("40000") - D("20000"), rural / 2, add=D("0.05"), capped=False),
        "IM-S4": benefit(D("800000") - D("150000"), urban),  # capped at 300,000.00
    }
    assert {k: D(v) for k, v in r["benefits"]["by_setl_id"].items()} == {
        k: q(v) for k, v in owed.items()
    }
    claims = sum(owed.values())
    # R-IM-1: 5% of last year's 1,000.00 per capita × 10,000 residents
    funding = q(D("1000") * D("0.05")) * 10000
    assert money(r, "funding", "total") == funding
    # R-IM-4: profit at most 5%; the surplus beyond it returns to the basic fund
    end = r["year_end"]
    assert D(end["returned_to_fund"]) == funding - claims - funding * D("0.05")
    assert D(end["carried_over"]) == 0


def test_enterprise_year(simulate):
    r = simulate("enterprise")
    # R-ENT-3 example: co-payments topped up to 90% of in-policy costs; critical illness 50% of
    # the burden (before the scheme's own payment, hifes_pay) left above 20,000 a year; quota
    s1_top = D("90000") * D("0.90") - D("60000")  # 21,000; burden 40,000 − 21,000 < 20,000
    s3_top = D("1000") * D("0.90") - D("600")  # EN02 has a year of service from 2025-09-01
    s3_quota = D("0") + D("400") - s3_top  # outpatient burden left, paid from the 2,000 quota
    s4_top = D("160000") * D("0.90") - D("100000") - D("20000")  # 24,000 (a retiree)
    s4_ci = (D("38000") + D("42000") - s4_top - 20000) * D("0.50")  # 18,000
    s5_top = D("1500") * D("0.90") - D("900")
    s5_quota = D("600") - s5_top  # 150.00
    owed = {
        "EN-S1": s1_top,
        "EN-S2": D(0),  # EN02 hired 2024-09-01: not a year of service on 2025-05-01 (第三条)
        "EN-S3": s3_top + s3_quota,
        "EN-S4": s4_top + s4_ci,
        "EN-S5": s5_top + s5_quota,
        "EN-S6": D(0),  # drunkenness (第四条)
    }
    assert {k: D(v) for k, v in r["benefits"]["by_setl_id"].items()} == {
        k: q(v) for k, v in owed.items()
    }
    # 第五条: EN04 leaves on 2025-06-30; the unused quota 2,000 − 150 returns to the common pool
    assert r["quota_pool"] == {"entries": 1, "total": str(q(2000 - s5_quota))}
    # R-ENT-1: 4% of last year's payroll; the balance 300,000 is below 8% (800,000)
    funding = D("10000000") * D("0.04")
    assert money(r, "funding", "total") == funding
    # the fund is the company's, managed by the insurer: no profit, the balance carried over
    assert money(r, "year_end", "carried_over") == funding - sum(owed.values())


def test_nothing_stays_in_the_database(simulate):
    simulate("jining")
    assert not Person.objects.filter(psn_no__startswith="JN").exists()
    assert not Contract.objects.filter(number__startswith="SIM-").exists()
    assert not SettlementBatch.objects.exists()


# --- bad scenarios: located errors --------------------------------------------------------------


@pytest.fixture
def copy_of(tmp_path):
    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SCENARIOS / name, target)
        return target

    return make


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def test_a_float_amount_and_an_unknown_field_are_named(db, copy_of):
    folder = copy_of("jining")

    def change(doc):
        doc["contract"]["platform_fee_rate"] = 5.0
        doc["colour"] = "blue"

    _edit(folder / "scenario.json", change)
    with pytest.raises(CommandError) as exc:
        call_command("simulate_year", str(folder / "scenario.json"))
    text = str(exc.value)
    assert "scenario.json contract.platform_fee_rate" in text and "JSON number" in text
    assert "scenario.json colour" in text and "unknown field" in text


def test_a_bad_persons_row_is_located(db, copy_of):
    folder = copy_of("jining")
    rows = (folder / "persons.csv").read_text(encoding="utf-8").splitlines()
    rows[3] = rows[3].replace("alipay", "cheque")  # the third person, line 4
    (folder / "persons.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"persons\.csv 第4行 payment_channel"):
        call_command("simulate_year", str(folder / "scenario.json"))


def test_a_bad_settlement_row_is_located_by_the_ingest(db, copy_of):
    folder = copy_of("jining")
    path = folder / "settlements.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("53000.00", "53000.10"), "utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("simulate_year", str(folder / "scenario.json"))
    assert "settlements.csv 第2行 fund_pay_sumamt" in str(exc.value)
    assert not SettlementBatch.objects.exists()  # rolled back


def test_people_already_registered_are_refused(db, copy_of, simulate):
    from tests.insurance.factories import PersonFactory

    PersonFactory(psn_no="JN03")
    with pytest.raises(CommandError, match=r"persons\.csv 第4行 psn_no"):
        simulate("jining")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.update(persons=5), "scenario.json persons"),
        (lambda d: d.update(references=["48000"]), "scenario.json references"),
        (lambda d: d["funding"].setdefault("inputs", {}).update(snapshot_date="yesterday"),
         "scenario.json funding.inputs.snapshot_date"),
        (lambda d: d["year_end"].update(interest=300) if "year_end" in d
         else d.update(year_end={"interest": 300}), "scenario.json year_end.interest"),
        (lambda d: d.update(insurance_year_start="2023-01-01"),
         "scenario.json insurance_year_start"),
    ],
)  # fmt: skip
def test_wrong_types_are_named_not_crashed(db, copy_of, change, named):
    folder = copy_of("jining")
    _edit(folder / "scenario.json", change)
    with pytest.raises(CommandError) as exc:
        call_command("simulate_year", str(folder / "scenario.json"))
    assert named in str(exc.value)


def test_an_unknown_persons_column_is_refused(db, copy_of):
    folder = copy_of("jining")
    path = folder / "persons.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("birth_date", "birth_dat", 1), "utf-8")
    with pytest.raises(CommandError, match=r"persons\.csv 第1行 birth_dat"):
        call_command("simulate_year", str(folder / "scenario.json"))


def test_a_service_refusal_is_located(db, copy_of):
    folder = copy_of("jining")
    _edit(
        folder / "scenario.json",
        lambda d: d["contract"].update(reserve_share="20.00", transfer_share="80.00"),
    )
    with pytest.raises(CommandError, match=r"scenario\.json contract.*预留比例必须为 0"):
        call_command("simulate_year", str(folder / "scenario.json"))
