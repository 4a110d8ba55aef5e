"""The admin lists of the big tables (issue #24): fixed-choice filters, no SELECT DISTINCT over
the table, and the reconciliation list read in its index's order."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import CodeMapping, ReconciliationResult
from claims.supervision.services.reconciliation import reconciliation_compute
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch, claim, record


def _get(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode(), [q["sql"].upper() for q in queries.captured_queries]


@pytest.fixture
def clerk_client(covered_city, role_user, client):
    clerk = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=clerk, insurer=covered_city["contract"].lead_insurer, actor=None)
    client.force_login(clerk)
    return client


@pytest.mark.django_db
def test_records_list_filters_are_fixed_choices_without_distinct(covered_city, clerk_client):
    admin_client = clerk_client
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    inpatient = record(batch, person, med_type="21", trt_category="dialysis")
    outpatient = record(batch, person, med_type="11")
    CodeMapping.objects.get_or_create(column="med_type", code="21", defaults={"family": "21"})
    url = "/admin/claims/settlementrecord/"
    body, sqls = _get(admin_client, url)
    assert not [s for s in sqls if "DISTINCT" in s and "SETTLEMENTRECORD" in s]
    assert "血液透析" in body and "med_type=21" in body
    body, sqls = _get(admin_client, url, {"med_type": "21"})
    assert f"/{inpatient.pk}/change/" in body and f"/{outpatient.pk}/change/" not in body
    body, _sqls = _get(admin_client, url, {"trt_category": "dialysis"})
    assert f"/{inpatient.pk}/change/" in body and f"/{outpatient.pk}/change/" not in body
    # an exact setl_id search reads no distinct values either
    body, sqls = _get(admin_client, url, {"q": outpatient.setl_id})
    assert f"/{outpatient.pk}/change/" in body and f"/{inpatient.pk}/change/" not in body
    assert not [s for s in sqls if "DISTINCT" in s and "SETTLEMENTRECORD" in s]


@pytest.mark.django_db
def test_reconciliation_list_counts_nothing_in_full_and_has_its_order_index(
    covered_city, clerk_client
):
    admin_client = clerk_client
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    claim(batch, person, expected="10.00", paid="10.00")
    reconciliation_compute(contract=contract)
    body, sqls = _get(admin_client, "/admin/claims/reconciliationresult/")
    assert ReconciliationResult.objects.get().get_outcome_display() in body
    # no full COUNT(*) of the table beside the page's (show_full_result_count = False)
    counts = [s for s in sqls if "COUNT(" in s and "RECONCILIATIONRESULT" in s]
    assert len(counts) <= 1
    indexes = {tuple(i.fields): i.name for i in ReconciliationResult._meta.indexes}
    assert indexes[("period", "id")] == "claims_recon_list_idx"


@pytest.mark.django_db
def test_the_dashboard_counts_the_years_discrepancies_through_their_own_index(
    covered_city, role_user, client
):
    """The dashboard's tile counts only discrepancies (a few in a hundred results at a city's
    size): a partial index holds just those, and the tile's query is one PostgreSQL can answer
    from it (its condition implies the index's). The count itself is checked here too."""
    from django.urls import reverse

    from claims.oversight.dashboard import discrepancy_tiles

    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    claim(batch, person, expected="10.00", paid="10.00")  # matched
    claim(batch, person, expected="10.00", paid="0.00", day=dt.date(2025, 4, 2))  # unpaid
    claim(batch, person, expected="0.00", paid="5.00", day=dt.date(2025, 5, 2))  # unentitled
    reconciliation_compute(contract=contract)
    director = role_user("director")
    request = type("R", (), {"user": director, "GET": {"period": "2025-05"}})()
    tile = discrepancy_tiles(request)[0]
    assert tile.value == "2"  # the two that differ, not the matched one
    assert reverse("admin:claims_reconciliationresult_changelist") == tile.link
    if connection.vendor != "postgresql":
        return  # SQLite has the partial index too, but its plans are not read here
    with CaptureQueriesContext(connection) as queries:
        discrepancy_tiles(request)
    (sql,) = [q["sql"] for q in queries.captured_queries if "outcome" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "period_outcome_idx" in plan and "contract_id_period_outcome_idx" not in plan, plan
