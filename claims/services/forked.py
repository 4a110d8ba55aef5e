"""Running independent chunks of work in forked processes, each with its own database session.

Used by the compute step on PostgreSQL: each chunk commits on its own, so processes only share
the database. The parent closes its connections before forking (a child must never speak on
the parent's socket) and does a share of the chunks itself; children end with os._exit, so no
handler of the parent (Celery's, Django's) runs twice. Not used inside a transaction (a child
could not see uncommitted rows) or on SQLite: the caller then runs the chunks in order.
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Callable, Sequence

from django.db import connection, connections

logger = logging.getLogger(__name__)


def can_fork() -> bool:
    return (
        hasattr(os, "fork") and connection.vendor == "postgresql" and not connection.in_atomic_block
    )


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
