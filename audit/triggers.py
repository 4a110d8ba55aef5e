"""Database triggers shared by several apps, declared in code (django-pgtrigger). pgtrigger
installs them with the migrations on PostgreSQL only; SQLite has none."""

import pgtrigger


def delete_guard(
    *,
    name: str,
    referencing: str,
    column: str,
    more: tuple[tuple[str, str], ...] = (),
    waits_for: int | None = None,
) -> pgtrigger.Trigger:
    """The delete side of a foreign key without a database constraint: a row still referenced
    by `referencing.column` (or by any `(table, column)` of `more`) cannot be deleted, even by
    a DELETE that waited for an apply's lock and runs after it commits (Django's PROTECT check
    runs before the DELETE waits, and cannot see that apply's rows). A BEFORE trigger runs once
    the row lock is granted, and in READ COMMITTED its query sees what committed meanwhile.
    `waits_for`: a key of pg_advisory_xact_lock whose shared side the writers of references hold
    until they commit; the DELETE takes it exclusively first, so it waits for them all (one lock
    instead of a row lock on each referenced row). Every referencing column must be indexed."""
    # Only our own table and column names and an integer key, no input.
    wait = "" if waits_for is None else f"PERFORM pg_advisory_xact_lock({int(waits_for)}); "
    func = wait + "".join(
        f"IF EXISTS (SELECT 1 FROM {table} WHERE {col} = OLD.id) THEN "  # noqa: S608
        "RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', "
        f"MESSAGE = TG_TABLE_NAME || ' ' || OLD.id || ' is still referenced by "
        f"{table}.{col}'; END IF; "
        for table, col in ((referencing, column), *more)
    )
    return pgtrigger.Trigger(
        name=name, when=pgtrigger.Before, operation=pgtrigger.Delete, func=func + "RETURN OLD;"
    )
