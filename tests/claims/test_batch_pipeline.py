import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from claims.choices import BatchStatus
from claims.models import SettlementBatch, SettlementRecord, SettlementStage
from claims.settlements.services.batches import IdempotencyConflict, batch_receive
from contracts.services.insurers import insurer_user_link
from tests.claims.files import settlement_row, write_csv, write_jsonl, write_xlsx


@pytest.fixture
def send(django_capture_on_commit_callbacks, tmp_path, settings):
    """Upload a file; processing is queued on commit, so run the callbacks as a commit would."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def _send(contract, path, **kwargs):
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            received = batch_receive(contract=contract, fileobj=fh, filename=path.name, **kwargs)
        received.batch.refresh_from_db()
        return received

    return _send


def _good_rows(n=6):
    return [settlement_row(i, psn_no=f"P{(i % 3) + 1:04d}") for i in range(1, n + 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "writer"),
    [
        ("gbk.csv", lambda p, rows: write_csv(p, rows, encoding="gbk")),
        ("bom.csv", lambda p, rows: write_csv(p, rows, encoding="utf-8-sig")),
        ("s.xlsx", write_xlsx),
        ("s.jsonl", write_jsonl),
    ],
)
def test_each_file_kind_applies_completely(tmp_path, send, covered_city, kind, writer):
    rows = _good_rows()
    rows[0]["fixmedins_code"] = "鄂尔多斯市中心医院"
    received = send(covered_city["contract"], writer(tmp_path / kind, rows))
    batch = received.batch
    assert batch.status == BatchStatus.APPLIED, batch.errors_preview or batch.file_problem
    assert (batch.rows_total, batch.rows_good, batch.rows_bad) == (6, 6, 0)
    stored = SettlementRecord.objects.filter(batch=batch)
    assert stored.count() == 6
    first = stored.get(setl_id="S00000001")
    assert first.fixmedins_code == "鄂尔多斯市中心医院"
    assert first.medfee_sumamt == Decimal("50000.00")
    assert first.person.psn_no == "P0002"
    assert first.setl_time.astimezone(dt.timezone(dt.timedelta(hours=8))).hour == 10
    assert not SettlementStage.objects.filter(batch_id=batch.pk).exists()
    entry = AuditEntry.objects.filter(object_type="claims.settlementbatch", action="batch").get()
    assert entry.extra["sha256"] == batch.sha256 and entry.extra["count"] == 6


@pytest.mark.django_db
def test_one_bad_row_among_many_leaves_the_database_unchanged(tmp_path, send, covered_city):
    rows = _good_rows(50)
    rows[37]["psn_no"] = "NOBODY"
    batch = send(covered_city["contract"], write_csv(tmp_path / "one-bad.csv", rows)).batch
    assert batch.status == BatchStatus.REJECTED
    assert SettlementRecord.objects.count() == 0
    assert batch.errors_preview == [
        {
            "row": 39,
            "column": "psn_no",
            "code": "unknown_person",
            "message": "人员编号不存在于参保人员库：NOBODY",
            "message_en": "psn_no is not a registered person: NOBODY",
        }
    ]
    assert batch.unknown_persons == 1
    from claims.settlements.ingest.report import error_report_response

    report = error_report_response(batch, "csv").content.decode("utf-8-sig")
    assert "39,psn_no,unknown_person,人员编号不存在于参保人员库：NOBODY" in report


@pytest.mark.django_db
def test_database_checks_each_locate_their_row(tmp_path, send, covered_city):
    first = write_csv(tmp_path / "first.csv", [settlement_row(1, psn_no="P0001")])
    assert send(covered_city["contract"], first).batch.status == BatchStatus.APPLIED
    rows = [
        settlement_row(1, psn_no="P0001"),  # already stored
        settlement_row(
            2,
            psn_no="P0002",
            setl_time="2024-06-01 09:00:00",
            begndate="2024-05-20",
            enddate="2024-06-01",
        ),  # not enrolled then
        settlement_row(
            3, psn_no="P0003", refd_setl_flag="1", init_setl_id="S99999999", total="-100.00"
        ),  # reversal of nothing
    ]
    batch = send(covered_city["contract"], write_csv(tmp_path / "second.csv", rows)).batch
    assert batch.status == BatchStatus.REJECTED
    assert [(e["row"], e["column"], e["code"]) for e in batch.errors_preview] == [
        (2, "setl_id", "duplicate_stored"),
        (3, "setl_time", "not_enrolled"),
        (4, "init_setl_id", "reversal_without_original"),
    ]
    assert SettlementRecord.objects.count() == 1


@pytest.mark.django_db
def test_reversal_of_a_stored_settlement_is_accepted(tmp_path, send, covered_city):
    send(
        covered_city["contract"], write_csv(tmp_path / "a.csv", [settlement_row(1, psn_no="P0001")])
    )
    reversal = settlement_row(
        2, psn_no="P0001", total="-50000.00", refd_setl_flag="1", init_setl_id="S00000001"
    )
    batch = send(covered_city["contract"], write_csv(tmp_path / "b.csv", [reversal])).batch
    assert batch.status == BatchStatus.APPLIED and batch.reversals == 1
    stored = SettlementRecord.objects.get(setl_id="S00000002")
    assert stored.refd_setl_flag and stored.medfee_sumamt == Decimal("-50000.00")


@pytest.mark.django_db
def test_the_same_file_or_key_is_not_applied_twice(tmp_path, send, covered_city):
    path = write_csv(tmp_path / "dup.csv", _good_rows())
    first = send(covered_city["contract"], path, idempotency_key="k-1")
    again = send(covered_city["contract"], path)
    assert again.duplicate and again.batch.pk == first.batch.pk
    same_key = send(covered_city["contract"], path, idempotency_key="k-1")
    assert same_key.duplicate and same_key.batch.pk == first.batch.pk
    other = write_csv(tmp_path / "other.csv", _good_rows(3))
    with pytest.raises(IdempotencyConflict) as conflict:  # never a silent "duplicate"
        send(covered_city["contract"], other, idempotency_key="k-1")
    assert conflict.value.batch.pk == first.batch.pk and f"#{first.batch.pk}" in str(conflict.value)
    assert SettlementBatch.objects.count() == 1 and SettlementRecord.objects.count() == 6
    stored = {p.name for p in (tmp_path / "media" / "settlements").rglob("*") if p.is_file()}
    assert stored == {Path(first.batch.file.name).name}  # the refused upload left no file


@pytest.mark.django_db
def test_processing_twice_does_no_harm(tmp_path, send, covered_city):
    from claims.tasks import process_batch

    batch = send(covered_city["contract"], write_csv(tmp_path / "x.csv", _good_rows())).batch
    assert process_batch.delay(batch.pk).get() == BatchStatus.APPLIED
    assert SettlementRecord.objects.count() == 6


@pytest.mark.django_db
def test_an_unreadable_file_is_rejected_with_its_reason(tmp_path, send, covered_city):
    path = tmp_path / "cols.csv"
    path.write_text("setl_id,psn_no\nS1,P0001\n", encoding="utf-8")
    batch = send(covered_city["contract"], path).batch
    assert batch.status == BatchStatus.REJECTED
    assert "缺少必需的列" in batch.file_problem and "mdtrt_id" in batch.file_problem


@pytest.mark.django_db
def test_an_insurer_cannot_upload_for_another_insurers_contract(
    tmp_path, send, covered_city, other_insurer_contract, role_user
):
    uploader = role_user("insurer")
    insurer_user_link(user=uploader, insurer=covered_city["contract"].lead_insurer, actor=None)
    path = write_csv(tmp_path / "x.csv", _good_rows())
    with pytest.raises(PermissionDenied):
        send(other_insurer_contract, path, actor=uploader)
    batch = send(covered_city["contract"], path, actor=uploader).batch
    assert batch.insurer == covered_city["contract"].lead_insurer
    assert batch.status == BatchStatus.APPLIED


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "row"), [("csv", 4), ("jsonl", 3)])  # jsonl: no header line
def test_a_nul_character_is_a_located_error_not_a_crash(tmp_path, send, covered_city, kind, row):
    rows = _good_rows(5)
    rows[2]["fixmedins_code"] = "H1\x00506"
    path = (
        write_csv(tmp_path / "nul.csv", rows)
        if kind == "csv"
        else write_jsonl(tmp_path / "nul.jsonl", rows)
    )
    batch = send(covered_city["contract"], path).batch
    assert batch.status == BatchStatus.REJECTED
    assert [(e["row"], e["column"], e["code"]) for e in batch.errors_preview] == [
        (row, "fixmedins_code", "bad_character")
    ]
    assert SettlementRecord.objects.count() == 0
    from claims.settlements.ingest.report import error_report_response

    for fmt in ("csv", "xlsx"):
        assert error_report_response(batch, fmt).status_code == 200
