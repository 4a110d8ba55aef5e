import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.choices import AuditAction
from audit.models import AuditEntry
from insurance.choices import (
    EnrollmentKind,
    EnrollmentStatus,
    FamilyRelation,
    FundingKind,
    InsuType,
    PaymentChannel,
    PersonType,
    SpecialStatusKind,
)
from insurance.funding import funding_errors
from insurance.identity import certno_problem
from insurance.models import SchemeYear
from insurance.selectors import enrollment_on, special_statuses_on
from insurance.services import (
    enrollment_cancel,
    enrollment_create,
    family_link_add,
    person_create,
    person_update,
    special_status_add,
)

from .factories import PersonFactory, SchemeFactory, SchemeYearFactory, make_certno

pytestmark = pytest.mark.django_db
D = dt.date


def test_certno_check_digit_is_validated():
    assert certno_problem("11010519491231002X") is None  # GB 11643 example
    assert "校验位" in certno_problem("110105194912310021")
    assert "18 位" in certno_problem("11010519491231002")
    assert "出生日期" in certno_problem("110105194913310027")


def test_person_create_derives_sex_and_birth_and_audits_masked(county_a):
    person = person_create(
        actor=None,
        psn_no="P1",
        certno="11010519491231002x",
        name="欧阳娜娜",
        phone="13812345678",
        insutype=InsuType.EMPLOYEE,
        psn_type=PersonType.RETIRED,
        region=county_a,
    )
    assert person.certno == "11010519491231002X"
    assert (person.sex, person.birth_date) == ("2", D(1949, 12, 31))
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(person.pk))
    after = entry.changes["after"]
    assert after["name"] == "欧阳**" and after["certno"] == "110***********002X"
    assert after["phone"] == "138****5678"
    assert "娜娜" not in str(entry.changes) + entry.object_repr


def test_person_create_refuses_bad_or_duplicate_id(county_a):
    kwargs = dict(
        actor=None,
        name="张三",
        insutype=InsuType.RESIDENT,
        psn_type=PersonType.RESIDENT_ADULT,
        region=county_a,
    )
    with pytest.raises(ValidationError) as exc:
        person_create(psn_no="P1", certno="110105194912310021", **kwargs)
    assert "校验位" in str(exc.value)
    person_create(psn_no="P2", certno="11010519491231002X", **kwargs)
    with pytest.raises(ValidationError, match="已登记"):
        person_create(psn_no="P3", certno="11010519491231002x", **kwargs)


def test_person_update_records_before_and_after(county_a, county_b):
    person = PersonFactory(region=county_a)
    person_update(actor=None, person=person, changes={"region": county_b, "status": "suspended"})
    person.refresh_from_db()
    assert person.region == county_b and person.status_date is not None
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.changes["before"]["region"] == county_a.pk
    assert entry.changes["after"]["status"] == "suspended"
    with pytest.raises(ValidationError):
        person_update(actor=None, person=person, changes={"certno": make_certno()})


def test_special_status_on_a_date():
    person = PersonFactory()
    special_status_add(
        actor=None,
        person=person,
        kind=SpecialStatusKind.DIBAO,
        valid_from=D(2024, 1, 1),
        valid_to=D(2024, 6, 30),
    )
    special_status_add(
        actor=None, person=person, kind=SpecialStatusKind.YOUFU, valid_from=D(2024, 3, 1)
    )
    assert special_statuses_on(person, D(2023, 12, 31)) == set()
    assert special_statuses_on(person, D(2024, 1, 1)) == {"dibao"}
    assert special_statuses_on(person, D(2024, 6, 30)) == {"dibao", "youfu"}
    assert special_statuses_on(person, D(2024, 7, 1)) == {"youfu"}
    assert special_statuses_on(person, D(2030, 1, 1)) == {"youfu"}
    with pytest.raises(ValidationError, match="重叠"):
        special_status_add(
            actor=None, person=person, kind=SpecialStatusKind.DIBAO, valid_from=D(2024, 6, 1)
        )
    with pytest.raises(ValidationError):
        special_status_add(
            actor=None,
            person=person,
            kind=SpecialStatusKind.TEKUN,
            valid_from=D(2024, 6, 1),
            valid_to=D(2024, 5, 1),
        )


