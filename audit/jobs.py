"""One run of a scheduled job at a time (DESIGN rule 6: a duplicated task is harmless).

Beat may fire a job while the previous run is still going, a worker may redeliver an `acks_late`
task, an operator may start one by hand: two runs at once would both find nothing done yet and
both write (a unique constraint then fails one with IntegrityError). `single_run(name)` makes
the second run wait for the first (a PostgreSQL advisory lock, held by the session for the whole
run, so every transaction the job commits is inside it); it then finds the work done, and each
job's own idempotence makes it change nothing. On SQLite (one process) a thread lock does it.
"""

from __future__ import annotations

import functools
import threading
import zlib

from django.db import connection

_LOCAL_LOCKS: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()
_NAMESPACE = 7_310_391  # the advisory-lock space of jobs (the audit chain uses 7_310_390)


def _key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF  # the int4 of pg_advisory_lock(int, int)


def single_run(name: str):
    """Decorator: at most one run of the job `name` at a time; the others wait their turn."""

    def wrap(job):
        @functools.wraps(job)
        def run(*args, **kwargs):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_NAMESPACE, _key(name)])
                try:
                    return job(*args, **kwargs)
                finally:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT pg_advisory_unlock(%s, %s)", [_NAMESPACE, _key(name)]
                        )
            with _LOCAL_GUARD:
                lock = _LOCAL_LOCKS.setdefault(name, threading.Lock())
            with lock:
                return job(*args, **kwargs)

        return run

    return wrap
