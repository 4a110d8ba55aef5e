"""Issue 19, point 9: the ID number never travels in a URL (proxy logs, browser history). The
admin's search by ID number is a POST; the list it leads to carries an opaque token only."""

import pytest
from django.urls import reverse

from tests.insurance.factories import PersonFactory

CHANGELISTS = [
    "admin:insurance_person_changelist",
    "admin:insurance_enrollment_changelist",
    "admin:insurance_specialstatus_changelist",
    "admin:insurance_familylink_changelist",
]


@pytest.mark.django_db
def test_an_id_number_in_the_url_is_not_searched(client, role_user, county_a):
    person = PersonFactory(region=county_a)
    client.force_login(role_user("operator"))
    for name in CHANGELISTS:
        page = client.get(reverse(name), {"q": person.certno})
        assert page.status_code == 200
        assert list(page.context["cl"].result_list) == [], name
        assert "请使用列表上方的「按身份证号查找」" in page.content.decode()


@pytest.mark.django_db
def test_the_search_by_id_number_is_posted_and_the_url_holds_a_token(client, role_user, county_a):
    person, other = PersonFactory(region=county_a), PersonFactory(region=county_a)
    client.force_login(role_user("operator"))
    changelist = reverse("admin:insurance_person_changelist")
    page = client.get(changelist).content.decode()
    assert 'method="post" action="find/"' in page  # the form on the list posts
    assert client.get(changelist + "find/").status_code == 405  # never by GET
    answer = client.post(changelist + "find/", {"certno": person.certno})
    location = answer["Location"]
    assert answer.status_code == 302 and person.certno not in location
    assert person.certno[-6:] not in location and "found=" in location
    listed = client.get(location)
    assert list(listed.context["cl"].result_list) == [person]
    assert other.psn_no not in listed.content.decode()
    # The token means nothing to another session.
    client.logout()
    client.force_login(role_user("operator", username="another_clerk"))
    assert list(client.get(location).context["cl"].result_list) == []