def test_waiting_period_first_time_renewal_and_reenrollment():
    scheme = SchemeFactory()
    years = {
        y: SchemeYearFactory(scheme=scheme, year=y, waiting_period_days=90)
        for y in (2023, 2024, 2025, 2026)
    }
    person = PersonFactory()
    first = enrollment_create(actor=None, person=person, scheme_year=years[2023])
    assert first.kind == EnrollmentKind.FIRST
    assert first.benefits_from == D(2023, 4, 1)  # 2023-01-01 + 90 days
    assert first.in_waiting_period(D(2023, 3, 31)) and not first.covers(D(2023, 3, 31))
    assert first.covers(D(2023, 4, 1))
    renewal = enrollment_create(actor=None, person=person, scheme_year=years[2024])
    assert renewal.kind == EnrollmentKind.RENEWAL and renewal.benefits_from == D(2024, 1, 1)
    # a gap in 2025: coming back in 2026 is a re-enrollment with a new wait
    again = enrollment_create(
        actor=None, person=person, scheme_year=years[2026], start_date=D(2026, 2, 1)
    )
    assert again.kind == EnrollmentKind.REENROLL and again.benefits_from == D(2026, 5, 2)
    with pytest.raises(ValidationError, match="已登记"):
        enrollment_create(actor=None, person=person, scheme_year=years[2026])
    assert enrollment_on(person, scheme, D(2024, 7, 1)) == renewal
    assert enrollment_on(person, scheme, D(2025, 7, 1)) is None


def _voluntary_year():
    return SchemeYearFactory(
        funding_kind=FundingKind.VOLUNTARY_PREMIUM,
        funding_params={"premium": "99.00", "months": "12"},
        waiting_period_days=0,
    )


def test_family_account_payment_needs_a_linked_employee():
    year = _voluntary_year()
    child = PersonFactory(insutype=InsuType.RESIDENT, psn_type=PersonType.RESIDENT_MINOR)
    father = PersonFactory(insutype=InsuType.EMPLOYEE)
    stranger = PersonFactory(insutype=InsuType.EMPLOYEE)
    with pytest.raises(ValidationError, match="家庭成员"):
        enrollment_create(
            actor=None,
            person=child,
            scheme_year=year,
            payment_channel=PaymentChannel.FAMILY_ACCOUNT,
            payer=stranger,
        )
    with pytest.raises(ValidationError, match="个人账户"):
        enrollment_create(
            actor=None, person=child, scheme_year=year, payment_channel=PaymentChannel.OWN_ACCOUNT
        )
    family_link_add(actor=None, person=father, relative=child, relation=FamilyRelation.CHILD)
    enrollment = enrollment_create(
        actor=None,
        person=child,
        scheme_year=year,
        payment_channel=PaymentChannel.FAMILY_ACCOUNT,
        payer=father,
    )
    assert enrollment.premium == Decimal("99.00") and enrollment.payer == father
    with pytest.raises(ValidationError, match="缴费渠道"):
        enrollment_create(actor=None, person=PersonFactory(), scheme_year=year)


def test_cancel_refunds_in_full_only_before_the_start():
    year = _voluntary_year()
    early = enrollment_create(
        actor=None,
        person=PersonFactory(),
        scheme_year=year,
        start_date=D(2025, 3, 1),
        payment_channel=PaymentChannel.WECHAT,
    )
    late = enrollment_create(
        actor=None, person=PersonFactory(), scheme_year=year, payment_channel=PaymentChannel.ALIPAY
    )
    with pytest.raises(ValidationError, match="原因"):
        enrollment_cancel(actor=None, enrollment=early, on_date=D(2025, 2, 1), reason=" ")
    early = enrollment_cancel(
        actor=None, enrollment=early, on_date=D(2025, 2, 1), reason="重复购买"
    )
    late = enrollment_cancel(actor=None, enrollment=late, on_date=D(2025, 5, 1), reason="离职")
    assert early.refund_amount == Decimal("99.00") and late.refund_amount == Decimal("0.00")
    assert late.status == EnrollmentStatus.CANCELLED
    assert late.covers(D(2025, 4, 30)) and not late.covers(D(2025, 5, 1))
    with pytest.raises(ValidationError, match="已退保"):
        enrollment_cancel(actor=None, enrollment=late, on_date=D(2025, 6, 1), reason="再次")
    assert AuditEntry.objects.filter(action=AuditAction.TRANSITION).count() == 2


