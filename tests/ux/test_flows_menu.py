"""The sidebar grouped by task, each entry shown only to whom may open it, setup hidden from
clerks; an insurer's user with one contract finds it already chosen."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from config.navigation import OTHER, TASK_GROUPS, may_open, sidebar_navigation
from contracts.services.insurers import insurer_user_link
from tests.conftest import login_verified
from tests.contracts.factories import ContractFactory

GROUPS = ["首页", "日常工作", "审批", "监管", "报表与公开", "设置"]


def menu(user) -> dict[str, list[str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return {
        str(group["title"]): [str(item["title"]) for item in group["items"]]
        for group in sidebar_navigation(request)
    }


def entries(user) -> list[str]:
    return [title for items in menu(user).values() for title in items]


def test_every_placed_model_is_registered_in_the_admin():
    registered = {m._meta.label for m in admin.site._registry}
    for _title, items in TASK_GROUPS:
        for label, _icon in items:
            assert label in registered, label
            apps.get_model(label)


@pytest.mark.django_db
def test_a_superuser_sees_every_group_in_task_order_and_nothing_left_over(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    shown = menu(root)
    assert list(shown) == GROUPS  # no 其他: every model has its task
    assert str(OTHER) not in shown
    every = sum(len(items) for title, items in shown.items() if title != "首页")
    assert every == len(admin.site._registry)


@pytest.mark.django_db
def test_a_clerk_sees_daily_work_and_no_setup(role_user):
    shown = menu(role_user("operator"))
    assert "设置" not in shown
    assert shown["日常工作"][:2] == ["参保人", "参保登记"]
    assert "投诉" in shown["日常工作"] and "结算数据批次" in shown["日常工作"]
    assert "用户" not in entries(role_user("operator"))
    assert "待遇方案" not in entries(role_user("operator"))  # he may read it: setup is not his


@pytest.mark.django_db
def test_the_administrator_sees_setup(role_user):
    shown = menu(role_user("administrator"))
    assert "用户" in shown["设置"] and "周期性任务" in shown["设置"]
    assert list(shown) == ["首页", "设置"]  # no business data, no business menu


@pytest.mark.django_db
def test_finance_finds_transfers_under_approvals(role_user):
    shown = menu(role_user("finance"))
    assert "季度拨付" in shown["审批"] and "筹资测算" in shown["审批"]
    assert "设置" not in shown


@pytest.mark.django_db
def test_each_entry_asks_the_admin_whether_the_user_may_open_it(role_user):
    def request_of(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return request

    clerk, administrator = request_of(role_user("operator")), request_of(role_user("administrator"))
    assert may_open("claims.Complaint", clerk) is True
    assert may_open("audit.User", clerk) is False  # the admin would refuse him
    assert may_open("insurance.BenefitPlan", clerk) is True
    assert may_open("insurance.BenefitPlan", clerk, setup=True) is False  # setup: not a clerk's
    assert may_open("audit.User", administrator, setup=True) is True
    shown = entries(role_user("insurer"))
    assert "审计日志" not in shown and "用户" not in shown and "结算数据批次" in shown


@pytest.mark.django_db
def test_the_rendered_sidebar_of_a_clerk_has_no_setup_link(client, role_user):
    login_verified(client, role_user("operator"))
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:claims_complaint_changelist") in html
    assert reverse("admin:audit_user_changelist") not in html
    assert "日常工作" in html and "设置" not in html


@pytest.mark.django_db
def test_an_insurer_user_with_one_contract_finds_it_chosen_on_the_upload(client, role_user):
    contract = ContractFactory()
    ContractFactory()  # another insurer's: not his
    clerk = role_user("insurer", username="ins_one")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    login_verified(client, clerk)
    html = client.get(reverse("admin:claims_settlementbatch_add")).content.decode()
    assert f'<option value="{contract.pk}" selected>' in html


@pytest.mark.django_db
def test_with_two_contracts_nothing_is_chosen_for_him(client, role_user):
    first = ContractFactory()
    ContractFactory(lead_insurer=first.lead_insurer)
    clerk = role_user("insurer", username="ins_two")
    insurer_user_link(user=clerk, insurer=first.lead_insurer, actor=None)
    login_verified(client, clerk)
    html = client.get(reverse("admin:claims_settlementbatch_add")).content.decode()
    select = html.split('name="contract"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>' in select  # the empty choice: he picks


@pytest.mark.django_db
def test_the_menu_asks_for_the_users_roles_once_per_page(role_user, django_assert_max_num_queries):
    request = RequestFactory().get("/admin/")
    request.user = role_user("administrator")
    sidebar_navigation(request)  # warm the user's permission cache
    request = RequestFactory().get("/admin/")
    request.user = role_user("administrator")
    with django_assert_max_num_queries(3):
        sidebar_navigation(request)
