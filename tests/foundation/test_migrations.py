"""Issue 22: one migration per app before the first release, triggers declared on the models
(django-pgtrigger, PostgreSQL only), no data in migrations (the sync commands seed)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

APPS = ("audit", "insurance", "contracts", "claims")
TRIGGERS = {
    "audit_auditentry": {"audit_entry_append_only", "audit_entry_no_truncate"},
    "insurance_person": {"medsupp_keep_insurance_person"},
    "claims_settlementrecord": {"medsupp_keep_claims_settlementrecord"},
}


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_one_migration_without_seed_data(app):
    folder = Path(settings.BASE_DIR) / app / "migrations"
    files = sorted(p.name for p in folder.glob("0*.py"))
    assert files == ["0001_initial.py"]
    text = (folder / files[0]).read_text(encoding="utf-8")
    assert "get_or_create" not in text and ".objects." not in text
    assert "load_shipped_plans" not in text and "sync_roles" not in text


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers: PostgreSQL only")
def test_the_declared_triggers_are_installed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
        )
        found = {}
        for table, name in cursor.fetchall():
            found.setdefault(table, set()).add(name)
    for table, names in TRIGGERS.items():
        for name in names:
            assert any(pgid.startswith(f"pgtrigger_{name}_") for pgid in found.get(table, ()))
