"""Each seed's benefit rule through the real path: a settlement file is received, checked,
applied and computed, with the person's facts read from the register (issue #18, benefit side).

Figures are worked by hand from the seeds' words in the comments; amounts are Decimal.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from claims.choices import Outcome
from claims.models import Compensation, QuotaPoolEntry, ReconciliationResult
from claims.settlements.services.explanations import compensation_steps
from claims.supervision.services.reconciliation import reconciliation_compute
from insurance.choices import PersonType
from insurance.engine import step_text
from insurance.models import BenefitPlan
from insurance.services import enrollment_cancel, enrollment_create
from tests.claims.files import HEADER
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, SchemeFactory, SchemeYearFactory

D = Decimal
COLUMNS = [*HEADER, "oth_pay", "hifes_pay", "special_drug_amt"]


def row(n, psn_no, day, *, fulamt="0", inscp="0", hifp="0", own=None, med_type="21", **extra):
    """A consistent settlement: medfee = the cost parts, fund = the fund parts (own = the field
    carrying the scheme's own payment and its amount), psn_part = medfee - fund."""
    medfee = D(fulamt) + D(inscp)
    field, paid = own or ("oth_pay", "0")
    fund = D(hifp) + D(paid)
    values = {
        "setl_id": f"S{n:08d}", "mdtrt_id": f"M{n:08d}", "psn_no": psn_no, "insutype": "310",
        "med_type": med_type, "fixmedins_code": "H15060200001", "begndate": day, "enddate": day,
        "setl_time": f"{day} 10:00:00", "medfee_sumamt": str(medfee), "fulamt_ownpay_amt": fulamt,
        "overlmt_selfpay": "0", "preselfpay_amt": "0", "inscp_scp_amt": inscp, "hifp_pay": hifp,
        "fund_pay_sumamt": str(fund), "psn_part_amt": str(medfee - fund), "refd_setl_flag": "0",
    }  # fmt: skip
    values[field] = paid
    values.update(extra)
    return values


def scheme_with_plan(code: str, year: int, **year_fields):
    plan = BenefitPlan.objects.get(code=code, status="active")
    scheme_year = SchemeYearFactory(year=year, plan=plan, **year_fields)
    contract = ContractFactory(
        scheme=scheme_year.scheme,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year + 2, 12, 31),
        coverage_from=dt.date(year, 1, 1),
    )
    return scheme_year, contract


def owed(setl_id: str) -> Compensation:
    return Compensation.objects.get(record__setl_id=setl_id)


@pytest.mark.django_db
def test_ordos_burden_before_the_schemes_own_payment_is_computed_reconciled_and_explained(ingest):
    # Seed 000, 三（二）二: "对个人承担的住院...医疗费用...单次...超出20000元以上的部分，
    # 商业补充保险按照30%给予补偿" -- the burden before this scheme pays. An admission of
    # 100,000 (10,000 out of catalogue), pooled fund 40,000: the burden is 60,000 ->
    # (60,000 - 20,000) x 30% = 12,000.
    # The insurer paid those 12,000 at the hospital (oth_pay), so psn_part_amt = 48,000.
    year, contract = scheme_with_plan("ordos-2018", 2018)
    person = PersonFactory(psn_no="P0001")
    enrollment_create(actor=None, person=person, scheme_year=year)
    stay = row(1, "P0001", "2018-05-10", fulamt="10000", inscp="90000", hifp="40000",
               own=("oth_pay", "12000.00"))  # fmt: skip
    assert stay["psn_part_amt"] == "48000.00"
    ingest(contract, "ordos.csv", [stay], COLUMNS)
    comp = owed("S00000001")
    assert comp.lines["burden"] == "12000.00"  # read net it would be 28,000 x 30% = 8,400
    reconciliation_compute(contract=contract)
    result = ReconciliationResult.objects.get(record=comp.record)
    assert (result.paid_field, result.paid, result.outcome) == ("oth_pay", D("12000.00"), "matched")
    # the stored trace rebuilds the same amounts, with the own payment shown
    steps = compensation_steps(comp)
    assert all(step.code != "unreproducible" for step in steps)
    words = "\n".join(step_text(step=step) for step in steps)
    assert "个人负担费用 48000.00 + 本方案在结算中已付（其他支付） 12000.00" in words


