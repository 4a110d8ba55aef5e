"""Parallel work for a settlement batch on PostgreSQL, each worker with its own database session.

- `run_in_threads`: SQL statements run side by side (PostgreSQL does the work; a thread only
  waits), e.g. the halves of the CSV staging INSERT.
- `run_forked`: Python work in forked processes, e.g. the compute chunks. The parent closes its
  connections before forking (a child must never speak on the parent's socket) and does a share
  itself; children end with os._exit, so no handler of the parent (Celery's, Django's) runs
  twice.

Each worker commits on its own, so neither is used inside a transaction (a worker could not see
its uncommitted rows) or on SQLite: callers then do the work in order (`can_share`).
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections

logger = logging.getLogger(__name__)


def workers() -> int:
    """Parallel sessions for a batch (setting MEDSUPP_BATCH_WORKERS; 0: one per core)."""
    configured = getattr(settings, "MEDSUPP_BATCH_WORKERS", 0)
    return max(1, configured or os.cpu_count() or 1)


def can_share() -> bool:
    """Whether work may be spread over sessions that each commit on their own."""
    return (
        workers() > 1
        and hasattr(os, "fork")
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def run_in_threads(statements: Sequence[tuple[str, object]]) -> list[int]:
    """Execute (sql, params) statements at once, one thread and session each; row counts."""

    def execute(statement: tuple[str, object]) -> int:
        sql, params = statement
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute(sql, params)
                return cursor.rowcount
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(statements)) as pool:
        return list(pool.map(execute, statements))


def run_forked(
    parts: Sequence[object], processes: int, work: Callable[[object], tuple[int, int]]
) -> tuple[int, int]:
    """Run `work(part)` for every part over `processes` processes; sum the (a, b) results.
    Raises RuntimeError when a child failed (its committed chunks stay: the caller resumes)."""
    connections.close_all()
    children: list[tuple[int, int]] = []  # (pid, read end of its result pipe)
    for index in range(1, processes):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            code = 1
            try:
                totals = _run(parts[index::processes], work)
                os.write(write_end, struct.pack("!qq", *totals))
                code = 0
            except BaseException:
                logger.exception("compute process %s failed", index)
            finally:
                connections.close_all()
                os._exit(code)
        os.close(write_end)
        children.append((pid, read_end))
    failed = 0
    made = adjusted = 0
    try:
        made, adjusted = _run(parts[0::processes], work)
    finally:
        for pid, read_end in children:  # always reap the children, even when this side failed
            data = os.read(read_end, 16)
            os.close(read_end)
            _pid, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0 or len(data) != 16:
                failed += 1
                continue
            child_made, child_adjusted = struct.unpack("!qq", data)
            made += child_made
            adjusted += child_adjusted
    if failed:
        raise RuntimeError(f"{failed} compute process(es) failed; the batch can be resumed")
    return made, adjusted


def _run(parts: Sequence[object], work) -> tuple[int, int]:
    made = adjusted = 0
    for part in parts:
        new, changed = work(part)
        made += new
        adjusted += changed
    return made, adjusted
