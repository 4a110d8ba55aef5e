"""Exact search of settlement records in the admin: setl_id, mdtrt_id or the person's psn_no
(looked up on the people register, since records.psn_no has no index), within the user's scope."""

import pytest

from claims.models import ReconciliationResult, SettlementRecord
from claims.settlements.admin.record_search import record_search_q
from claims.supervision.services.reconciliation import reconciliation_compute
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch, claim, record
from tests.contracts.factories import ContractFactory, InsurerFactory


@pytest.fixture
def records(covered_city, role_user):
    contract, (p1, p2, _p3) = covered_city["contract"], covered_city["people"]
    other = ContractFactory(lead_insurer=InsurerFactory(), scheme__code="SUP-OTHER")
    clerk = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    batch = applied_batch(contract)
    return {
        "clerk": clerk,
        "p1": p1,
        "p1_records": [claim(batch, p1, expected="10.00", paid="10.00") for _ in range(2)],
        "p2_record": claim(batch, p2, expected="20.00", paid="0.00"),
        "p1_elsewhere": record(applied_batch(other), p1),  # another insurer's contract
        "contract": contract,
    }


def _listed(client, url: str, model, term: str) -> set[int]:
    body = client.get(url, {"q": term}).content.decode()
    ids = set(model.objects.values_list("pk", flat=True))
    return {pk for pk in ids if f"/{pk}/change/" in body}


@pytest.mark.django_db
def test_records_found_by_psn_no_setl_id_and_mdtrt_id_in_scope(records, client):
    client.force_login(records["clerk"])
    url = "/admin/claims/settlementrecord/"
    mine = {r.pk for r in records["p1_records"]}
    assert _listed(client, url, SettlementRecord, records["p1"].psn_no) == mine
    one = records["p1_records"][0]
    assert _listed(client, url, SettlementRecord, f" {one.setl_id} ") == {one.pk}
    assert _listed(client, url, SettlementRecord, one.mdtrt_id) == {one.pk}
    assert _listed(client, url, SettlementRecord, "NO-SUCH-ID") == set()
    assert record_search_q("   ") is None  # a blank search lists everything, as before


@pytest.mark.django_db
def test_reconciliation_found_by_psn_no_and_setl_id(records, client):
    reconciliation_compute(contract=records["contract"])
    client.force_login(records["clerk"])
    url = "/admin/claims/reconciliationresult/"
    p1_results = set(
        ReconciliationResult.objects.filter(record__in=records["p1_records"]).values_list(
            "pk", flat=True
        )
    )
    assert len(p1_results) == 2
    assert _listed(client, url, ReconciliationResult, records["p1"].psn_no) == p1_results
    p2 = ReconciliationResult.objects.get(record=records["p2_record"])
    assert _listed(client, url, ReconciliationResult, records["p2_record"].setl_id) == {p2.pk}
