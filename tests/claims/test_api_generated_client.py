"""Issue 21, done means: a client generated from the live OpenAPI schema with a standard generator
(openapi-python-client) does the insurer's whole job against a live server on PostgreSQL.

The client is generated at test time into tmp_path from what `/api/schema/` serves, imported and
used as an insurer's IT department would: nothing here speaks HTTP by hand. The generator is told
to send the JSON lines media type as a raw body (`content_type_overrides`), which is how it
handles any binary body it has no built-in name for.
"""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from audit.services import api_key_create
from claims.models import SettlementBatch
from contracts.services.insurers import insurer_user_link
from insurance.models import BenefitPlan
from insurance.services.plans import shipped_plans_sync
from tests.claims.files import settlement_row, write_csv

pytestmark = pytest.mark.django_db(transaction=True)

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
CONFIG = """\
project_name_override: medsupp-client
package_name_override: medsupp_client
post_hooks: []
content_type_overrides:
  application/x-ndjson: application/octet-stream
"""


@pytest.fixture
def medsupp_client(api_server, tmp_path):
    """The package generated from the live schema, imported."""
    served = httpx.get(
        f"{api_server.url}/api/schema/",
        headers={"Accept": "application/vnd.oai.openapi+json"},
        timeout=60,
    )
    assert served.status_code == 200
    (tmp_path / "schema.json").write_bytes(served.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    done = subprocess.run(  # noqa: S603  (our own generator, our own paths)
        [str(GENERATOR), "generate", "--path", str(tmp_path / "schema.json"), "--config",
         str(tmp_path / "config.yaml"), "--meta", "none", "--output-path",
         str(tmp_path / "medsupp_client")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout  # every operation was generated
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("medsupp_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "medsupp_client"]:
            del sys.modules[name]


def _api(name: str):
    return importlib.import_module(f"medsupp_client.api.api.{name}")


def _rows(first: int, n: int) -> list[dict]:
    return [settlement_row(i, psn_no=f"P{(i % 3) + 1:04d}") for i in range(first, first + n)]


def test_an_insurers_whole_job_through_the_generated_client(
    medsupp_client, api_server, covered_city, role_user, tmp_path
):
    if not BenefitPlan.objects.exists():  # an earlier transactional test's flush removed them
        shipped_plans_sync()
    contract = covered_city["contract"]
    clerk = role_user("insurer", username="insurer_it")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    _key, plain = api_key_create(
        user=clerk, name="core system",
        scopes=["settlements:write", "settlements:read", "claims:read", "claims:write"],
    )  # fmt: skip
    with medsupp_client.AuthenticatedClient(
        base_url=api_server.url, token=plain, prefix="Api-Key", timeout=120
    ) as client:
        _the_job(client, contract, clerk, tmp_path)


def _the_job(client, contract, clerk, tmp_path):
    from medsupp_client.models import AnswerRequest, BatchUploadRequest
    from medsupp_client.types import File

    # Who am I, and which contracts do I reach?
    me = _api("api_v1_me_retrieve").sync(client=client)
    assert [c.id for c in me.contracts] == [contract.pk]
    contracts = _api("api_v1_contracts_list").sync(client=client)
    assert [c.number for c in contracts.results] == [contract.number]

    # Upload a CSV file with an Idempotency-Key; the same key again answers the same batch.
    path = write_csv(tmp_path / "march.csv", _rows(1, 3))
    upload = _api("api_v1_settlement_batches_create")

    def send_csv(key):
        body = BatchUploadRequest(
            contract=contract.pk,
            file=File(payload=io.BytesIO(path.read_bytes()), file_name="march.csv"),
        )
        return upload.sync_detailed(client=client, body=body, idempotency_key=key)

    first = send_csv("2025-03-csv")
    assert first.status_code == 202, first.content
    again = send_csv("2025-03-csv")
    assert again.status_code == 200 and again.parsed.duplicate is True
    assert again.parsed.id == first.parsed.id

    # JSON lines, sent as the declared media type.
    lines = "\n".join(json.dumps(row) for row in _rows(10, 2)).encode()
    jsonl = upload.sync_detailed(
        client=client,
        body=File(payload=io.BytesIO(lines), file_name="more.jsonl"),
        contract=contract.pk,
        idempotency_key="2025-03-jsonl",
    )
    assert jsonl.status_code == 202, jsonl.content

    # Poll progress until each batch is applied (processed in-process here: at once).
    detail = _api("api_v1_settlement_batches_retrieve")
    for batch_id, rows in ((first.parsed.id, 3), (jsonl.parsed.id, 2)):
        batch = detail.sync(client=client, id=batch_id)
        assert batch.status.value == "applied" and batch.rows_good == rows
        assert batch.progress_percent == 100

    # A file with an error is rejected; fetch the error report.
    bad = _rows(20, 2)
    bad[1]["setl_time"] = "not a date"
    bad_path = write_csv(tmp_path / "bad.csv", bad)
    rejected = upload.sync_detailed(
        client=client,
        body=BatchUploadRequest(
            contract=contract.pk,
            file=File(payload=io.BytesIO(bad_path.read_bytes()), file_name="bad.csv"),
        ),
        idempotency_key="2025-03-bad",
    )
    assert detail.sync(client=client, id=rejected.parsed.id).status.value == "rejected"
    report = _api("api_v1_settlement_batches_errors_retrieve").sync_detailed(
        client=client, id=rejected.parsed.id
    )
    assert report.status_code == 200 and "setl_time" in report.content.decode("utf-8-sig")

    # Compensations of the CSV batch, one per settlement.
    listed = _api("api_v1_compensations_list").sync(client=client, batch=first.parsed.id)
    assert sorted(c.setl_id for c in listed.results) == ["S00000001", "S00000002", "S00000003"]

    # The bureau reviews the month: one settlement drawn, found 50.00 underpaid, approved.
    adjustment_id = _bureau_reviews_march(contract, clerk)

    statements = _api("api_v1_statements_list").sync(client=client, period="2025-03")
    (statement,) = statements.results
    assert statement.status.value == "approved" and statement.correction_total == "50.00"
    read = _api("api_v1_statements_retrieve").sync(client=client, id=statement.id)
    assert [i.decision.value for i in read.items].count("correct") == 1

    # Answer the adjustment the review left.
    from medsupp_client.models import ApiV1AdjustmentsListStatus

    open_ones = _api("api_v1_adjustments_list").sync(
        client=client, status=ApiV1AdjustmentsListStatus.OPEN
    )
    assert [a.id for a in open_ones.results] == [adjustment_id]
    assert Decimal(open_ones.results[0].amount) == Decimal("50.00")
    answered = _api("api_v1_adjustments_answer_create").sync_detailed(
        client=client, id=adjustment_id, body=AnswerRequest(answer="已于 4 月 2 日补付参保人。")
    )
    assert answered.status_code == 200, answered.content
    assert answered.parsed.status.value == "answered"
    twice = _api("api_v1_adjustments_answer_create").sync_detailed(
        client=client, id=adjustment_id, body=AnswerRequest(answer="again")
    )
    assert twice.status_code == 409 and twice.parsed.status == 409

    # And the feed told all of it, in order.
    feed = _api("api_v1_changes_retrieve").sync(client=client, after=0)
    kinds = [(c.kind, c.object_id) for c in feed.results]
    assert ("batch.applied", first.parsed.id) in kinds
    assert ("batch.rejected", rejected.parsed.id) in kinds
    assert kinds[-2:] == [
        ("statement.approved", statement.id),
        ("adjustment.opened", adjustment_id),
    ]
    assert _api("api_v1_changes_retrieve").sync(client=client, after=feed.cursor).results == []
    assert SettlementBatch.objects.filter(contract=contract).count() == 3


def _bureau_reviews_march(contract, clerk) -> int:
    """What the bureau does in the admin: the clerk's statement, a review in which the drawn
    settlement is corrected to 50.00 more than the insurer paid (any other drawn one accepted),
    approved by a second person."""
    import datetime as dt

    from audit.services import user_ensure
    from claims.models import StatementAdjustment
    from claims.supervision.services.statement_items import statement_item_decide
    from claims.supervision.services.statements import (
        statement_move,
        statement_review_start,
        statement_submit,
    )

    reviewer, _pw = user_ensure(username="reviewer", role_code="reviewer", password="pw-1-tests")
    director, _pw = user_ensure(username="director", role_code="director", password="pw-1-tests")
    statement = statement_submit(contract=contract, period=dt.date(2025, 3, 1), actor=clerk)
    statement = statement_review_start(
        statement=statement, actor=reviewer, seed=1, sample_size=1, threshold=Decimal("1000000")
    )
    drawn, *others = statement.items.order_by("id")  # the drawn one, and any discrepancy
    statement_item_decide(
        item=drawn, decision="correct", amount=drawn.claimed + Decimal("50.00"), actor=reviewer
    )
    for item in others:
        statement_item_decide(item=item, decision="accept", actor=reviewer)
    statement = statement_move(statement=statement, move="finish_review", actor=reviewer)
    statement_move(statement=statement, move="approve", actor=director)
    return StatementAdjustment.objects.get(statement=statement).pk
