import datetime as dt

import pytest
from django.core.management import call_command

from insurance.identity import certno_problem
from insurance.models import Enrollment, Person, Region, SchemeYear, SpecialStatus
from insurance.selectors import special_statuses_on

pytestmark = pytest.mark.django_db


def _snapshot():
    return [
        (p.psn_no, p.certno, p.name, p.region.code, p.status)
        for p in Person.objects.select_related("region").order_by("psn_no")
    ]


def test_generate_city_small_run_is_valid_deterministic_and_idempotent():
    call_command("generate_city", people=200, seed=7)
    assert Region.objects.filter(level="city").count() == 1
    assert Region.objects.filter(parent__code="370800").count() == 8
    assert SchemeYear.objects.count() == 6
    people = list(Person.objects.all())
    assert len(people) == 200
    for person in people:
        assert certno_problem(person.certno) is None
        birth = person.certno[6:14]
        assert birth == person.birth_date.strftime("%Y%m%d")
        assert person.sex == ("1" if int(person.certno[16]) % 2 else "2")
        assert person.region.code == person.certno[:6]
    assert len({p.certno for p in people}) == 200
    assert Enrollment.objects.count() > 200
    assert SpecialStatus.objects.exists()
    some = SpecialStatus.objects.first()
    assert some.kind in special_statuses_on(some.person, some.valid_from)
    first = _snapshot()
    call_command("generate_city", people=200, seed=7)  # idempotent
    assert Person.objects.count() == 200
    call_command("generate_city", people=250, seed=7)  # adds only the missing ones
    assert Person.objects.count() == 250
    assert _snapshot()[:200] == first


def test_same_seed_same_city_on_a_fresh_database():
    from insurance.services.demo import generate_city

    generate_city(people=30, seed=3)
    first = _snapshot()
    Enrollment.objects.all().delete()
    SpecialStatus.objects.all().delete()
    Person.objects.all().delete()
    generate_city(people=30, seed=3)
    assert _snapshot() == first
    other_seed_first = first[0]
    Enrollment.objects.all().delete()
    SpecialStatus.objects.all().delete()
    Person.objects.all().delete()
    generate_city(people=30, seed=4)
    assert _snapshot()[0] != other_seed_first


def test_enrollments_of_generated_people_honour_waiting_periods():
    from insurance.services.demo import generate_city

    generate_city(people=100, seed=1)
    for enrollment in Enrollment.objects.select_related("scheme_year"):
        wait = (enrollment.benefits_from - enrollment.start_date).days
        expected = enrollment.scheme_year.waiting_period_days if enrollment.kind == "first" else 0
        assert wait == expected
        assert enrollment.start_date >= dt.date(2025, 1, 1)
