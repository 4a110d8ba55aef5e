"""Parallel work for a settlement batch on PostgreSQL, each worker with its own database session.

- `run_forked`: Python work in forked processes, e.g. the compute chunks. The parent closes its
  connections before forking (a child must never speak on the parent's socket) and does a share
  itself; children end with os._exit, so no handler of the parent (Celery's, Django's) runs
  twice.
- `fork_held`: the same, but the parent does no share and the children's work stays uncommitted
  until the parent says `go(commit=True)`: the compute step beside the apply transaction.

Each worker commits on its own, so neither is used inside a transaction (a worker could not see
its uncommitted rows) or on SQLite: callers then do the work in order (`can_share`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import select
import signal
import struct
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import NoReturn

from django.conf import settings
from django.db import connection, connections, transaction

logger = logging.getLogger(__name__)


def workers() -> int:
    """Parallel sessions for a batch (setting MEDSUPP_BATCH_WORKERS; 0: one per core, at most
    4). Each Celery worker process running a batch opens that many database connections."""
    configured = settings.MEDSUPP_BATCH_WORKERS
    return max(1, configured or min(4, os.cpu_count() or 1))


def can_share() -> bool:
    """Whether work may be spread over sessions that each commit on their own."""
    return workers() > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block


def can_fork() -> bool:
    """`can_share`, and this process may fork: one thread only (a fork copies no other thread
    but may copy a lock one of them held), and not a web request running tasks in-process."""
    return (
        can_share()
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and not settings.CELERY_TASK_ALWAYS_EAGER
    )


def run_forked(
    parts: Sequence[object], processes: int, work: Callable[[object], tuple[int, int]]
) -> tuple[int, int]:
    """Run `work(part)` for every part over `processes` processes; sum the (a, b) results.
    Raises RuntimeError when a child failed (its committed chunks stay: the caller resumes)."""
    connections.close_all()
    children: list[tuple[int, int]] = []  # (pid, read end of its result pipe)
    results: list[tuple[int, int] | None] = []
    finished = False
    try:
        for index in range(1, processes):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                _child_life(index, write_end, partial(_run, parts[index::processes], work))
            os.close(write_end)
            children.append((pid, read_end))
        results.append(_run(parts[0::processes], work))
        finished = True
    finally:
        if not finished:  # this side failed (or was interrupted): stop the others' work too
            for pid, _read_end in children:
                _signal(pid, signal.SIGTERM)
        results.extend(_reap(pid, read_end) for pid, read_end in children)  # always reap them
    return _summed(results)


def _reap(pid: int, result_end: int) -> tuple[int, int] | None:
    """A child's (a, b) once it has ended; None when it failed."""
    data = os.read(result_end, 16)
    os.close(result_end)
    _pid, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or len(data) != 16:
        return None
    return struct.unpack("!qq", data)


def _summed(results: list[tuple[int, int] | None]) -> tuple[int, int]:
    """The summed (a, b) of every process, or RuntimeError when one failed (its committed
    chunks stay: the caller resumes)."""
    failed = results.count(None)
    if failed:
        raise RuntimeError(f"{failed} compute process(es) failed; the batch can be resumed")
    done = [result for result in results if result is not None]
    return sum(made for made, _a in done), sum(adjusted for _m, adjusted in done)


def _child_life(index: int, write_end: int, body: Callable[[], tuple[int, int]]) -> NoReturn:
    """A forked child's whole life: `body()`'s result to the parent, then `os._exit`; it must
    never return into the parent's code."""
    code = 1
    try:
        # The parent's handlers (Celery's, a shell's Ctrl-C) are not this process's to run.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        # What the child inherited lives until os._exit: exempt from collection, it is not
        # walked again by each one (and its memory pages stay shared with the parent's).
        gc.freeze()
        os.write(write_end, struct.pack("!qq", *body()))
        code = 0
    except BaseException:
        with contextlib.suppress(BaseException):
            logger.exception("compute process %s failed", index)
    finally:
        try:
            connections.close_all()
        finally:
            os._exit(code)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _run(parts: Sequence[object], work) -> tuple[int, int]:
    made = adjusted = 0
    for part in parts:
        new, changed = work(part)
        made += new
        adjusted += changed
    return made, adjusted