@pytest.mark.parametrize(
    ("kind", "params", "bad"),
    [
        (FundingKind.PER_CAPITA, {"amount": "60.00"}, None),
        (FundingKind.PER_CAPITA, {"amount": "-1"}, "amount"),
        (FundingKind.PER_CAPITA, {"amount": 60.5}, "amount"),
        (FundingKind.BASIC_FUNDING_PERCENT, {"percent": "4", "min_percent": "5"}, "percent"),
        (
            FundingKind.FIXED_TOTAL,
            {
                "total": "145891300.00",
                "split": [
                    {"source": "employee_supp_fund", "percent": "80"},
                    {"source": "resident_fund", "percent": "20"},
                ],
            },
            None,
        ),
        (
            FundingKind.FIXED_TOTAL,
            {
                "total": "100",
                "split": [
                    {"source": "employee_supp_fund", "percent": "80"},
                    {"source": "resident_fund", "percent": "10"},
                ],
            },
            "split",
        ),
        (FundingKind.VOLUNTARY_PREMIUM, {"premium": "99", "months": "13"}, "months"),
        (FundingKind.PAYROLL_PERCENT, {"percent": "4", "stop_percent": "8"}, None),
        (FundingKind.PAYROLL_PERCENT, {"percent": "8", "stop_percent": "4"}, "stop_percent"),
        (FundingKind.PAYROLL_PERCENT, {"percent": "4"}, "stop_percent"),
    ],
)
def test_funding_rule_validation(kind, params, bad):
    errors = funding_errors(kind, params)
    assert (bad in errors) if bad else errors == {}


def test_scheme_year_clean_reports_split_in_chinese():
    year = SchemeYear(
        scheme=SchemeFactory(),
        year=2025,
        coverage_start=D(2025, 1, 1),
        coverage_end=D(2025, 12, 31),
        funding_kind=FundingKind.FIXED_TOTAL,
        funding_params={"total": "1", "split": [{"source": "fiscal", "percent": "90"}]},
    )
    with pytest.raises(ValidationError) as exc:
        year.full_clean()
    assert "100%" in str(exc.value) and "90" in str(exc.value)


def test_benefits_start_follows_the_plan_and_moves_with_the_persons_facts(role_user):
    # Qingdao (seed 001, 三（一）1.): the waiting period belongs to joining basic insurance.
    from insurance.models import BenefitPlan

    qingdao = BenefitPlan.objects.get(code="qingdao-2017", status="active")
    year = SchemeYearFactory(year=2017, plan=qingdao)
    person = PersonFactory(insured_since=D(2017, 3, 1))
    enrollment = enrollment_create(actor=None, person=person, scheme_year=year)
    assert enrollment.benefits_from == D(2017, 5, 30)  # 2017-03-01 + 90 days
    # The register learns he was insured since 2005 without a break: no waiting at all.
    clerk = role_user("operator")
    person_update(actor=clerk, person=person, changes={"insured_since": D(2005, 1, 1)})
    enrollment.refresh_from_db()
    assert enrollment.benefits_from == D(2017, 1, 1)
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert entry.changes["after"]["benefits_from"] == [
        {"enrollment": enrollment.pk, "before": "2017-05-30", "after": "2017-01-01"}
    ]


def test_a_company_scheme_needs_a_hire_date_unless_retired():
    # Company scheme 第三条: "在高速集团内部工作时间满一年" -- retirees (第三条（二）) need none.
    from insurance.models import BenefitPlan

    plan = BenefitPlan.objects.get(code="shaanxi-enterprise-2011", status="active")
    year = SchemeYearFactory(year=2012, plan=plan)
    with pytest.raises(ValidationError, match="请先登记参保人的入职日期"):
        enrollment_create(actor=None, person=PersonFactory(), scheme_year=year)
    hired = enrollment_create(
        actor=None, person=PersonFactory(hire_date=D(2011, 12, 20)), scheme_year=year
    )
    assert hired.benefits_from == D(2012, 12, 20)
    retired = enrollment_create(
        actor=None, person=PersonFactory(psn_type=PersonType.RETIRED), scheme_year=year
    )
    assert retired.benefits_from == D(2012, 1, 1)
