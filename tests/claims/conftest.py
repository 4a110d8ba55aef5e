import datetime as dt

import pytest

from insurance.models import BenefitPlan, Enrollment
from tests.contracts.factories import ContractFactory, InsurerFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory


@pytest.fixture
def covered_city(db):
    """A contract for a scheme's 2025 year and three people enrolled in it all year."""
    year = SchemeYearFactory(year=2025)
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2027, 12, 31)
    )
    people = [PersonFactory(psn_no=f"P{i:04d}") for i in range(1, 4)]
    for person in people:
        Enrollment.objects.create(
            person=person,
            scheme_year=year,
            kind="renewal",
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2025, 12, 31),
            benefits_from=dt.date(2025, 1, 1),
        )
    return {"contract": contract, "year": year, "people": people}


@pytest.fixture
def other_insurer_contract(db):
    return ContractFactory(lead_insurer=InsurerFactory())


@pytest.fixture
def ingest(django_capture_on_commit_callbacks, tmp_path, settings):
    """Send rows as a real CSV file through receive -> checks -> apply -> compute."""
    from claims.settlements.services.batches import batch_receive
    from tests.claims.files import write_csv

    settings.MEDIA_ROOT = tmp_path / "media"

    def _ingest(contract, name, rows, header, *, status="applied"):
        path = write_csv(tmp_path / name, rows, header=header)
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            batch = batch_receive(contract=contract, fileobj=fh, filename=name).batch
        batch.refresh_from_db()
        assert batch.status == status, batch.errors_preview or batch.file_problem
        assert status != "applied" or batch.computed_at is not None
        return batch

    return _ingest


@pytest.fixture
def ordos(db):
    """A 2018 scheme year on plan ordos-2018, its contract and one person, P0001, enrolled."""
    year = SchemeYearFactory(year=2018, plan=BenefitPlan.objects.get(code="ordos-2018"))
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    person = PersonFactory(psn_no="P0001", insutype="310")
    Enrollment.objects.create(
        person=person,
        scheme_year=year,
        kind="renewal",
        start_date=dt.date(2018, 1, 1),
        end_date=dt.date(2018, 12, 31),
        benefits_from=dt.date(2018, 1, 1),
    )
    return contract


@pytest.fixture
def media(tmp_path, settings):
    """Uploaded files under the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def api_server(transactional_db, settings):
    """A live server for this test only (pytest-django's `live_server` lives for the session):
    a server thread left running would go on serving (and holding a database connection)
    through later tests. Stopped, and its request threads ended, after the test."""
    import threading
    import time

    from pytest_django.live_server_helper import LiveServer

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    server = LiveServer("localhost")
    yield server
    server.stop()
    deadline = time.monotonic() + 10
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == 1, [t.name for t in threading.enumerate()]