class HeldChildren:
    """Children started by `fork_held`: `go` lets them commit (or roll back), `wait` reaps them."""

    def __init__(self, children: list[tuple[int, int, int]]):
        self._children = children  # (pid, write end of its go pipe, read end of its result pipe)
        self._told = False

    def go(self, *, commit: bool) -> None:
        if self._told:
            return
        self._told = True
        for _pid, go_end, _result_end in self._children:
            with contextlib.suppress(OSError):  # a child that died early has closed its end
                os.write(go_end, b"c" if commit else b"a")
            os.close(go_end)

    def wait(self) -> tuple[int, int]:
        """Reap every child; the summed (a, b) of their work, or RuntimeError if one failed.
        Interrupted (a time limit, a signal), it stops the children still running first."""
        self.go(commit=False)  # never leave a child waiting: without a word, it rolls back
        results: list[tuple[int, int] | None] = []
        try:
            for pid, _go_end, result_end in self._children:
                results.append(_reap(pid, result_end))
        finally:
            for pid, _go_end, _result_end in self._children[len(results) :]:
                _signal(pid, signal.SIGTERM)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        return _summed(results)


def fork_held(
    parts: Sequence[object],
    processes: int,
    work: Callable[[object], tuple[int, int]],
    committed: Callable[[list[object]], None],
) -> HeldChildren:
    """Run `work(part)` for every part in `processes` children. Each child keeps its work in one
    open transaction until the parent's `go`: on commit it commits, tells `committed(parts)`
    and goes on part by part, each in a transaction of its own; on rollback (or if the parent
    dies) it undoes everything and stops. Its result is (0, 0) then."""
    connections.close_all()
    children: list[tuple[int, int, int]] = []
    try:
        for index in range(processes):
            go_read, go_write = os.pipe()
            result_read, result_write = os.pipe()
            pid = os.fork()
            if pid == 0:
                # Only this child's own ends stay open: a sibling holding another child's go
                # pipe would keep that child waiting for ever after the parent died.
                for _pid, other_go, other_result in children:
                    os.close(other_go)
                    os.close(other_result)
                os.close(go_write)
                os.close(result_read)
                share = parts[index::processes]
                held = partial(_held_work, share, work, committed, go_read)
                _child_life(index, result_write, held)
            os.close(go_read)
            os.close(result_write)
            children.append((pid, go_write, result_read))
    except BaseException:
        # A fork or pipe that failed: the children started so far roll back and are reaped.
        with contextlib.suppress(RuntimeError):
            HeldChildren(children).wait()
        raise
    return HeldChildren(children)


def _told(go_end: int, *, block: bool) -> bool | None:
    """The parent's word: True commit, False roll back (or the parent is gone), None not yet."""
    if not block and not select.select([go_end], [], [], 0)[0]:
        return None
    return os.read(go_end, 1) == b"c"


def _held_work(parts, work, committed, go_end: int) -> tuple[int, int]:
    """A held child's work: every part in one transaction until the parent's word."""
    made = adjusted = 0
    held: list[object] = []
    with transaction.atomic():  # held until the parent's word; each part a savepoint
        commit = None
        for part in parts:
            with transaction.atomic():
                new, changed = work(part)
            made += new
            adjusted += changed
            held.append(part)
            commit = _told(go_end, block=False)
            if commit is not None:
                break
        if commit is None:
            commit = _told(go_end, block=True)
        if not commit:
            transaction.set_rollback(True)
    if not commit:
        return 0, 0
    committed(held)

    def in_own_transaction(part) -> tuple[int, int]:
        with transaction.atomic():  # all of a part or none of it
            done = work(part)
        committed([part])
        return done

    new, changed = _run(parts[len(held) :], in_own_transaction)
    return made + new, adjusted + changed
