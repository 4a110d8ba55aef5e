"""Review of issue 19, point 8: the label a raw-id box shows beside the person's number (also for
a number typed or passed in the URL) and the autocomplete's answers come through `restrict`: a
county clerk sees no person of another county, not even masked."""

import pytest
from django.urls import reverse

from tests.insurance.factories import PersonFactory


@pytest.fixture
def people(county_a, county_b):
    return {
        "a": PersonFactory(region=county_a, name="张三", psn_no="PA00000001"),
        "b": PersonFactory(region=county_b, name="王五", psn_no="PB00000002"),
    }


@pytest.mark.django_db
def test_a_raw_id_label_shows_only_a_reachable_person(client, role_user, county_a, people):
    client.force_login(role_user("operator", region=county_a))
    url = reverse("admin:insurance_enrollment_add")
    other = client.get(f"{url}?person={people['b'].pk}").content.decode()
    assert "PB00000002" not in other and "王*" not in other
    own = client.get(f"{url}?person={people['a'].pk}").content.decode()
    assert "PA00000001" in own  # the box still names a person the clerk may reach


@pytest.mark.django_db
def test_a_refused_person_is_not_named_when_the_form_comes_back(
    client, role_user, county_a, people
):
    client.force_login(role_user("operator", region=county_a))
    response = client.post(reverse("admin:insurance_enrollment_add"), {"person": people["b"].pk})
    page = response.content.decode()
    assert response.status_code == 200 and response.context["adminform"].form.errors["person"]
    assert "PB00000002" not in page and "王*" not in page


@pytest.mark.django_db
def test_the_superuser_label_is_unchanged(client, django_user_model, people):
    from tests.conftest import login_verified

    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    login_verified(client, root)
    url = reverse("admin:insurance_enrollment_add")
    assert "PB00000002" in client.get(f"{url}?person={people['b'].pk}").content.decode()
