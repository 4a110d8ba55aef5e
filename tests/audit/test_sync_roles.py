"""`manage.py sync_roles`: the role groups and their declared permissions, idempotent."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from audit.roles import ROLES

pytestmark = pytest.mark.django_db


def _sync(*args) -> str:
    out = io.StringIO()
    call_command("sync_roles", *args, stdout=out)
    return out.getvalue()


def _held() -> dict[str, set[int]]:
    return {
        group.name: set(group.permissions.values_list("id", flat=True))
        for group in Group.objects.filter(name__in=[role.name for role in ROLES.values()])
    }


def test_missing_roles_are_created_with_their_permissions_and_a_second_run_changes_nothing():
    synced = _held()
    assert len(synced) == len(ROLES) and all(synced.values())
    Group.objects.filter(name__in=list(synced)).delete()
    out = _sync()
    assert _held() == synced
    for name in synced:
        assert f"role {name}: created" in out
    assert _sync().strip() == "roles: no change"
    assert _held() == synced


def test_a_lost_permission_comes_back_and_exact_takes_away_what_is_not_declared():
    operator = Group.objects.get(name=ROLES["operator"].name)
    declared = set(operator.permissions.values_list("id", flat=True))
    lost = operator.permissions.first()
    extra = Permission.objects.exclude(id__in=declared).get(codename="delete_user")
    operator.permissions.remove(lost)
    operator.permissions.add(extra)

    out = _sync()  # adds what is missing, keeps an administrator's extra grant
    assert f"role {operator.name}: updated, +1 -0 permissions" in out
    assert set(operator.permissions.values_list("id", flat=True)) == declared | {extra.id}

    out = _sync("--exact", "-v", "2")
    assert f"role {operator.name}: updated, +0 -1 permissions" in out
    assert "  - delete_user" in out
    assert set(operator.permissions.values_list("id", flat=True)) == declared
    assert _sync("--exact").strip() == "roles: no change"