@pytest.mark.django_db
def test_qingdao_waits_only_for_newcomers_to_basic_insurance(ingest):
    # Seed 001, 三（一）1.: "初次参加或中断后再次参加青岛市社会医疗保险的，设立补充医疗保险
    # 待遇等待期".
    # Both enrolled in the new scheme on 2017-01-01 / 2017-03-01. A special drug of 1,000 on
    # 2017-04-01 pays 1,000 x 80% = 800 (R-QD-3) -- to the one insured since 2005; the one who
    # joined basic insurance on 2017-03-01 waits 90 days, until 2017-05-30.
    year, contract = scheme_with_plan("qingdao-2017", 2017)
    veteran = PersonFactory(psn_no="P0001", insured_since=dt.date(2005, 3, 1))
    newcomer = PersonFactory(psn_no="P0002", insured_since=dt.date(2017, 3, 1))
    first = enrollment_create(actor=None, person=veteran, scheme_year=year)
    second = enrollment_create(
        actor=None, person=newcomer, scheme_year=year, start_date=dt.date(2017, 3, 1)
    )
    # the recorded first day of benefits agrees with what the computation does
    assert (first.kind, first.benefits_from) == ("first", dt.date(2017, 1, 1))
    assert second.benefits_from == dt.date(2017, 5, 30)
    drug = {"fulamt": "1000", "special_drug_amt": "1000", "med_type": "11"}
    ingest(contract, "qingdao.csv", [
        row(1, "P0001", "2017-04-01", own=("oth_pay", "800.00"), **drug),
        row(2, "P0002", "2017-04-01", **drug),
        row(3, "P0002", "2017-05-30", own=("oth_pay", "800.00"), **drug),
    ], COLUMNS)  # fmt: skip
    assert owed("S00000001").lines["special-drug"] == "800.00"
    waiting = owed("S00000002")
    assert (waiting.status, waiting.reason, waiting.total) == ("ineligible", "waiting_period", 0)
    assert owed("S00000003").total == D("800.00")


@pytest.mark.django_db
def test_inner_mongolia_rural_residents_get_the_rural_reference_deductible(ingest):
    # Seed 004, 三（三）: "起付线原则上不低于当地上一年度城镇居民年人均可支配收入、农村牧区
    # 居民年人均纯收入". In-policy 100,000, basic fund 0 (example bands 50% to 50,000, then 60%):
    #   urban: deductible 30,594 -> 50,000 x 50% + 19,406 x 60% = 25,000 + 11,643.60 = 36,643.60
    #   rural: deductible 12,000 -> 50,000 x 50% + 38,000 x 60% = 25,000 + 22,800    = 47,800.00
    year, contract = scheme_with_plan(
        "inner-mongolia-2015", 2015, prev_disposable_income_urban=D("30594"),
        prev_disposable_income_rural=D("12000"),
    )  # fmt: skip
    for psn_no, rural in (("P0001", False), ("P0002", True)):
        resident = PersonFactory(psn_no=psn_no, insutype="390", psn_type="21", rural=rural)
        enrollment_create(actor=None, person=resident, scheme_year=year)
    stays = [row(n, f"P000{n}", "2015-06-01", inscp="100000", insutype="390") for n in (1, 2)]
    ingest(contract, "im.csv", stays, COLUMNS)
    assert owed("S00000001").total == D("36643.60")
    assert owed("S00000002").total == D("47800.00")


@pytest.mark.django_db
def test_huizhou_pays_january_to_june_admissions_of_the_first_year(ingest):
    # Seed 002, 六: "本方案自2013年7月1日施行，大病保险待遇从2013年1月1日起累计计算";
    # 一（一）: "年度内...总额超过1万元以上的费用由大病保险再支付95%". A March admission:
    # in-policy 30,000, pooled fund 16,000 -> self-pay 14,000 -> (14,000 - 10,000) x 95%
    # = 3,800.00, paid (hifmi_pay).
    year, contract = scheme_with_plan("huizhou-2013", 2013)
    enrollment_create(actor=None, person=PersonFactory(psn_no="P0001"), scheme_year=year)
    stay = row(1, "P0001", "2013-03-05", inscp="30000", hifp="16000", own=("hifmi_pay", "3800"))
    ingest(contract, "huizhou.csv", [stay], COLUMNS)
    comp = owed("S00000001")
    assert (comp.status, comp.total) == ("computed", D("3800.00"))
    reconciliation_compute(contract=contract)
    result = ReconciliationResult.objects.get(record=comp.record)
    assert (result.paid_field, result.outcome) == ("hifmi_pay", Outcome.MATCHED)


