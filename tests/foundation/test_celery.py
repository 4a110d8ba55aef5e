import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from audit.tasks import add
from config.celery import app


def test_beat_schedule_is_declared_in_one_place_and_tasks_exist():
    assert app.conf.beat_schedule, "config/celery.py declares the periodic jobs"
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"{name} names an unknown task {entry['task']}"


def test_claims_tasks_keep_their_names_wherever_they_live():
    """The beat tables store tasks by name and the routes name them: the tasks moved into the
    claims capabilities (claims.<capability>.tasks) kept their `claims.tasks.<name>`."""
    app.loader.import_default_modules()
    names = {name for name in app.tasks if name.startswith("claims.")}
    assert names == {
        f"claims.tasks.{n}"
        for n in (
            "batch_files_purge", "batch_supervise", "batches_resume", "compute_chunk",
            "disclosures_draft", "evaluations_draft", "month_figures_add", "partitions_ensure",
            "process_batch", "supervision_nightly",
        )
    }  # fmt: skip
    modules = {app.tasks[name].__module__ for name in names}
    assert modules == {
        "claims.settlements.tasks",
        "claims.supervision.tasks",
        "claims.oversight.tasks",
    }
    for name in app.conf.task_routes:
        assert name in app.tasks, f"a route names an unknown task {name}"


def test_reliability_settings():
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_ACKS_LATE is False
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_tasks_run_in_process_without_a_broker():
    assert add.delay(2, 3).get(timeout=5) == 5


@pytest.mark.celery_worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is unset: no real broker")
def test_task_runs_through_a_real_worker_on_redis():
    redis_url = os.environ["REDIS_URL"]
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = add.delay(20, 22)
            assert result.get(timeout=30) == 42
            assert result.status == "SUCCESS"
    finally:
        app.conf.task_always_eager = True
