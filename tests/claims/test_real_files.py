"""Real insurers' files, each read right or refused with a located message in Chinese and English
(issue 20): a query-5203 dump as JSON lines through the API, an XLSX as office software saves it
through the admin, a GBK CSV after an Excel round trip through the command, and an export with
the platform's other names and Chinese headers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.models import SettlementBatch, SettlementRecord
from claims.settlements.services.batches import batch_receive
from contracts.services.insurers import insurer_user_link
from tests.claims.insurer_files import (
    INPATIENT,
    OUTPATIENT,
    excel_roundtrip_gbk_csv,
    office_xlsx,
    other_names_csv,
    platform_5203_jsonl,
    refund_of,
)

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))
REFUND = refund_of(INPATIENT, setl_id="S15060000000009", setl_time=dt.datetime(2025, 3, 12, 9))


@pytest.fixture
def send(media, django_capture_on_commit_callbacks):
    def _send(contract, path):
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            batch = batch_receive(contract=contract, fileobj=fh, filename=path.name).batch
        batch.refresh_from_db()
        return batch

    return _send


def _local(record) -> dt.datetime:
    return record.setl_time.astimezone(BEIJING).replace(tzinfo=None)


def _located(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["code"]) for e in batch.errors_preview]


def _assert_inpatient_read_right(record):
    """The figures of INPATIENT, as written in the file."""
    assert record.medfee_sumamt == Decimal("49667.14")
    assert record.inscp_scp_amt == Decimal("47000.00")
    assert record.hifdm_pay == Decimal("1200.00")
    assert record.fund_pay_sumamt == Decimal("36200.00")
    assert record.psn_part_amt == Decimal("13467.14")
    assert (record.med_type, record.med_type_code) == ("21", "2101")
    assert _local(record) == dt.datetime(2025, 3, 10, 16, 30, 12)
    assert (record.begndate, record.enddate) == (dt.date(2025, 3, 1), dt.date(2025, 3, 10))


# --- query 5203 as JSON lines, through the API --------------------------------------------------
def _api(covered_city, role_user):
    user = role_user("insurer", username="insurer_it")
    insurer_user_link(user=user, insurer=covered_city["contract"].lead_insurer, actor=None)
    _key, plain = api_key_create(
        user=user, name="5203", scopes=["settlements:write", "settlements:read"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


def _post_jsonl(client, contract, path, capture):
    with capture(execute=True):
        return client.generic(
            "POST",
            f"/api/v1/settlement-batches/?contract={contract.pk}",
            path.read_bytes(),
            content_type="application/x-ndjson",
        )


def test_a_5203_dump_is_read_right(
    media, covered_city, role_user, django_capture_on_commit_callbacks
):
    client = _api(covered_city, role_user)
    path = platform_5203_jsonl(media / "5203.jsonl", [INPATIENT, OUTPATIENT, REFUND])
    posted = _post_jsonl(client, covered_city["contract"], path, django_capture_on_commit_callbacks)
    assert posted.status_code == 202, posted.content
    batch = client.get(f"/api/v1/settlement-batches/{posted.json()['id']}/").json()
    assert batch["status"] == "applied", batch["errors_preview"] or batch["file_problem"]
    # The identity and clearing fields of the dump are not read, and the batch says so.
    assert batch["ignored_columns"] == [
        "psn_name", "psn_cert_type", "certno", "gend", "brdy", "cvlserv_flag",
        "pool_prop_selfpay", "balc", "acct_mulaid_pay", "medins_setl_id", "clr_type",
    ]  # fmt: skip
    inpatient = SettlementRecord.objects.get(setl_id=INPATIENT["setl_id"])
    _assert_inpatient_read_right(inpatient)  # 08:30:12+00:00 in the dump is 16:30:12 here
    assert inpatient.psn_cash_pay == Decimal("10467.14")  # from cash_payamt
    outpatient = SettlementRecord.objects.get(setl_id=OUTPATIENT["setl_id"])
    assert (outpatient.insutype, outpatient.insutype_code) == ("310", "320")
    assert _local(outpatient) == dt.datetime(2025, 3, 5, 8, 28)  # "2025-03-05 08:28:00.0"
    refund = SettlementRecord.objects.get(setl_id=REFUND["setl_id"])
    # No init_setl_id in a 5203 dump: tied by mdtrt_id to the settlement it negates.
    assert refund.refd_setl_flag and refund.init_setl_id == INPATIENT["setl_id"]
    assert refund.medfee_sumamt == Decimal("-49667.14")


def test_a_5203_dump_with_mistakes_is_refused_row_by_row(
    media, covered_city, role_user, django_capture_on_commit_callbacks
):
    client = _api(covered_city, role_user)
    positive_refund = {**REFUND, "act_pay_dedc": Decimal("800.00")}
    unknown_code = {**OUTPATIENT, "med_type": "2199"}
    orphan = refund_of(OUTPATIENT, setl_id="S15060000000010", setl_time=dt.datetime(2025, 3, 6))
    path = platform_5203_jsonl(
        media / "bad.jsonl", [INPATIENT, positive_refund, unknown_code, orphan]
    )
    posted = _post_jsonl(client, covered_city["contract"], path, django_capture_on_commit_callbacks)
    batch = SettlementBatch.objects.get(pk=posted.json()["id"])
    assert batch.status == "rejected" and not SettlementRecord.objects.exists()
    assert _located(batch) == [
        (2, "act_pay_dedc", "positive_in_reversal"),
        (3, "med_type", "unknown_code"),
        (4, "init_setl_id", "reversal_without_original"),
    ]
    by_code = {e["code"]: e for e in batch.errors_preview}
    assert "2199" in by_code["unknown_code"]["message"]
    assert "代码对照" in by_code["unknown_code"]["message"]
    assert "code mapping" in by_code["unknown_code"]["message_en"]
    assert "M15060000000002" in by_code["reversal_without_original"]["message"]
    report = client.get(f"/api/v1/settlement-batches/{batch.pk}/errors/?format=csv")
    assert (
        "2,act_pay_dedc,positive_in_reversal,退费记录应填原结算金额的相反数"
        in report.content.decode("utf-8-sig")
    )


# --- XLSX as office software saves it, through the admin ---------------------------------------
def _admin_upload(client, contract, path, capture):
    with capture(execute=True), path.open("rb") as fh:
        response = client.post(
            "/admin/claims/settlementbatch/add/", {"contract": contract.pk, "upload": fh}
        )
    assert response.status_code == 302, response.content[:500]
    return SettlementBatch.objects.latest("pk")


def test_an_office_xlsx_with_a_title_row_is_refused_naming_it(
    media, covered_city, role_user, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(role_user("operator"))
    path = office_xlsx(
        media / "titled.xlsx", [INPATIENT, OUTPATIENT], title="2025年3月结算明细（单位：元）"
    )
    batch = _admin_upload(
        client, covered_city["contract"], path, django_capture_on_commit_callbacks
    )
    assert batch.status == "rejected" and not SettlementRecord.objects.exists()
    problem = batch.file_problem
    assert "工作表“结算明细”第 1 行“2025年3月结算明细（单位：元）”不是表头" in problem
    assert "表头在第 2 行" in problem and "header, which is on row 2" in problem
    page = client.get(f"/admin/claims/settlementbatch/{batch.pk}/change/").content.decode()
    assert "2025年3月结算明细" in page


def test_an_office_xlsx_is_read_as_it_shows(
    media, covered_city, role_user, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(role_user("operator"))
    path = office_xlsx(media / "plain.xlsx", [INPATIENT, OUTPATIENT, REFUND])
    batch = _admin_upload(
        client, covered_city["contract"], path, django_capture_on_commit_callbacks
    )
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    assert (batch.file_format, batch.rows_total, batch.ignored_columns) == ("xlsx", 3, [])
    # medfee_sumamt is a formula whose saved result is 49667.14000000001: shown as 49,667.14.
    _assert_inpatient_read_right(SettlementRecord.objects.get(setl_id=INPATIENT["setl_id"]))
    outpatient = SettlementRecord.objects.get(setl_id=OUTPATIENT["setl_id"])
    assert _local(outpatient) == dt.datetime(2025, 3, 5, 8, 28)  # an Excel serial date-time
    assert outpatient.medfee_sumamt == Decimal("1234.50")


def test_xlsx_noise_beyond_a_fen_is_refused(media, covered_city, send):
    path = office_xlsx(media / "noise.xlsx", [INPATIENT], formula_noise="49667.1400001")
    batch = send(covered_city["contract"], path)
    assert _located(batch) == [(2, "medfee_sumamt", "too_many_decimals")]


def test_xlsx_ids_held_as_numbers_are_refused_beyond_15_digits(media, covered_city, send):
    # 50015520256100000001 typed into a numeric cell is stored as 5.00155202561E+19.
    long = office_xlsx(
        media / "long.xlsx", [INPATIENT], numbers_in_first_row={"mdtrt_id": 50015520256100000001.0}
    )
    batch = send(covered_city["contract"], long)
    assert _located(batch) == [(2, "mdtrt_id", "id_as_number")]
    error = batch.errors_preview[0]
    assert "5.00155202561E+19" in error["message"] and "文本格式" in error["message"]
    assert "format the column as text" in error["message_en"]

    short = office_xlsx(
        media / "short.xlsx", [INPATIENT], numbers_in_first_row={"mdtrt_id": 150600000001.0}
    )
    batch = send(covered_city["contract"], short)
    assert batch.status == "applied"  # a whole number a sheet holds exactly is its digits
    assert SettlementRecord.objects.get(batch=batch).mdtrt_id == "150600000001"


# --- GBK CSV after an Excel round trip, through the command -------------------------------------
def test_a_gbk_csv_after_an_excel_round_trip_is_read_right(media, covered_city):
    path = excel_roundtrip_gbk_csv(media / "export.csv", [INPATIENT, OUTPATIENT])
    assert b"\r\n" in path.read_bytes() and b'"49,667.14"' in path.read_bytes()
    call_command("ingest_settlements", str(path), contract=covered_city["contract"].pk)
    batch = SettlementBatch.objects.get()
    assert (batch.status, batch.file_format, batch.encoding) == ("applied", "csv", "gb18030")
    inpatient = SettlementRecord.objects.get(setl_id=INPATIENT["setl_id"])
    assert inpatient.medfee_sumamt == Decimal("49667.14") and inpatient.hifdm_pay == Decimal(
        "1200.00"
    )
    assert inpatient.psn_part_amt == Decimal("13467.14")
    # "2025/3/10 16:30": Excel shows no seconds, and the file has none to give.
    assert _local(inpatient) == dt.datetime(2025, 3, 10, 16, 30)
    assert inpatient.begndate == dt.date(2025, 3, 1)  # "2025/3/1" under 入院日期
    outpatient = SettlementRecord.objects.get(setl_id=OUTPATIENT["setl_id"])
    assert (outpatient.insutype, outpatient.insutype_code) == ("310", "320")
    assert _local(outpatient) == dt.datetime(2025, 3, 5, 8, 28)  # "2025/3/5 8:28"


def test_a_long_id_excel_turned_into_a_number_is_refused(media, covered_city):
    path = excel_roundtrip_gbk_csv(
        media / "export.csv", [INPATIENT, OUTPATIENT], long_id="5.00155E+19"
    )
    with pytest.raises(CommandError, match="batch rejected"):
        call_command("ingest_settlements", str(path), contract=covered_city["contract"].pk)
    batch = SettlementBatch.objects.get()
    assert _located(batch) == [(2, "psn_no", "id_as_number")]
    report = (media / "export.errors.csv").read_text(encoding="utf-8-sig")
    assert "2,psn_no,id_as_number,编号被表格软件存成了数字（5.00155E+19）" in report


# --- the platform's other names and Chinese headers ---------------------------------------------
def test_an_export_with_the_platforms_other_names_is_read_right(
    media, covered_city, send, role_user, verified_client
):
    other = {**OUTPATIENT, "oth_pay": Decimal("0.00")}
    path = other_names_csv(
        media / "other.csv",
        [INPATIENT, other],
        extra={"hosp_part_amt": "0.00", "备注": "", "x": ""},
    )
    batch = send(covered_city["contract"], path)
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    assert batch.ignored_columns == ["备注", "x"]  # hosp_part_amt is read (the sums need it)
    page = verified_client(role_user("operator")).get(
        f"/admin/claims/settlementbatch/{batch.pk}/change/"
    )
    assert "备注、x" in page.content.decode()  # shown to bureau staff
    inpatient = SettlementRecord.objects.get(setl_id=INPATIENT["setl_id"])
    _assert_inpatient_read_right(inpatient)  # 就医开始时间 "2025-03-01 09:15:00" is begndate
    assert inpatient.hifp_pay == Decimal("30000.00")  # 基本医疗基金支出
    assert inpatient.hifob_pay == Decimal("5000.00")  # 大额医疗补助基金支出
    assert inpatient.psn_cash_pay == Decimal("10467.14")  # cash_payamt


def test_one_field_under_two_names_is_refused(media, covered_city, send):
    path = media / "twice.csv"
    other_names_csv(path, [INPATIENT], extra={"psn_part_amt": "13467.14"})
    batch = send(covered_city["contract"], path)
    assert batch.status == "rejected"
    # psn_pay is the 19th of OTHER_NAMES' 21 headers; the extra column comes after them.
    assert "第 1 行第 19 列“psn_pay”和第 22 列“psn_part_amt”是同一字段 psn_part_amt" in (
        batch.file_problem
    )
