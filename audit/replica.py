"""Reports and dashboards read from a read replica when one is configured.

`DATABASE_REPLICA_URL` adds the database alias `replica` (a streaming standby of the primary).
Code that only reads to show or export figures runs inside `reports()` (a context manager and a
decorator); there `ReplicaRouter` sends ORM reads to the replica. Everything else, and every
write, stays on the primary: a service that reads in order to write (a workflow move, a
reconciliation, a disclosure draft) must see its own committed rows, which a standby may not have
replayed yet. Without a replica the router says nothing and Django uses `default`.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"

_reading_reports: ContextVar[bool] = ContextVar("medsupp_reading_reports", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reports():
    """Reads inside go to the replica (when configured); usable as `@reports()` on a view."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReplicaRouter:
    """`DATABASE_ROUTERS` entry: reads inside `reports()` go to the replica; migrations only
    ever run on the primary (the standby replays them)."""

    def db_for_read(self, model, **hints):
        if _reading_reports.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: a row read from either may refer to the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
