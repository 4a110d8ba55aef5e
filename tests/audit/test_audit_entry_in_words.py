"""Issue 23: an audit entry's before/after reads as field names and labels, not codes and ids."""

import pytest
from django.urls import reverse

from audit.events import record
from audit.models import AuditEntry
from tests.conftest import login_verified


@pytest.mark.django_db
def test_a_status_change_entry_names_the_field_the_statuses_and_the_user(client, role_user):
    finance = role_user("finance")
    record(
        actor=finance,
        action="transition",
        object_type="contracts.transfer",
        object_id="1",
        summary="季度拨付：审批通过",
        changes={
            "before": {"status": "prepared", "prepared_by": finance.pk},
            "after": {"status": "approved", "prepared_by": finance.pk},
        },
    )
    entry = AuditEntry.objects.order_by("-id").first()
    auditor = role_user("auditor")
    page = login_verified(client, auditor).get(
        reverse("admin:audit_auditentry_change", args=[entry.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert '<td class="pr-4 py-1">状态</td><td class="pr-4 py-1">已制单</td>' in text
    assert "已审批" in text
    assert finance.username in text
    assert "&quot;prepared_by&quot;" not in text and "'prepared_by'" not in text


@pytest.mark.django_db
def test_the_permission_widget_lists_permissions_in_chinese(client, django_user_model, role_user):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    clerk = role_user("operator")
    page = login_verified(client, root).get(reverse("admin:audit_user_change", args=[clerk.pk]))
    text = page.content.decode()
    assert "审计与权限 | 新增「接口密钥」" in text
    assert "登录保护 | 查看「" in text  # django-axes' models, under the app's Chinese name
    assert "Can add" not in text and "Can view" not in text
