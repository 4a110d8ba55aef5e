import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit import events
from audit.chain import GENESIS
from audit.choices import AuditAction
from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from audit.tasks import verify_audit_chain


def _three_entries(actor):
    return [
        events.record(action=AuditAction.APPROVE, actor=actor, summary=f"step {i}")
        for i in range(3)
    ]


def _raw_update(sql: str, params: list):
    # Tampering from outside the application; on PostgreSQL the trigger must be out of the way.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


@pytest.mark.django_db
def test_entries_are_chained(role_user):
    first, second, third = _three_entries(role_user("director"))
    before = AuditEntry.objects.filter(id__lt=first.id).order_by("id").last()
    assert first.prev_hash == (before.hash if before else GENESIS)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_chain_detects_an_altered_entry(role_user):
    _first, second, _third = _three_entries(role_user("director"))
    _raw_update("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["forged", second.id])
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_broken_id == second.id
    with pytest.raises(CommandError, match=str(second.id)):
        call_command("verify_audit_chain")


@pytest.mark.django_db
def test_chain_detects_a_deleted_entry(role_user):
    _first, second, third = _three_entries(role_user("director"))
    _raw_update("DELETE FROM audit_auditentry WHERE id = %s", [second.id])
    report = audit_chain_verify()
    assert report.first_broken_id == third.id


@pytest.mark.django_db
def test_chain_detects_an_inserted_entry(role_user):
    first, second, _third = _three_entries(role_user("director"))
    forged = AuditEntry(
        id=first.id * 1000 + 1,  # placed before second by moving second after it
        action=AuditAction.APPROVE,
        summary="inserted",
        prev_hash=first.hash,
        hash="f" * 64,
        at=first.at,
    )
    # Insert a row whose id falls between first and second.
    _raw_update("UPDATE audit_auditentry SET id = id + 100000 WHERE id >= %s", [second.id])
    forged.id = second.id
    forged.save(force_insert=True)
    report = audit_chain_verify()
    assert report.first_broken_id == second.id


@pytest.mark.django_db
def test_nightly_task_reports_and_logs_its_result(role_user):
    _three_entries(role_user("director"))
    result = verify_audit_chain.delay().get()
    assert result["ok"] is True and result["checked"] >= 3
    assert AuditEntry.objects.filter(action=AuditAction.CHAIN_CHECK).exists()


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_postgresql_refuses_update_and_delete(role_user):
    entry = events.record(action=AuditAction.APPROVE, actor=role_user("director"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(id=entry.id).update(summary="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(id=entry.id).delete()