@pytest.mark.django_db
def test_huizhou_year_of_costs_is_not_cut_where_insurance_years_meet(ingest):
    # "年度内...总额超过1万元以上的费用...再支付95%": the plan counts the calendar year while
    # the insurance years run July to June. May and August 2014 are one benefit year in two
    # scheme years: self-pay 6,000 + 6,000 = 12,000 -> (12,000 - 10,000) x 95% = 1,900.00 in
    # August, not nothing because August would start afresh.
    plan = BenefitPlan.objects.get(code="huizhou-2013", status="active")
    first = SchemeYearFactory(
        year=2013, plan=plan, coverage_start=dt.date(2013, 7, 1),
        coverage_end=dt.date(2014, 6, 30),
    )  # fmt: skip
    second = SchemeYearFactory(
        scheme=first.scheme, year=2014, plan=plan, coverage_start=dt.date(2014, 7, 1),
        coverage_end=dt.date(2015, 6, 30),
    )  # fmt: skip
    contract = ContractFactory(
        scheme=first.scheme, starts_on=dt.date(2013, 7, 1), ends_on=dt.date(2016, 6, 30),
        coverage_from=dt.date(2013, 7, 1),
    )  # fmt: skip
    person = PersonFactory(psn_no="P0001")
    for year in (first, second):
        enrollment_create(actor=None, person=person, scheme_year=year)
    may = row(1, "P0001", "2014-05-10", inscp="16000", hifp="10000")
    august = row(2, "P0001", "2014-08-10", inscp="16000", hifp="10000",
                 own=("hifmi_pay", "1900"))  # fmt: skip
    ingest(contract, "huizhou.csv", [may, august], COLUMNS)
    assert owed("S00000001").total == D("0.00")
    assert owed("S00000002").total == D("1900.00")


def _visit(n, psn_no, day, *, paid="800.00"):
    # outpatient 1,500: 500 out of catalogue, 1,000 in policy of which the pooled fund paid 700.
    # top-up to 90%: 1,000 x 90% - 700 = 200; the quota line then pays the rest of the burden:
    # (1,500 - 700) - 200 = 600 at 100%. The scheme paid 800 at the hospital (hifes_pay).
    return row(n, psn_no, day, fulamt="500", inscp="1000", hifp="700", med_type="11",
               own=("hifes_pay", paid))  # fmt: skip


@pytest.mark.django_db
def test_company_scheme_service_from_hire_date_and_the_quota_pool_on_leaving(ingest, role_user):
    # Seed 001, company scheme 第三条: a year of service inside the group, retirees none;
    # 第五条: "解除（终止）劳动合同证明书开具当日，住手享受补充医疗保险，个人限额报销余额
    # 转入公共账户".
    year, contract = scheme_with_plan("shaanxi-enterprise-2011", 2012)
    scheme = year.scheme
    scheme.kind = "enterprise_supp"
    scheme.save()
    hired = PersonFactory(psn_no="P0001", hire_date=dt.date(2011, 9, 1))
    retiree = PersonFactory(psn_no="P0002", psn_type=PersonType.RETIRED)
    unknown = PersonFactory(psn_no="P0003")
    first = enrollment_create(actor=None, person=hired, scheme_year=year)
    assert first.benefits_from == dt.date(2012, 9, 1)  # a year after the hire date
    leaving = enrollment_create(actor=None, person=retiree, scheme_year=year)
    assert leaving.benefits_from == dt.date(2012, 1, 1)  # retirees need no service
    with pytest.raises(ValidationError, match="请先登记参保人的入职日期"):
        enrollment_create(actor=None, person=unknown, scheme_year=year)
    ingest(contract, "visits.csv", [
        _visit(1, "P0001", "2012-08-31", paid="0"), _visit(2, "P0001", "2012-09-01"),
        _visit(3, "P0002", "2012-03-01"), _visit(4, "P0002", "2012-06-01"),
    ], COLUMNS)  # fmt: skip
    assert (owed("S00000001").reason, owed("S00000001").total) == ("service", D("0"))
    assert owed("S00000002").lines == {
        "co-pay-top-up": "200.00", "critical-illness": "0.00", "quota": "600.00",
    }  # fmt: skip
    assert owed("S00000004").lines["quota"] == "600.00"
    # The retiree leaves on 2012-10-15 (say, a contract ends): quota 2,000 - 600 - 600 = 800.
    clerk = role_user("operator")
    cancelled = enrollment_cancel(actor=clerk, enrollment=leaving, on_date=dt.date(2012, 10, 15),
                                  reason="解除劳动合同")  # fmt: skip
    entry = QuotaPoolEntry.objects.get(enrollment=leaving)
    assert (entry.quota, entry.used, entry.amount) == (D("2000"), D("1200.00"), D("800.00"))
    assert (entry.cap_year, entry.left_on, entry.created_by) == (2012, dt.date(2012, 10, 15), clerk)
    assert cancelled.cancel_notes == [
        "个人限额报销余额 800.00 元（年度限额 2000.00 元，当年已报销 1200.00 元）已转入公共账户。"
    ]
    assert AuditEntry.objects.filter(
        object_type="claims.quotapoolentry", object_id=str(entry.pk), action="create"
    ).exists()
    # cover stopped that day: a visit on the leaving day is refused as not enrolled
    after = [_visit(5, "P0002", "2012-10-15", paid="0")]
    batch = ingest(contract, "after.csv", after, COLUMNS, status="rejected")
    assert batch.errors_preview[0]["code"] == "not_enrolled"


