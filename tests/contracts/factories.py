import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from contracts.choices import ContractStatus
from contracts.models import (
    Contract,
    ContractMember,
    EligibilityCriterion,
    Insurer,
    InsurerStaff,
    PerformanceBond,
    StaffingCommitment,
    Tender,
)
from insurance.choices import RegionLevel, SchemeKind
from insurance.models import Region, Scheme


def credit_code(n: int) -> str:
    body = f"{n:016d}"
    return "91" + body


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{370800 + n:06d}")
    name = factory.Sequence(lambda n: f"区划{n}")
    level = RegionLevel.CITY


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = Scheme

    # Not "S..." like tests.insurance.factories.SchemeFactory: tests use both, codes are unique.
    code = factory.Sequence(lambda n: f"CS{n:03d}")
    name = factory.Sequence(lambda n: f"补充医疗保险{n}")
    kind = SchemeKind.EMPLOYEE_SUPPLEMENTARY
    region = factory.SubFactory(RegionFactory)


class InsurerFactory(DjangoModelFactory):
    class Meta:
        model = Insurer

    name = factory.Sequence(lambda n: f"人寿保险股份有限公司{n}")
    credit_code = factory.Sequence(credit_code)
    health_insurance_licensed = True


class InsurerStaffFactory(DjangoModelFactory):
    class Meta:
        model = InsurerStaff

    insurer = factory.SubFactory(InsurerFactory)
    name = factory.Sequence(lambda n: f"员工{n}")
    qualification = "medical"


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = EligibilityCriterion

    code = factory.Sequence(lambda n: f"C{n:02d}")
    title = factory.Sequence(lambda n: f"资格条件{n}")
    mandatory = True


class TenderFactory(DjangoModelFactory):
    class Meta:
        model = Tender

    scheme = factory.SubFactory(SchemeFactory)
    title = factory.Sequence(lambda n: f"补充医疗保险承办项目{n}")
    project_no = factory.Sequence(lambda n: f"GGZY-2024-{n:04d}")
    term_start = datetime.date(2024, 1, 1)
    term_end = datetime.date(2026, 12, 31)


class ContractFactory(DjangoModelFactory):
    """A contract with its lead insurer as sole member at 100% (use `members=` to change)."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"HT-{n:04d}")
    scheme = factory.SubFactory(SchemeFactory)
    lead_insurer = factory.SubFactory(InsurerFactory)
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2026, 12, 31)
    coverage_from = factory.SelfAttribute("starts_on")
    status = ContractStatus.DRAFT

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if not create:
            return
        rows = extracted if extracted is not None else [(obj.lead_insurer, Decimal("100.00"))]
        for insurer, share in rows:
            ContractMember.objects.create(contract=obj, insurer=insurer, share=share)


class BondFactory(DjangoModelFactory):
    class Meta:
        model = PerformanceBond

    contract = factory.SubFactory(ContractFactory)
    bank = "中国工商银行"
    guarantee_no = factory.Sequence(lambda n: f"BH{n:06d}")
    valid_from = datetime.date(2024, 1, 1)
    valid_until = datetime.date(2027, 3, 31)


class CommitmentFactory(DjangoModelFactory):
    class Meta:
        model = StaffingCommitment

    contract = factory.SubFactory(ContractFactory)
    region = factory.SubFactory(RegionFactory)
    committed = 10
