"""Issue 23, point 4: a page offers only what its user may do, and a refusal is a Chinese page in
the admin's style, not Django's bare "403 Forbidden"."""

import pytest
from django.urls import reverse

from contracts.services.funding import funding_calculate
from insurance.choices import FundingKind
from tests.conftest import login_verified
from tests.contracts.test_funds_support import enroll, make_contract
from tests.insurance.factories import PersonFactory


@pytest.fixture
def calculation(role_user):
    contract, year = make_contract(
        kind=FundingKind.PER_CAPITA, params={"amount": "60.00", "source": "employee_large_fund"}
    )
    enroll(year)
    return funding_calculate(contract=contract, year=2025, actor=role_user("finance"))


@pytest.mark.django_db
def test_a_refusal_inside_a_view_is_the_styled_chinese_403_page(client, role_user, calculation):
    url = reverse("admin:contracts_fundingcalculation_change", args=[calculation.pk])
    response = login_verified(client, role_user("director")).post(url, {})
    page = response.content.decode()
    assert response.status_code == 403
    assert "没有权限" in page and "您没有此操作的权限" in page
    assert "403 Forbidden" not in page
    assert 'id="content-main"' in page and reverse("admin:index") in page  # the admin's frame


@pytest.mark.django_db
def test_a_refusal_outside_the_admin_is_chinese_too(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from audit.views.denied import permission_denied

    request = rf.get("/public/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "director"])
def test_read_only_money_documents_offer_no_save_button(client, role_user, calculation, role):
    user = role_user(role)
    assert user.has_perm("contracts.change_fundingcalculation")  # yet nothing is saved here
    url = reverse("admin:contracts_fundingcalculation_change", args=[calculation.pk])
    page = login_verified(client, user).get(url).content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "offered"), [("operator", False), ("auditor", True)])
def test_the_reveal_link_only_for_holders_of_the_reveal_permission(
    client, role_user, role, offered
):
    person = PersonFactory()
    user = role_user(role)
    assert user.has_perm("audit.reveal_personal_data") is offered
    page = login_verified(client, user).get(
        reverse("admin:insurance_person_change", args=[person.pk])
    )
    assert page.status_code == 200
    reveal = reverse("admin:insurance_person_reveal", args=[person.pk])
    assert (reveal in page.content.decode()) is offered


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "offered"), [("operator", False), ("reviewer", True)])
def test_drafting_the_annual_report_only_for_those_who_may(client, role_user, role, offered):
    user = role_user(role)
    page = login_verified(client, user).get(reverse("admin:audit_disclosurereport_changelist"))
    assert ("起草/刷新年度报告" in page.content.decode()) is offered
    assert user.has_perm("audit.add_disclosurereport") is offered


@pytest.mark.django_db
def test_a_form_from_a_stale_page_is_refused_in_chinese(role_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login_verified(client, role_user("operator"))
    response = client.post(reverse("admin:claims_complaint_add"), {})  # no CSRF token
    page = response.content.decode()
    assert response.status_code == 403
    assert "提交未执行" in page and "请刷新页面后重新提交" in page
    assert "CSRF" not in page and "Forbidden" not in page