@pytest.mark.django_db
def test_the_pool_and_its_balance_per_scheme_year_in_the_admin(client, django_user_model):
    from tests.conftest import login_verified

    year, _contract = scheme_with_plan("shaanxi-enterprise-2011", 2012)
    other = SchemeYearFactory(scheme=SchemeFactory(), year=2012, plan=year.plan)
    for n, (scheme_year, day) in enumerate(
        [(year, "2012-04-01"), (year, "2012-05-01"), (other, "2012-06-01")], start=1
    ):
        person = PersonFactory(psn_no=f"P000{n}", psn_type=PersonType.RETIRED)
        enrollment = enrollment_create(actor=None, person=person, scheme_year=scheme_year)
        enrollment_cancel(actor=None, enrollment=enrollment, reason="离职",
                          on_date=dt.date.fromisoformat(day))  # fmt: skip
    # nothing used: each returns the whole 2,000; the first scheme year holds 4,000 in two
    root = django_user_model.objects.create_superuser("root", "r@example.cn", "pw-long-12345")
    login_verified(client, root)
    page = client.get(reverse("admin:claims_quotapoolentry_changelist")).content.decode()
    assert "公共账户余额（按方案年度）" in page
    assert f"{year.scheme.name} 2012" in page and "4000.00" in page
    assert f"{other.scheme.name} 2012" in page
    assert QuotaPoolEntry.objects.count() == 3


@pytest.mark.django_db
def test_jining_insurers_look_ups_never_carry_settlement_data(ingest, role_user):
    # Seed 003, 四（五）: "须取得参保人授权同意才能查询参保人个人相关信息，医保结算信息不得作为
    # 认定既往病史的依据" (R-JN-3). With the person's consent, for either scope, the insurer's
    # look-up gives the same minimal answer before and after a large settlement: nothing in it
    # comes from settlement data or from the eligibility facts of the register.
    from django.utils import timezone
    from rest_framework.test import APIClient

    from audit.choices import ConsentChannel, ConsentScope
    from audit.services import api_key_create, consent_record
    from contracts.models import InsurerUser

    year, contract = scheme_with_plan(
        "jining-2022", 2022, funding_kind="voluntary_premium", funding_params={"premium": "99.00"}
    )
    person = PersonFactory(psn_no="P0001", insured_since=dt.date(2022, 5, 1), rural=True,
                           hire_date=dt.date(2021, 1, 1))  # fmt: skip
    enrollment_create(actor=None, person=person, scheme_year=year, payment_channel="wechat")
    user = role_user("insurer", "jining_insurer")
    InsurerUser.objects.create(user=user, insurer=contract.lead_insurer)
    _key, plain = api_key_create(user=user, name="jhb", scopes=["persons:read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    now = timezone.now()

    def look_up(scope):
        response = api.get(f"/api/v1/persons/P0001/?scope={scope}&date=2022-06-01")
        assert response.status_code == 200, response.content
        return response.json()

    before = {}
    for scope in ConsentScope.values:
        period = {}
        if scope == ConsentScope.SETTLEMENTS:  # a settlements consent names its period
            period = {"period_from": dt.date(2022, 1, 1), "period_to": dt.date(2022, 12, 31)}
        consent_record(psn_no="P0001", insurer_id=contract.lead_insurer_id, scope=scope,
                       channel=ConsentChannel.APP, given_at=now - dt.timedelta(days=1),
                       expires_at=now + dt.timedelta(days=30), **period)  # fmt: skip
        before[scope] = look_up(scope)
    stay = row(1, "P0001", "2022-06-01", inscp="300000", hifp="150000", own=("oth_pay", "108000"))
    ingest(contract, "jining.csv", [stay], COLUMNS)
    assert owed("S00000001").total == D("108000.00")  # (150,000 - 15,000) x 80%
    for scope in ConsentScope.values:
        assert look_up(scope) == before[scope]
        assert set(before[scope]) == {
            "psn_no", "name_masked", "insutype", "insutype_display", "on", "enrolled",
            "contracts", "scope", "consent_expires_at",
        }  # fmt: skip
