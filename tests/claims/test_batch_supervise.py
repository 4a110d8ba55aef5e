"""Each batch reconciled and screened for fraud as its compute ends (`claims.tasks.batch_supervise`,
MEDSUPP_SUPERVISE_EACH_BATCH): the bureau sees the batch's discrepancies and flags the same day,
and the nightly job finds nothing left. The screen's window is anchored on the batch's own
settlements, so a batch screened at once and one screened at night look at the same days.

Figures worked by hand from ordos-2018, R-ORD-6 (chemotherapy): the patient's burden is
psn_part_amt = T - 0.63 T (`settlement_row`: 10% out of scope, 70% of the rest paid by the basic
fund), and what the year's burden has above 20,000 is paid at 30%. The insurer reports what it
paid in oth_pay, the plan's own payment field.
"""

import datetime as dt
import os
import re
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.choices import FlagKind, Outcome
from claims.models import FraudFlag, ReconciliationResult, SettlementBatch
from claims.settlements.services.batches import batch_process, batch_receive
from claims.supervision.services.fraud import SCREEN_DAYS, batch_windows
from claims.supervision.tasks import supervision_nightly
from config.celery import app
from contracts.services.insurers import insurer_user_link
from insurance.models import Enrollment
from tests.claims.chunk_data import ordos
from tests.claims.files import HEADER, settlement_row, write_csv
from tests.conftest import login_verified
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory

D = Decimal


def _contract():
    year = SchemeYearFactory(year=2018, plan=ordos())
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    for psn_no in ("P0001", "P0002"):
        Enrollment.objects.create(
            person=PersonFactory(psn_no=psn_no, insutype="310"), scheme_year=year,
            kind="renewal", start_date=dt.date(2018, 1, 1), end_date=dt.date(2018, 12, 31),
            benefits_from=dt.date(2018, 1, 1),
        )  # fmt: skip
    return contract


def _stay(n, psn_no, total, first, last, *, hospital, paid):
    """What the insurer paid (oth_pay) is part of the fund's payments and out of the patient's
    part; the plan adds it back, so the burden stays psn_part_amt + oth_pay = 0.37 T."""
    row = settlement_row(
        n, psn_no=psn_no, total=total, begndate=first, enddate=last,
        setl_time=f"{last} 10:00:00", fixmedins_code=hospital, trt_category="chemotherapy",
    )  # fmt: skip
    fund = D(row["hifp_pay"]) + D(paid)
    patient = D(total) - fund
    return {**row, "oth_pay": paid, "fund_pay_sumamt": str(fund), "psn_part_amt": str(patient)}


# P0001: 100,000.00 then 10,000.00, at two hospitals on overlapping days (an overlap flag).
#   burden 37,000.00: (37,000 - 20,000) x 30% = 5,100.00, reported 5,100.00: matched;
#   burden 3,700.00 more, all above 20,000: 3,700 x 30% = 1,110.00, reported 1,110.00: matched.
# P0002: 100,000.00: 5,100.00 owed, 5,000.00 reported: underpaid by 100.00.
ROWS = [
    _stay(1, "P0001", "100000.00", "2018-03-01", "2018-03-10", hospital="H001", paid="5100.00"),
    _stay(2, "P0001", "10000.00", "2018-03-05", "2018-03-12", hospital="H002", paid="1110.00"),
    _stay(3, "P0002", "100000.00", "2018-04-01", "2018-04-09", hospital="H001", paid="5000.00"),
]
EXPECTED = {
    "S00000001": (Outcome.MATCHED, D("5100.00"), D("5100.00"), D("0.00")),
    "S00000002": (Outcome.MATCHED, D("1110.00"), D("1110.00"), D("0.00")),
    "S00000003": (Outcome.UNDERPAID, D("5100.00"), D("5000.00"), D("-100.00")),
}


def _results() -> dict:
    return {
        r.record.setl_id: (r.outcome, r.expected, r.paid, r.difference)
        for r in ReconciliationResult.objects.select_related("record")
    }


def _overlap_flags() -> list[tuple[str, str]]:
    return [
        (f.evidence["setl_id"], f.evidence["other_setl_id"])
        for f in FraudFlag.objects.filter(kind=FlagKind.OVERLAP)
    ]


