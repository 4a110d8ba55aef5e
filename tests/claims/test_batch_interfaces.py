"""The three doors into the pipeline (admin, API, command) and who may use them."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.choices import BatchStatus
from claims.models import SettlementBatch, SettlementRecord
from contracts.services.insurers import insurer_user_link
from tests.claims.files import settlement_row, write_csv, write_jsonl


@pytest.fixture
def insurer_user(role_user, covered_city):
    user = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=user, insurer=covered_city["contract"].lead_insurer, actor=None)
    return user


def _rows(n=3):
    return [settlement_row(i, psn_no=f"P{(i % 3) + 1:04d}") for i in range(1, n + 1)]


def _api(user, *scopes):
    _key, plain = api_key_create(user=user, name="t", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


@pytest.mark.django_db
def test_api_upload_polls_and_repeats(
    media, covered_city, insurer_user, django_capture_on_commit_callbacks
):
    client = _api(insurer_user, "settlements:write", "settlements:read")
    path = write_csv(media / "a.csv", _rows())
    contract = covered_city["contract"]
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
        response = client.post(
            "/api/v1/settlement-batches/", {"contract": contract.pk, "file": fh},
            format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1",
        )  # fmt: skip
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    detail = client.get(f"/api/v1/settlement-batches/{batch_id}/").json()
    assert detail["status"] == BatchStatus.APPLIED and detail["progress_percent"] == 100
    with path.open("rb") as fh:
        again = client.post(
            "/api/v1/settlement-batches/", {"contract": contract.pk, "file": fh},
            format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1",
        )  # fmt: skip
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == batch_id
    assert SettlementRecord.objects.count() == 3


@pytest.mark.django_db
def test_api_json_lines_upload_and_error_report(
    media, covered_city, insurer_user, django_capture_on_commit_callbacks
):
    client = _api(insurer_user, "settlements:write", "settlements:read")
    rows = _rows()
    rows[1]["medfee_sumamt"] = "oops"
    body = write_jsonl(media / "a.jsonl", rows).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic(
            "POST", f"/api/v1/settlement-batches/?contract={covered_city['contract'].pk}",
            body, content_type="application/x-ndjson",
        )  # fmt: skip
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    assert client.get(f"/api/v1/settlement-batches/{batch_id}/").json()["status"] == "rejected"
    report = client.get(f"/api/v1/settlement-batches/{batch_id}/errors/?format=csv")
    assert report.status_code == 200
    assert "2,medfee_sumamt,bad_number" in report.content.decode("utf-8-sig")
    xlsx = client.get(f"/api/v1/settlement-batches/{batch_id}/errors/?format=xlsx")
    assert xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_api_scopes_and_other_insurers(media, covered_city, insurer_user, other_insurer_contract):
    read_only = _api(insurer_user, "settlements:read")
    path = write_csv(media / "a.csv", _rows())
    with path.open("rb") as fh:
        refused = read_only.post(
            "/api/v1/settlement-batches/",
            {"contract": covered_city["contract"].pk, "file": fh}, format="multipart",
        )  # fmt: skip
    assert refused.status_code == 403
    writer = _api(insurer_user, "settlements:write")
    with path.open("rb") as fh:
        foreign = writer.post(
            "/api/v1/settlement-batches/",
            {"contract": other_insurer_contract.pk, "file": fh}, format="multipart",
        )  # fmt: skip
    assert foreign.status_code == 404
    assert SettlementBatch.objects.count() == 0


@pytest.mark.django_db
def test_insurers_see_only_their_own_batches(
    media,
    covered_city,
    other_insurer_contract,
    insurer_user,
    role_user,
    client,
    django_capture_on_commit_callbacks,
):
    from claims.settlements.services.batches import batch_receive

    path = write_csv(media / "theirs.csv", _rows())
    with path.open("rb") as fh:
        theirs = batch_receive(
            contract=other_insurer_contract, fileobj=fh, filename="t.csv", queue=False
        ).batch
    client.force_login(insurer_user)
    assert client.get(f"/admin/claims/settlementbatch/{theirs.pk}/change/").status_code == 302
    listing = client.get("/admin/claims/settlementbatch/")
    assert listing.status_code == 200 and "theirs.csv" not in listing.content.decode()
    api = _api(insurer_user, "settlements:read")
    assert api.get(f"/api/v1/settlement-batches/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/settlement-batches/{theirs.pk}/errors/").status_code == 404


@pytest.mark.django_db
def test_admin_upload_form(
    media, covered_city, insurer_user, client, django_capture_on_commit_callbacks
):
    client.force_login(insurer_user)
    form = client.get("/admin/claims/settlementbatch/add/")
    assert form.status_code == 200 and "结算数据文件" in form.content.decode()
    path = write_csv(media / "admin.csv", _rows(), encoding="gbk")
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
        response = client.post(
            "/admin/claims/settlementbatch/add/",
            {"contract": covered_city["contract"].pk, "upload": fh, "encoding": "gbk"},
        )
    batch = SettlementBatch.objects.get()
    assert response.status_code == 302 and str(batch.pk) in response["Location"]
    assert batch.status == BatchStatus.APPLIED and batch.encoding == "gb18030"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "admin.csv" in page.content.decode()


@pytest.mark.django_db
def test_ingest_command(media, covered_city):
    good = write_csv(media / "good.csv", _rows())
    call_command("ingest_settlements", str(good), contract=covered_city["contract"].pk)
    assert SettlementRecord.objects.count() == 3
    bad_rows = _rows()
    bad_rows[0]["psn_no"] = "NOBODY"
    bad_rows[0]["setl_id"] = "X1"
    bad = write_csv(media / "bad.csv", bad_rows)
    with pytest.raises(CommandError, match="batch rejected"):
        call_command("ingest_settlements", str(bad), contract=covered_city["contract"].pk)
    report = (media / "bad.errors.csv").read_text(encoding="utf-8-sig")
    assert "unknown_person" in report


@pytest.mark.django_db
def test_admin_resumes_a_batch_left_half_way(media, covered_city, role_user, client):
    from claims.settlements.services.batches import batch_receive

    path = write_csv(media / "stuck.csv", _rows())
    with path.open("rb") as fh:  # received but never processed: as after a worker crash
        stuck = batch_receive(
            contract=covered_city["contract"], fileobj=fh, filename="stuck.csv", queue=False
        ).batch
    client.force_login(role_user("operator"))
    response = client.post(
        "/admin/claims/settlementbatch/",
        {"action": "resume_processing", "_selected_action": [stuck.pk]},
    )
    assert response.status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == BatchStatus.APPLIED and stuck.computed_at is not None
    assert SettlementRecord.objects.filter(batch=stuck).count() == 3
