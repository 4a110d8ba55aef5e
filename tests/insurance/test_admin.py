import pytest
from django.urls import reverse

from audit.choices import AuditAction
from audit.models import AuditEntry, User
from audit.scoping import restrict
from insurance.choices import SpecialStatusKind
from insurance.models import Enrollment, Person, Region, SpecialStatus
from tests.conftest import login_verified

from .factories import PersonFactory, SchemeYearFactory, make_certno

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:insurance_person_changelist"


@pytest.fixture
def people(county_a, county_b, town_in_a):
    return {
        "a": PersonFactory(region=county_a, name="张三"),
        "town": PersonFactory(region=town_in_a, name="李四"),
        "b": PersonFactory(region=county_b, name="王五"),
    }


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="pw-for-tests-1")


def _client(client, user):
    return login_verified(client, user)  # superusers and the director role need 2FA


def test_county_clerk_sees_only_his_county_and_below(role_user, people, county_a):
    clerk = role_user("operator", region=county_a)
    assert set(restrict(Person, clerk)) == {people["a"], people["town"]}
    assert set(restrict(Region, clerk).values_list("code", flat=True)) == {"370826", "370899"}
    year = SchemeYearFactory()
    Enrollment.objects.create(
        person=people["b"],
        scheme_year=year,
        kind="first",
        start_date=year.coverage_start,
        end_date=year.coverage_end,
        benefits_from=year.coverage_start,
    )
    assert not restrict(Enrollment, clerk).exists()


def test_city_wide_staff_and_superuser_see_all_insurer_sees_none(role_user, people, superuser):
    city_clerk = role_user("operator")
    insurer = role_user("insurer")
    assert restrict(Person, city_clerk).count() == 3
    assert restrict(Person, superuser).count() == 3
    assert restrict(Person, insurer).count() == 0


def test_changelist_is_scoped_masked_and_searchable(client, role_user, people, county_a):
    clerk = role_user("operator", region=county_a)
    response = _client(client, clerk).get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert people["a"].psn_no in html and people["town"].psn_no in html
    assert people["b"].psn_no not in html
    assert "张*" in html and "张三" not in html
    assert people["a"].certno not in html and people["a"].certno_masked in html
    found = find_by_certno(client, CHANGELIST, people["town"].certno.lower())
    assert list(found.context["cl"].result_list) == [people["town"]]
    by_psn = client.get(reverse(CHANGELIST), {"q": people["a"].psn_no})
    assert list(by_psn.context["cl"].result_list) == [people["a"]]
    other = find_by_certno(client, CHANGELIST, people["b"].certno)
    assert list(other.context["cl"].result_list) == []


def test_changelist_filters(client, superuser, people, county_b):
    SpecialStatus.objects.create(
        person=people["a"], kind=SpecialStatusKind.DIBAO, valid_from="2020-01-01"
    )
    c = _client(client, superuser)
    by_region = c.get(reverse(CHANGELIST), {"region": county_b.pk})
    assert list(by_region.context["cl"].result_list) == [people["b"]]
    special = c.get(reverse(CHANGELIST), {"special": "dibao"})
    assert list(special.context["cl"].result_list) == [people["a"]]
    assert c.get(reverse(CHANGELIST), {"status": "active"}).status_code == 200


def test_change_view_of_another_countys_person_is_refused(client, role_user, people, county_a):
    clerk = role_user("operator", region=county_a)
    c = _client(client, clerk)
    own = c.get(reverse("admin:insurance_person_change", args=[people["a"].pk]))
    assert own.status_code == 200 and "张*" in own.content.decode()
    other = c.get(reverse("admin:insurance_person_change", args=[people["b"].pk]))
    assert other.status_code in (302, 404)
    if other.status_code == 302:
        assert reverse("admin:index") in other["Location"]


def test_reveal_needs_the_permission(client, role_user, people):
    clerk = role_user("operator")
    url = reverse("admin:insurance_person_reveal", args=[people["a"].pk])
    response = _client(client, clerk).post(url, {"reason": "核对参保信息"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_requires_a_reason_and_is_audited(client, role_user, people):
    director = role_user("director")
    url = reverse("admin:insurance_person_reveal", args=[people["a"].pk])
    c = _client(client, director)
    assert "张三" not in c.get(url).content.decode()
    short = c.post(url, {"reason": "看"})
    assert short.status_code == 200 and "张三" not in short.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    shown = c.post(url, {"reason": "投诉核查：核对身份"})
    html = shown.content.decode()
    assert people["a"].certno in html and "张三" in html
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.reason == "投诉核查：核对身份" and entry.actor_id == director.pk
    assert entry.object_id == str(people["a"].pk)


def test_reveal_of_a_person_out_of_scope_is_404(client, role_user, people, county_a):
    director = role_user("director", region=county_a)
    url = reverse("admin:insurance_person_reveal", args=[people["b"].pk])
    assert _client(client, director).post(url, {"reason": "核对信息"}).status_code == 404


def test_add_person_through_the_admin_uses_the_service(client, superuser, county_a):
    certno = make_certno(region_code="370826")
    response = _client(client, superuser).post(
        reverse("admin:insurance_person_add"),
        {
            "psn_no": "NEW1",
            "certno": certno,
            "name": "赵六",
            "phone": "13700000000",
            "insutype": "390",
            "psn_type": "21",
            "region": county_a.pk,
            "status": "active",
            "enrollments-TOTAL_FORMS": 0,
            "enrollments-INITIAL_FORMS": 0,
            "special_statuses-TOTAL_FORMS": 0,
            "special_statuses-INITIAL_FORMS": 0,
            "family_links-TOTAL_FORMS": 0,
            "family_links-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(psn_no="NEW1")
    assert person.name == "赵六" and person.sex
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(person.pk)).exists()


def test_enrollment_changelist_and_search(client, superuser, people):
    year = SchemeYearFactory()
    Enrollment.objects.create(
        person=people["a"],
        scheme_year=year,
        kind="first",
        start_date=year.coverage_start,
        end_date=year.coverage_end,
        benefits_from=year.coverage_start,
    )
    c = _client(client, superuser)
    url = reverse("admin:insurance_enrollment_changelist")
    assert c.get(url).status_code == 200
    found = find_by_certno(c, "admin:insurance_enrollment_changelist", people["a"].certno)
    assert [e.person for e in found.context["cl"].result_list] == [people["a"]]
    assert list(c.get(url, {"q": people["b"].psn_no}).context["cl"].result_list) == []


def find_by_certno(client, changelist: str, certno: str):
    """Search by ID number as the page does: POSTed, then the opaque token's list."""
    find = reverse(changelist) + "find/"
    answer = client.post(find, {"certno": certno})
    assert answer.status_code == 302 and certno.upper() not in answer["Location"].upper()
    return client.get(answer["Location"])