@pytest.fixture
def send(tmp_path, settings, django_capture_on_commit_callbacks):
    """ROWS sent as a real CSV file through receive -> checks -> apply -> compute, the tasks
    queued on commit run at once; `each_batch`: MEDSUPP_SUPERVISE_EACH_BATCH. Returns
    (contract, batch)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def _send(*, each_batch: bool = True):
        settings.MEDSUPP_SUPERVISE_EACH_BATCH = each_batch
        contract = _contract()
        path = write_csv(tmp_path / "march.csv", ROWS, header=[*HEADER, "oth_pay"])
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            batch = batch_receive(contract=contract, fileobj=fh, filename=path.name).batch
        batch.refresh_from_db()
        assert batch.status == "applied" and batch.computed_at is not None, batch.errors_preview
        return contract, batch

    return _send


@pytest.mark.django_db
def test_a_batch_is_reconciled_and_screened_as_its_compute_ends(send, client, role_user):
    contract, batch = send()
    assert batch.reconciled_at is not None and batch.fraud_screened_at is not None
    assert _results() == EXPECTED
    assert _overlap_flags() == [("S00000001", "S00000002")]
    # the batch's page says when, as does the insurer's API
    login_verified(client, role_user("operator"))
    page = client.get(reverse("admin:claims_settlementbatch_change", args=[batch.pk]))
    text = page.content.decode()
    for label, instant in (
        ("对账时间", batch.reconciled_at),
        ("疑点筛查时间", batch.fraud_screened_at),
    ):
        shown = date_format(timezone.localtime(instant), "DATETIME_FORMAT")
        assert re.search(rf"{label}.*?{re.escape(shown)}", text, re.S), label
    insurer = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=insurer, insurer=contract.lead_insurer, actor=None)
    _key, plain = api_key_create(user=insurer, name="t", scopes=["settlements:read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    answer = api.get(f"/api/v1/settlement-batches/{batch.pk}/").json()
    assert answer["reconciled_at"] == timezone.localtime(batch.reconciled_at).isoformat()
    # the night finds nothing left (its day: the year's last)
    night = supervision_nightly.apply(kwargs={"day": "2018-12-31"}).get()
    assert (night["reconciled"], night["new_flags"]) == (0, 0)
    assert _results() == EXPECTED and len(_overlap_flags()) == 1


@pytest.mark.django_db
def test_switched_off_the_night_does_it_with_the_same_results(send):
    _, batch = send(each_batch=False)
    assert batch.reconciled_at is None and batch.fraud_screened_at is None
    assert not ReconciliationResult.objects.exists() and not FraudFlag.objects.exists()
    night = supervision_nightly.apply(kwargs={"day": "2018-12-31"}).get()
    assert (night["reconciled"], night["new_flags"]) == (3, 1)
    assert _results() == EXPECTED
    assert _overlap_flags() == [("S00000001", "S00000002")]


@pytest.mark.django_db
def test_the_screen_window_is_the_batch_own_not_the_day_it_runs(send):
    contract, batch = send(each_batch=False)
    # the batch's settlements: 2018-03-10 to 2018-04-09; its window the 400 days up to the last
    last = dt.date(2018, 4, 9)
    assert batch_windows(contract, [batch.pk]) == [
        ([batch.pk], last - dt.timedelta(days=SCREEN_DAYS), last)
    ]
    # screened years later, at night: 400 days before that day would miss 2018 altogether
    night = supervision_nightly.apply(kwargs={"day": "2026-12-04"}).get()
    assert night["new_flags"] == 1
    assert _overlap_flags() == [("S00000001", "S00000002")]


# --- a real worker -------------------------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.celery_worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is unset: no broker")
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker in another process needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)  # the worker sees only committed rows
def test_a_real_worker_computes_then_supervises_the_batch(tmp_path, settings):
    redis_url = os.environ["REDIS_URL"]
    settings.MEDIA_ROOT = tmp_path / "media"
    contract = _contract()
    path = write_csv(tmp_path / "march.csv", ROWS, header=[*HEADER, "oth_pay"])
    with path.open("rb") as fh:
        batch = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False).batch
    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with app.connection_for_write() as conn:
        for queue in ("ingest", "celery"):
            conn.default_channel.queue_purge(queue)  # nothing left from an earlier run
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDSUPP_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = subprocess.Popen(  # noqa: S603 - celery, by the running interpreter
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "ingest,celery"),
            *("--pool", "solo", "-n", "supervise@%h", "-l", "WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            assert time.monotonic() < deadline, "the worker did not start"
        batch_process(batch_id=batch.pk)  # applied here; compute and supervision on the worker
        deadline = time.monotonic() + 120
        while True:
            batch.refresh_from_db()
            if batch.reconciled_at is not None and batch.fraud_screened_at is not None:
                break
            assert time.monotonic() < deadline, "the batch was not supervised"
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        app.conf.task_always_eager = True
        settings.CELERY_TASK_ALWAYS_EAGER = django_settings.CELERY_TASK_ALWAYS_EAGER
    assert batch.computed_at <= batch.reconciled_at
    assert SettlementBatch.objects.get(pk=batch.pk).figures_added_at is not None
    assert _results() == EXPECTED
    assert _overlap_flags() == [("S00000001", "S00000002")]
