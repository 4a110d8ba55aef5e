"""Issue 19, point 7: the audit log anchored outside the table an attacker can rewrite. Each
attack of the issue is made on PostgreSQL, by someone who owns the database but not the audit
key, and `verify_audit_chain` reports it."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit import events
from audit.chain import HASHED_FIELDS, payload
from audit.checkpoints import checkpoint_file, checkpoint_write
from audit.choices import AuditAction
from audit.models import AuditEntry
from audit.selectors import audit_chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the attacks use PostgreSQL's triggers (set DATABASE_URL)")


def _entries(n=5):
    return [events.record(action=AuditAction.APPROVE, summary=f"step {i}") for i in range(n)]


def _as_owner(*statements):
    """The database owner, from outside the application: triggers set aside, then the SQL."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def test_truncate_is_refused():
    _entries(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL medsupp.test_flush = 'off'")  # as outside the test suite
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() >= 2


def test_a_truncated_log_is_detected():
    _entries(3)
    checkpoint_write()
    _as_owner(("TRUNCATE audit_auditentry", []))
    report = audit_chain_verify()
    assert not report.ok and "truncated" in report.problem
    with pytest.raises(CommandError, match="checkpoint"):
        call_command("verify_audit_chain")


def test_a_rewritten_and_rehashed_log_is_detected():
    """UPDATE an entry, then recompute every hash after it, as the old (unkeyed) chain allowed."""
    _entries(4)
    checkpoint_write()
    entries = list(AuditEntry.objects.order_by("id"))
    target = entries[1]
    statements = [("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["forged", target.id])]
    prev = entries[0].hash
    for entry in entries[1:]:
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry.id == target.id:
            fields["summary"] = "forged"
        rehashed = hashlib.sha256(payload(prev_hash=prev, fields=fields).encode()).hexdigest()
        statements.append(
            ("UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
             [prev, rehashed, entry.id])
        )  # fmt: skip
        prev = rehashed
    _as_owner(*statements)
    report = audit_chain_verify()
    assert not report.ok and report.first_broken_id == target.id


def test_deleting_the_newest_entries_is_detected():
    _entries(5)
    checkpoint_write()
    newest = list(AuditEntry.objects.order_by("-id").values_list("id", flat=True)[:2])
    _as_owner(("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [newest]))
    report = audit_chain_verify()
    assert not report.ok and "deleted" in report.problem


def test_a_forged_checkpoint_is_detected():
    _entries(2)
    checkpoint_write()
    path = checkpoint_file()
    record = json.loads(path.read_text().splitlines()[-1])
    record["count"] = 1  # the owner of the file tries to shorten the anchor
    path.write_text(json.dumps(record) + "\n")
    report = audit_chain_verify()
    assert not report.ok and "not signed" in report.problem


def test_the_intact_log_verifies_and_the_nightly_check_anchors_it():
    from audit.tasks import verify_audit_chain

    _entries(3)
    assert audit_chain_verify().ok
    result = verify_audit_chain()
    assert result["ok"] is True
    assert checkpoint_file().exists()
    assert audit_chain_verify().ok  # the chain_check entry followed the checkpoint: still fine


# Review of issue 19, point 5: the newest entries after the last checkpoint, a checkpoint file
# gone, checkpoints that stopped.


def test_deleting_entries_written_after_the_last_checkpoint_is_detected(
    django_capture_on_commit_callbacks,
):
    _entries(3)
    checkpoint_write()
    with django_capture_on_commit_callbacks(execute=True):
        later = _entries(2)  # each anchored as it commits
    assert audit_chain_verify().ok
    _as_owner(("DELETE FROM audit_auditentry WHERE id = %s", [later[-1].id]))
    report = audit_chain_verify()
    assert not report.ok and report.first_broken_id == later[-1].id
    assert "deleted" in report.problem


def test_a_missing_checkpoint_file_is_reported(settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES = 30
    _entries(2)
    checkpoint_write()
    checkpoint_file().unlink()
    assert audit_chain_verify().ok  # the log is younger than the limit: not due yet
    report = audit_chain_verify(now=timezone.now() + timedelta(minutes=31))
    assert not report.ok and "missing" in report.problem
    with pytest.raises(CommandError, match="missing"), _now_plus(minutes=31):
        call_command("verify_audit_chain")


def test_a_stale_checkpoint_is_reported_by_the_verifier_and_the_watch_job(settings, caplog):
    from datetime import timedelta

    from django.utils import timezone

    from audit.tasks import audit_checkpoint_watch

    settings.MEDSUPP_AUDIT_CHECKPOINT_MAX_AGE_MINUTES = 30
    _entries(2)
    checkpoint_write()
    in_29 = timezone.now() + timedelta(minutes=29)
    in_31 = timezone.now() + timedelta(minutes=31)
    assert audit_chain_verify(now=in_29).ok
    report = audit_chain_verify(now=in_31)
    assert not report.ok and "minutes old" in report.problem
    assert audit_checkpoint_watch(now=in_29.isoformat()) == "ok"
    with caplog.at_level("ERROR", logger="audit.tasks"):
        assert "minutes old" in audit_checkpoint_watch(now=in_31.isoformat())
    assert any("not current" in r.getMessage() for r in caplog.records)


class _now_plus:
    """timezone.now() moved forward, for the management command."""

    def __init__(self, **delta):
        from datetime import timedelta

        self.delta = timedelta(**delta)

    def __enter__(self):
        from unittest import mock

        from django.utils import timezone

        later = timezone.now() + self.delta
        self.patch = mock.patch("audit.checkpoints.timezone.now", return_value=later)
        self.patch.start()

    def __exit__(self, *exc):
        self.patch.stop()
