"""Writing the insurer's changes feed (`claims.models.Change`).

A reader pages with `?after=<the last id it saw>`, so ids must become visible in the order they
were given: a transaction that took id 7 must not commit after one that took id 8 has been read.
On PostgreSQL each writer takes one transaction-level advisory lock before its insert, so writers
of the feed commit one after another in id order; the lock is held only from the insert to the
commit, and each service writes its change last, just before it commits.
"""

from __future__ import annotations

from django.db import connection

from claims.settlements.models import Change

FEED_LOCK = 21_000_021  # an arbitrary key of pg_advisory_xact_lock, used only here


def change_record(*, kind: str, obj, insurer_id: int, contract_id: int) -> Change:
    return changes_record([(kind, obj.pk)], insurer_id=insurer_id, contract_id=contract_id)[0]


def changes_record(
    items: list[tuple[str, int]], *, insurer_id: int, contract_id: int
) -> list[Change]:
    """One row per (kind, object id), in the caller's transaction."""
    if not items:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
    rows = [
        Change(kind=kind, object_id=object_id, insurer_id=insurer_id, contract_id=contract_id)
        for kind, object_id in items
    ]
    return Change.objects.bulk_create(rows)
