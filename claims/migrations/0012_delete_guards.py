"""The delete-side half of the foreign keys 0009 removed (person -> records, record ->
compensations): a row still referenced cannot be deleted, even by a DELETE that waited for an
apply's lock and runs after it commits. Django's PROTECT check cannot see that apply's rows: it
runs before the DELETE waits. PostgreSQL only; on SQLite a deleting transaction that read
before an apply committed cannot write after it (SQLITE_BUSY_SNAPSHOT)."""

from django.db import migrations

GUARDS = (
    # (trigger's table, referencing table, referencing column)
    ("insurance_person", "claims_settlementrecord", "person_id"),
    ("claims_settlementrecord", "claims_compensation", "record_id"),
)


def _create(table: str, referencing: str, column: str) -> str:
    name = f"medsupp_keep_{table}"
    # A BEFORE trigger runs once the row lock is granted, and in READ COMMITTED its query sees
    # what committed meanwhile: the apply's records. Both columns are indexed.
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {referencing} WHERE {column} = OLD.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = '{table} ' || OLD.id || ' is still referenced by {referencing}.{column}';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER {name} BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();
"""  # noqa: S608 (our own table names, no input)


def _drop(table: str) -> str:
    name = f"medsupp_keep_{table}"
    return f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for guard in GUARDS:
            schema_editor.execute(_create(*guard))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, _referencing, _column in GUARDS:
            schema_editor.execute(_drop(table))


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_batch_compute_progress"),
        ("insurance", "0005_plan_status_label"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
