"""Staged rows draw their record's id as they are staged (PostgreSQL): the compute step can then
run beside the apply transaction, writing compensations for the records it is inserting."""

from django.db import migrations, models

STAGE = "claims_settlementstage"
RECORDS = "claims_settlementrecord"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [RECORDS])
        (sequence,) = cursor.fetchone()
    # The sequence is named once, here: a DEFAULT calling pg_get_serial_sequence would look
    # it up for every staged row.
    schema_editor.execute(
        f"ALTER TABLE {STAGE} ALTER COLUMN record_id SET DEFAULT nextval(%s::regclass)",
        [sequence],
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {STAGE} ALTER COLUMN record_id DROP DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_delete_guards")]

    operations = [
        migrations.AddField(
            model_name="settlementstage",
            name="record_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AddIndex(
            model_name="settlementstage",
            index=models.Index(fields=["batch_id", "psn_no"], name="claims_stage_psn_idx"),
        ),
    ]
