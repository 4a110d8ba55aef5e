import datetime as dt
import itertools

import factory

from insurance.choices import FundingKind, InsuType, PersonType, RegionLevel, SchemeKind
from insurance.identity import certno_check_digit
from insurance.models import Person, Region, Scheme, SchemeYear

_serial = itertools.count(1)


def make_certno(
    *, region_code: str = "370802", birth: dt.date = dt.date(1980, 5, 17), male: bool = True
) -> str:
    """A valid 18-digit ID number, unique within a test run."""
    n = next(_serial)
    seq = f"{n % 100:02d}{(n % 5) * 2 + (1 if male else 0)}"
    first17 = f"{region_code}{birth:%Y%m%d}{seq}"
    return first17 + certno_check_digit(first17)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{370900 + n:06d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = RegionLevel.DISTRICT
    parent = None


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"测试方案{n}")
    kind = SchemeKind.UNIVERSAL_SUPPLEMENTARY
    region = factory.SubFactory(RegionFactory, level=RegionLevel.CITY)


class SchemeYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeYear

    scheme = factory.SubFactory(SchemeFactory)
    year = 2025
    coverage_start = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    coverage_end = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))
    funding_kind = FundingKind.PER_CAPITA
    funding_params = factory.LazyFunction(lambda: {"amount": "20.00"})
    waiting_period_days = 90


class PersonFactory(factory.django.DjangoModelFactory):
    """Saved directly (not through the service): for fixtures that are not under test."""

    class Meta:
        model = Person

    psn_no = factory.Sequence(lambda n: f"P{n:010d}")
    certno = factory.LazyFunction(make_certno)
    name = "张三"
    phone = "13812345678"
    sex = factory.LazyAttribute(lambda o: "1" if int(o.certno[16]) % 2 else "2")
    birth_date = factory.LazyAttribute(
        lambda o: dt.date(int(o.certno[6:10]), int(o.certno[10:12]), int(o.certno[12:14]))
    )
    insutype = InsuType.EMPLOYEE
    psn_type = PersonType.EMPLOYED
    region = factory.SubFactory(RegionFactory)
