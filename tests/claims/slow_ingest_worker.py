"""An ingest worker for the two-worker test: a real `celery worker -Q ingest --pool solo`, whose
chunks pause CHUNK_PAUSE seconds after writing their compensations and before committing, so
that the test can kill it in the middle of one.
Run as `python -m tests.claims.slow_ingest_worker NAME`."""

import os
import sys
import time

import django


def main(name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from claims.settlements.services import compute
    from config.celery import app

    pause = float(os.environ.get("CHUNK_PAUSE", "0.3"))
    real = compute.people_compute

    def paused(job, people):
        done = real(job, people)
        time.sleep(pause)  # written, not committed: a kill now must lose all of it
        return done

    compute.people_compute = paused
    app.conf.task_always_eager = False
    app.worker_main(
        ["worker", "-Q", "ingest", "--pool", "solo", "-n", f"{name}@%h", "-l", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"]
    )  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
