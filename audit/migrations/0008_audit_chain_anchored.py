"""Issue 19: the audit chain is keyed (HMAC with MEDSUPP_AUDIT_KEY) and TRUNCATE is refused.

Existing entries were chained with plain SHA-256. They are first verified under the old rule (a
broken chain stops the migration: it is never laundered into a valid keyed one), then re-linked
under the key, with the append-only trigger set aside for that one statement on PostgreSQL. The
export_personal_data permission goes: every export is masked, for every user."""

import hashlib

from django.db import migrations

TRUNCATE = """
CREATE OR REPLACE FUNCTION audit_entry_no_truncate() RETURNS trigger AS $$
BEGIN
    -- The test suite empties its own test_ database between transactional tests (and says so).
    IF current_database() LIKE 'test!_%' ESCAPE '!'
        AND current_setting('medsupp.test_flush', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_no_truncate();
"""
DROP_TRUNCATE = """
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_no_truncate();
"""


def refuse_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE, params=None)


def allow_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRUNCATE, params=None)


def rekey(apps, schema_editor):
    from audit.chain import GENESIS, HASHED_FIELDS, entry_hash, payload

    entry_model = apps.get_model("audit", "AuditEntry")
    entries = list(entry_model.objects.order_by("id"))
    if not entries:
        return
    prev_old = GENESIS
    for entry in entries:
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        old = hashlib.sha256(payload(prev_hash=prev_old, fields=fields).encode()).hexdigest()
        if entry.prev_hash != prev_old or entry.hash != old:
            raise RuntimeError(
                f"audit chain broken at entry {entry.id} before the upgrade: investigate (and "
                f"restore the log) before migrating; the chain is not re-linked over a break"
            )
        prev_old = entry.hash
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only", params=None
        )
    prev = GENESIS
    for entry in entries:
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        new = entry_hash(prev_hash=prev, fields=fields)
        entry_model.objects.filter(pk=entry.pk).update(prev_hash=prev, hash=new)
        prev = new
    if postgres:
        schema_editor.execute(
            "ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only", params=None
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_disclosure_report")]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-id"],
                "permissions": [
                    ("reveal_personal_data", "可查看完整个人信息（需说明理由）"),
                    ("publish_disclosure", "可发布信息公开报告"),
                ],
                "verbose_name": "审计日志",
                "verbose_name_plural": "审计日志",
            },
        ),
        migrations.RunPython(refuse_truncate, allow_truncate),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
