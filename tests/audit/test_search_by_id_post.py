"""Review of issue 19, point 6: an ID number typed in a list's search box reached the URL and,
through the audit log's filter links, every page after it. An ID number in `?q=` is now dropped
before the list is built (never searched, never repeated in a link) on every admin list, and
where an ID number can be searched (the audit log, people, enrollments, claims lists) it is
POSTed to `find/` and the list carries an opaque session token only."""

import pytest
from django.urls import reverse

from audit import events
from audit.models import AuditEntry
from tests.conftest import login_verified
from tests.insurance.factories import PersonFactory, make_certno

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, role_user):
    login_verified(client, role_user("auditor", username="auditor1"))
    return client


def test_an_id_number_in_the_audit_logs_url_is_dropped_and_not_repeated(auditor_client):
    certno = make_certno()
    events.record(action="approve", summary="step")
    url = reverse("admin:audit_auditentry_changelist")
    page = auditor_client.get(url, {"q": certno, "action__exact": "approve"})
    body = page.content.decode()
    assert page.status_code == 200
    assert certno not in body  # not in the search box, the filter links or the page links
    assert list(page.context["cl"].result_list) == []
    assert "请使用列表上方的「按身份证号查找」" in body


def test_the_audit_log_finds_a_persons_entries_by_a_posted_id_number(auditor_client, role_user):
    person, other = PersonFactory(), PersonFactory()
    director = role_user("director", username="boss")
    mine = events.reveal(actor=director, obj=person, fields=["certno"], reason="核对身份信息")
    events.reveal(actor=director, obj=other, fields=["certno"], reason="核对身份信息")
    changelist = reverse("admin:audit_auditentry_changelist")
    assert 'method="post" action="find/"' in auditor_client.get(changelist).content.decode()
    assert auditor_client.get(changelist + "find/").status_code == 405
    answer = auditor_client.post(changelist + "find/", {"certno": person.certno})
    location = answer["Location"]
    assert answer.status_code == 302 and "found=" in location
    assert person.certno not in location and person.certno[-6:] not in location
    listed = auditor_client.get(location)
    assert list(listed.context["cl"].result_list) == [mine]
    assert AuditEntry.objects.filter(object_id=str(other.pk)).exists()


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:claims_manualclaim_changelist",
        "admin:claims_complaint_changelist",
        "admin:claims_fraudflag_changelist",
        "admin:claims_settlementrecord_changelist",
    ],
)
def test_claims_lists_about_people_search_an_id_number_by_post_only(auditor_client, changelist):
    certno = make_certno()
    url = reverse(changelist)
    page = auditor_client.get(url, {"q": certno})
    body = page.content.decode()
    assert page.status_code == 200 and certno not in body
    assert 'method="post" action="find/"' in body
    assert auditor_client.post(url + "find/", {"certno": certno}).status_code == 302


def test_a_list_that_does_not_search_people_drops_an_id_number_too(auditor_client):
    certno = make_certno()
    page = auditor_client.get(reverse("admin:contracts_contract_changelist"), {"q": certno})
    body = page.content.decode()
    assert page.status_code == 200 and certno not in body
    assert "此列表也不按身份证号查找" in body
