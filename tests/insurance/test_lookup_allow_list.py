"""Review of issue 19, point 1: URL lookups on personal fields are refused, for the list and
the export alike. `?birth_date__month=8&birth_date__day=23` with the region filter and the ID's
mask (first three, last four digits) left one ID number per row."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import login_verified
from tests.insurance.factories import PersonFactory, make_certno

EXPORT_FORM = {"format": 0, "resource": 0, "personresource_psn_no": "on"}
REFUSED = [
    "birth_date__month=8&birth_date__day=23",
    "birth_date=1975-08-23",
    "birth_date__gte=1975-08-23&birth_date__lt=1975-08-24",
    "certno_bidx=abc",
    "name__startswith=x",
    "phone__endswith=5678",
]


@pytest.fixture
def operator_client(client, county_a, role_user):
    PersonFactory(region=county_a, certno=make_certno(birth=dt.date(1975, 8, 23)))
    PersonFactory(region=county_a, certno=make_certno(birth=dt.date(1975, 9, 1)))
    client.force_login(role_user("operator"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("query", REFUSED)
def test_the_people_list_refuses_a_lookup_on_a_personal_field(operator_client, query):
    url = reverse("admin:insurance_person_changelist")
    assert operator_client.get(f"{url}?{query}").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("query", REFUSED[:3])
def test_the_people_export_refuses_a_lookup_on_a_personal_field(operator_client, query):
    url = reverse("admin:insurance_person_export")
    response = operator_client.post(f"{url}?{query}", EXPORT_FORM)
    assert response.status_code == 400
    assert b"1975" not in response.content


@pytest.mark.django_db
def test_the_superuser_is_refused_too(client, county_a, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    login_verified(client, root)
    url = reverse("admin:insurance_person_changelist")
    assert client.get(f"{url}?birth_date__month=8").status_code == 400


@pytest.mark.django_db
def test_the_lists_own_filters_still_work(operator_client, county_a):
    url = reverse("admin:insurance_person_changelist")
    response = operator_client.get(
        f"{url}?region={county_a.pk}&status__exact=active&rural__exact=0"
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


@pytest.mark.django_db
def test_a_lookup_through_a_relation_to_a_personal_field_is_refused(client, role_user):
    client.force_login(role_user("operator"))
    url = reverse("admin:insurance_enrollment_changelist")
    assert client.get(f"{url}?person__birth_date__month=8").status_code == 400
