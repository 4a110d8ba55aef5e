"""A read replica, when configured, answers the reads of dashboards, public pages and list
exports; every write and every other read stays on the primary; migrations never run there.

The replica here is a second connection to the test database (what `DATABASE_REPLICA_URL`
configures is `TEST: {"MIRROR": "default"}`); queries are counted per connection, so a read
routed to the wrong one fails the test."""

import io

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.replica import REPLICA, reports
from contracts.models import Insurer
from tests.claims.supervision_data import applied_batch
from tests.conftest import login_verified
from tests.contracts.factories import InsurerFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a second connection to SQLite's in-memory test database is another database",
)


@pytest.fixture(scope="module")
def replica(django_db_setup):
    """The alias `replica` as `DATABASE_REPLICA_URL` makes it (a mirror of the test database),
    for this module only. Module-scoped so that it exists before a test's database access is
    set up, which refuses aliases it does not know."""
    alias = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    settings.DATABASES[REPLICA] = alias
    connections.settings[REPLICA] = alias
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]  # the same dict as settings.DATABASES


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_reads_inside_reports_go_to_the_replica_and_the_rest_to_the_primary(replica):
    InsurerFactory(name="甲保险")
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        with reports():
            names = list(Insurer.objects.values_list("name", flat=True))
            InsurerFactory(name="乙保险")  # a write inside reports() still goes to the primary
        outside = Insurer.objects.count()
    assert names == ["甲保险"]  # the replica sees what the primary committed
    assert outside == 2
    assert [q["sql"].split()[0] for q in on_replica.captured_queries] == ["SELECT"]
    assert any(q["sql"].startswith("INSERT") for q in on_primary.captured_queries)
    assert len(on_primary.captured_queries) == 2  # the insert and the count, not the list


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_dashboard_and_list_export_read_from_the_replica(replica, covered_city, role_user, client):
    batch = applied_batch(covered_city["contract"])
    login_verified(client, role_user("director"))
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert on_replica.captured_queries, "the dashboard's figures are read on the replica"

    login_verified(client, role_user("operator"))
    url = reverse("admin:claims_settlementbatch_changelist")
    with CaptureQueriesContext(replica) as on_replica:
        response = client.post(f"{url}export/", {"format": 1, "resource": 0})
    assert response.status_code == 200
    exported = [q["sql"] for q in on_replica.captured_queries]
    assert any('FROM "claims_settlementbatch"' in sql for sql in exported)
    header, *rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    assert header[0] == "批次号" and [r[0] for r in rows] == [batch.pk]

    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(url)
    assert response.status_code == 200
    assert on_replica.captured_queries == []  # an ordinary page reads the primary
