"""Two real ingest workers (separate processes, Redis, PostgreSQL) share one batch's compute
chunks; one is killed (SIGKILL) in the middle of a chunk. Its chunk goes back to the queue once
Redis's visibility timeout passes, the other worker computes it, and every compensation exists
exactly once and equals a one-process run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from claims.models import BatchChunk, Compensation, SettlementBatch, SettlementRecord
from claims.settlements.services.batches import batch_process, batch_receive
from claims.settlements.services.compute import batch_compute
from config.celery import app
from tests.claims.chunk_data import chemo_file, owed

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is unset: no broker"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="workers in other processes need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),  # the workers see only committed rows
]
PEOPLE = 60  # the test ID numbers allow 100 people
CHUNK = 3  # 20 chunks
ROOT = Path(__file__).resolve().parents[2]


def _start_worker(name: str, database_url: str, media_root: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDSUPP_MEDIA_ROOT": str(media_root),
        "CHUNK_PAUSE": "0.4",
        "CELERY_VISIBILITY_TIMEOUT": "4",  # a killed worker's chunk is back in 4 s, not an hour
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    return subprocess.Popen(  # noqa: S603 - our own module, by the running interpreter
        [sys.executable, "-m", "tests.claims.slow_ingest_worker", name], cwd=ROOT, env=env
    )


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _inside(worker: str) -> int | None:
    """The chunk `worker` is computing now (tried, not done), if any."""
    return (
        BatchChunk.objects.filter(
            status="pending", attempts__gte=1, worker__startswith=f"{worker}@"
        )
        .values_list("index", flat=True)
        .first()
    )


def _done_by(worker: str) -> int:
    return BatchChunk.objects.filter(status="done", worker__startswith=f"{worker}@").count()


def test_two_workers_share_the_chunks_and_a_killed_one_loses_and_doubles_nothing(
    tmp_path, settings
):
    redis_url = os.environ["REDIS_URL"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = CHUNK
    contract, path = chemo_file(tmp_path, people=PEOPLE)
    with path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False).batch
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("ingest")  # nothing left from an earlier run
    workers = {
        name: _start_worker(name, _database_url(), settings.MEDIA_ROOT) for name in ("w1", "w2")
    }
    try:
        _wait_for(lambda: len(app.control.ping(timeout=0.5)) >= 2, 60, "both workers to start")
        batch = batch_process(batch_id=batch.pk)  # applied; its chunks queued on `ingest`
        assert batch.status == "applied" and batch.computed_at is None
        assert BatchChunk.objects.filter(batch=batch).count() == PEOPLE // CHUNK
        # w1 finished chunks and is inside another one (its try counted, not committed)
        _wait_for(lambda: _done_by("w1") >= 2 and _inside("w1"), 60, "w1 inside a chunk")
        workers["w1"].send_signal(signal.SIGKILL)
        lost = _inside("w1")
        workers["w1"].wait()
        killed_after = _done_by("w1")
        _wait_for(
            lambda: SettlementBatch.objects.get(pk=batch.pk).computed_at is not None,
            120,
            "the batch to be computed",
        )
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        app.conf.task_always_eager = True
        settings.CELERY_TASK_ALWAYS_EAGER = django_settings.CELERY_TASK_ALWAYS_EAGER

    chunks = BatchChunk.objects.filter(batch=batch)
    assert set(chunks.values_list("status", flat=True)) == {"done"}
    assert _done_by("w1") == killed_after >= 2 and _done_by("w2") >= 1  # both took chunks
    # the chunk w1 was inside when killed: tried twice, computed once, by w2
    retried = chunks.get(index=lost)
    assert retried.attempts == 2 and retried.worker.startswith("w2@")
    records = SettlementRecord.objects.filter(batch=batch).count()
    assert records == 3 * PEOPLE
    assert Compensation.objects.count() == records  # one each: none lost, none doubled
    assert Compensation.objects.values("record_id").distinct().count() == records
    batch.refresh_from_db()
    assert batch.people_computed == PEOPLE
    by_workers = owed()

    # the same batch in one process, one chunk: the same compensations
    Compensation.objects.all().delete()
    BatchChunk.objects.all().delete()
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=None)
    settings.MEDSUPP_COMPUTE_CHUNK_PEOPLE = 1000
    batch_compute(batch_id=batch.pk)
    assert owed() == by_workers
