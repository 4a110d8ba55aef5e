"""Issue 21: the changes feed. The services write what changed for an insurer in the transaction
that changed it; `GET /api/v1/changes/?after=` pages through it in order, scoped to the insurer."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.models import Change
from claims.settlements.services.changes import FEED_LOCK, change_record
from claims.supervision.services.complaints import complaint_move, complaint_register
from contracts.services.insurers import insurer_user_link
from tests.claims.files import HEADER, settlement_row


def _api(user) -> APIClient:
    _key, plain = api_key_create(user=user, name="t", scopes=["settlements:read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return api


@pytest.mark.django_db
def test_the_services_write_the_feed_and_a_cursor_reads_it_once_in_order(
    covered_city, other_insurer_contract, ingest, role_user
):
    contract = covered_city["contract"]
    clerk = role_user("insurer", username="feed_reader")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    stranger = role_user("insurer", username="stranger")
    insurer_user_link(user=stranger, insurer=other_insurer_contract.lead_insurer, actor=None)

    applied = ingest(contract, "good.csv", [settlement_row(1)], HEADER)
    bad = settlement_row(2, setl_time="not a date")
    rejected = ingest(contract, "bad.csv", [bad], HEADER, status="rejected")
    operator = role_user("operator")
    complaint = complaint_register(
        contract=contract, person=covered_city["people"][0], channel="hotline",
        category="refusal", content="拒付。", actor=operator, received_on=dt.date(2025, 3, 3),
    )  # fmt: skip
    complaint_move(complaint=complaint, move="assign", actor=operator, on=dt.date(2025, 3, 3))

    expected = [
        ("batch.applied", applied.pk),
        ("batch.computed", applied.pk),
        ("batch.rejected", rejected.pk),
        ("complaint.assigned", complaint.pk),
    ]
    api, seen, cursor = _api(clerk), [], 0
    while True:
        page = api.get("/api/v1/changes/", {"after": cursor, "limit": 1}).json()
        seen += [(row["kind"], row["object_id"]) for row in page["results"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert seen == expected
    assert api.get("/api/v1/changes/", {"after": cursor}).json()["results"] == []
    assert _api(stranger).get("/api/v1/changes/").json()["results"] == []
    refused = api.get("/api/v1/changes/", {"after": "yesterday"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "after"
    # a limit above the most is refused, not cut down to it; so is none at all
    for limit in ("501", "0", "1e3", "²"):
        refused = api.get("/api/v1/changes/", {"limit": limit})
        assert refused.status_code == 400, limit
        assert refused.json()["errors"][0]["field"] == "limit"
    assert "1 至 500" in api.get("/api/v1/changes/", {"limit": "501"}).json()["errors"][0]["detail"]
    assert len(api.get("/api/v1/changes/", {"limit": "500"}).json()["results"]) == len(expected)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an advisory lock: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_writers_of_the_feed_commit_one_after_another(covered_city):
    """Ids become visible in order: while one transaction holds a new change uncommitted, no
    other writer can take the feed's lock (and so a later id) until it commits."""
    contract = covered_city["contract"]

    def lock_free_elsewhere() -> bool:
        answer = {}

        def probe():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FEED_LOCK])
                answer["free"] = cursor.fetchone()[0]
            connection.close()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return answer["free"]

    with transaction.atomic():
        change_record(
            kind="batch.applied", obj=contract, insurer_id=contract.lead_insurer_id,
            contract_id=contract.pk,
        )  # fmt: skip
        assert lock_free_elsewhere() is False
    assert lock_free_elsewhere() is True
    assert Change.objects.count() == 1


@pytest.mark.django_db
def test_a_manual_claim_received_for_my_contract_is_in_my_feed(
    covered_city, other_insurer_contract, role_user
):
    """Its 7 working days may run from the day it is received: the insurer learns of it from
    the feed, not by polling the manual claims."""
    from claims.supervision.services.manual_claims import manual_claim_register

    contract = covered_city["contract"]
    clerk = role_user("insurer", username="claims_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    stranger = role_user("insurer", username="stranger")
    insurer_user_link(user=stranger, insurer=other_insurer_contract.lead_insurer, actor=None)
    claim = manual_claim_register(
        contract=contract, person=covered_city["people"][0], received_on=dt.date(2025, 3, 3),
        hospital_name="北京协和医院", treatment_from=dt.date(2025, 2, 10),
        treatment_to=dt.date(2025, 2, 20), amount_claimed="12000.00",
        actor=role_user("operator"),
    )  # fmt: skip
    page = _api(clerk).get("/api/v1/changes/", {"after": 0}).json()
    assert [(r["kind"], r["object_id"]) for r in page["results"]] == [
        ("manual_claim.received", claim.pk)
    ]
    assert page["results"][0]["contract"] == contract.pk
    assert _api(stranger).get("/api/v1/changes/", {"after": 0}).json()["results"] == []
