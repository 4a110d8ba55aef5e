import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from audit.models import User
from audit.roles import ROLES


@pytest.mark.django_db
def test_every_role_is_a_group_created_by_migration():
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.name for role in ROLES.values()} <= names
    assert "经办员" in names and "保险机构用户" in names


@pytest.mark.django_db
def test_administrator_manages_users_but_auditor_only_reads():
    admin_group = Group.objects.get(name=ROLES["administrator"].name)
    codes = set(admin_group.permissions.values_list("codename", flat=True))
    assert {"add_user", "change_user", "view_group"} <= codes
    auditor = Group.objects.get(name=ROLES["auditor"].name)
    assert not auditor.permissions.filter(codename__startswith="change_").exists()


@pytest.mark.django_db
def test_role_sync_keeps_extra_grants_and_is_idempotent():
    group = Group.objects.get(name=ROLES["operator"].name)
    extra = Group.objects.get(name=ROLES["administrator"].name).permissions.first()
    group.permissions.add(extra)
    before = set(group.permissions.values_list("id", flat=True))
    call_command("migrate", verbosity=0)  # post_migrate re-syncs the roles
    assert set(group.permissions.values_list("id", flat=True)) == before


@pytest.mark.django_db
def test_demo_command_creates_one_user_per_role_and_is_idempotent(tmp_path, monkeypatch):
    from claims.management.commands import demo

    monkeypatch.setattr(demo, "CREDENTIALS_FILE", tmp_path / "creds.txt")
    call_command("demo")
    first = (tmp_path / "creds.txt").read_text(encoding="utf-8")
    call_command("demo")
    assert (tmp_path / "creds.txt").read_text(encoding="utf-8") == first
    assert User.objects.filter(username="admin", is_superuser=True).count() == 1
    for code, role in ROLES.items():
        user = User.objects.get(username=f"demo_{code}")
        assert list(user.groups.values_list("name", flat=True)) == [role.name]
        assert user.role_codes == {code}
        assert f"demo_{code}\t" in first


@pytest.mark.django_db
def test_demo_user_can_log_in_to_admin(client, role_user):
    role_user("operator", username="clerk")
    login = client.post("/admin/login/", {"username": "clerk", "password": "pw-for-tests-1"})
    assert login.status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "经办员" in response.content.decode()


@pytest.mark.django_db
def test_account_locks_after_repeated_failures(client, role_user, settings):
    role_user("finance", username="cashier")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "cashier", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "cashier", "password": "pw-for-tests-1"})
    assert response.status_code == 429
