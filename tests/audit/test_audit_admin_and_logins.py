import pytest

from audit import events
from audit.choices import AuditAction
from audit.models import AuditEntry


def _login(client, username, password="pw-for-tests-1"):
    return client.post("/admin/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_login_and_failed_login_are_audited(client, role_user):
    role_user("operator", username="clerk")
    _login(client, "clerk", "not-the-password")
    _login(client, "clerk")
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    assert failed.extra == {"username": "clerk"}
    assert "not-the-password" not in str(failed.extra) + failed.summary
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor_name="clerk").exists()


@pytest.mark.django_db
def test_audit_admin_is_read_only_even_for_superusers(client, verified_client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.cn", "pw-for-tests-1")
    entry = events.record(action=AuditAction.APPROVE, summary="approved transfer")
    verified_client(django_user_model.objects.get(username="root"))
    change_url = f"/admin/audit/auditentry/{entry.id}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    client.post(change_url, {"summary": "rewritten"})
    entry.refresh_from_db()
    assert entry.summary == "approved transfer"
    assert client.get(f"/admin/audit/auditentry/{entry.id}/delete/").status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403


@pytest.mark.django_db
def test_audit_log_search_by_user_and_action(client, verified_client, role_user):
    auditor = role_user("auditor", username="inspector")
    clerk = role_user("operator", username="clerk")
    events.record(action=AuditAction.EXPORT, actor=clerk, summary="export by clerk")
    events.record(action=AuditAction.APPROVE, actor=auditor, summary="approve by inspector")
    verified_client(auditor)
    page = client.get("/admin/audit/auditentry/", {"q": "clerk", "action__exact": "export"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "export by clerk" in body and "approve by inspector" not in body


@pytest.mark.django_db
def test_operator_cannot_read_the_audit_log(client, role_user):
    client.force_login(role_user("operator"))
    assert client.get("/admin/audit/auditentry/").status_code == 403
