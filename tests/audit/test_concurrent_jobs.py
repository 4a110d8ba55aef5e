"""Issue 19, point 11: every scheduled job run twice at once ends cleanly, with one result.

Real concurrency on PostgreSQL: two threads, each with its own database connection, start the
same job at the same moment (a barrier). Every job declared in the beat schedule is run so;
the disclosure drafts (the issue's case) and the evaluation drafts also prove one result."""

import datetime as dt
import threading
from importlib import import_module

import pytest
from django.db import connection, connections

from config.celery import app

pytestmark = pytest.mark.django_db(transaction=True)

ARGS = {
    "claims.tasks.disclosures_draft": {"today": "2019-02-01"},
    "claims.tasks.evaluations_draft": {"year": 2018},
    "contracts.tasks.transfers_generate": {"year": 2025, "quarter": 1},
    "contracts.tasks.reminders_generate": {"on": "2025-01-01"},
    "claims.tasks.supervision_nightly": {"day": "2025-01-01"},
}


def _twice_at_once(task_name: str, kwargs: dict) -> list:
    import_module(task_name.rsplit(".", 1)[0])  # registers the task (autodiscovery is lazy)
    task = app.tasks[task_name]
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(slot: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[slot] = ("ok", task.run(**kwargs))
        except Exception as exc:
            outcomes[slot] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (set DATABASE_URL)")


def test_two_disclosure_drafts_at_once_end_cleanly_with_one_report():
    from audit.models import DisclosureReport
    from contracts.choices import ContractStatus
    from tests.contracts.factories import ContractFactory
    from tests.insurance.factories import SchemeYearFactory

    year = SchemeYearFactory(year=2018)
    ContractFactory(
        scheme=year.scheme, status=ContractStatus.ACTIVE, starts_on=dt.date(2018, 1, 1),
        ends_on=dt.date(2020, 12, 31),
    )  # fmt: skip
    outcomes = _twice_at_once(
        "claims.tasks.disclosures_draft", ARGS["claims.tasks.disclosures_draft"]
    )
    assert [kind for kind, _value in outcomes] == ["ok", "ok"], outcomes
    assert DisclosureReport.objects.filter(scheme_id=year.scheme_id, year=2018).count() == 1


def test_two_evaluation_drafts_at_once_end_cleanly_with_one_evaluation():
    from contracts.choices import ContractStatus
    from contracts.models import Evaluation
    from tests.contracts.factories import ContractFactory

    contract = ContractFactory(
        status=ContractStatus.ACTIVE, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    outcomes = _twice_at_once(
        "claims.tasks.evaluations_draft", ARGS["claims.tasks.evaluations_draft"]
    )
    assert [kind for kind, _value in outcomes] == ["ok", "ok"], outcomes
    assert Evaluation.objects.filter(contract=contract, year=2018).count() == 1


@pytest.mark.parametrize("entry", sorted(app.conf.beat_schedule))
def test_every_scheduled_job_run_twice_at_once_ends_cleanly(entry):
    task_name = app.conf.beat_schedule[entry]["task"]
    outcomes = _twice_at_once(task_name, ARGS.get(task_name, {}))
    assert [kind for kind, _value in outcomes] == ["ok", "ok"], (task_name, outcomes)
