"""Issue 20, the review's open points: files built the way real software writes them (openpyxl
XLSX with formulas and error cells, GBK CSV, JSON lines), each read right or refused with a
located message that says what to change (docs/data-format.md)."""

import codecs
import datetime as dt
import http.client
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import Workbook
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.models import SettlementBatch, SettlementRecord
from claims.settlements.ingest.errors import FileRejected
from claims.settlements.ingest.forms import (
    Bad,
    ZeroedIds,
    read_date,
    read_datetime,
    read_money,
    reader,
)
from claims.settlements.ingest.header import resolve_header
from claims.settlements.ingest.readers import detect_encoding, open_rows
from claims.settlements.ingest.spec import BY_NAME
from claims.settlements.services.batches import batch_receive
from contracts.services.insurers import insurer_user_link
from tests.claims.insurer_files import INPATIENT, OUTPATIENT, platform_5203_jsonl
from tests.claims.test_upload_api import (
    _stored_files,
    gunicorn,  # noqa: F401 a fixture
)
from tests.contracts.factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal
# The columns of INPATIENT and OUTPATIENT, in the order the files below write them.
NAMES = [
    "setl_id", "mdtrt_id", "psn_no", "insutype", "med_type", "fixmedins_code", "begndate",
    "enddate", "setl_time", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
    "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "hifob_pay", "hifdm_pay",
    "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay",
]  # fmt: skip


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _lines(settlements, *, headers=None, cell=None, extra=None) -> list[list[str]]:
    """Header and rows as text cells: `headers` renames columns, `cell(name, row, text)`
    rewrites a cell, `extra` adds columns (header -> value)."""
    headers, extra = headers or {}, extra or {}
    lines = [[headers.get(n, n) for n in NAMES] + list(extra)]
    for index, settlement in enumerate(settlements):
        row = [_text(settlement[n]) for n in NAMES]
        if cell is not None:
            row = [cell(n, index, text) for n, text in zip(NAMES, row, strict=True)]
        lines.append(row + list(extra.values()))
    return lines


def _csv(path: Path, lines, *, encoding="utf-8") -> Path:
    """As a CSV writer writes it: cells with a comma or a quote quoted, CRLF line ends."""

    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if ("," in text or '"' in text) else text

    body = "".join(",".join(quoted(c) for c in line) + "\r\n" for line in lines)
    path.write_bytes(body.encode(encoding))
    return path


@pytest.fixture
def send(media, django_capture_on_commit_callbacks):
    def _send(contract, path, *, encoding=""):
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            received = batch_receive(
                contract=contract, fileobj=fh, filename=path.name, encoding=encoding
            )
        batch = received.batch
        batch.refresh_from_db()
        batch.duplicate = received.duplicate
        return batch

    return _send


def _located(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["code"]) for e in batch.errors_preview]


# --- 1. XLSX error cells and formulas without a saved result -------------------------------------
def _openpyxl_workbook(settlements, *, notes_first=False):
    """A workbook as openpyxl writes it: numbers as numeric cells, formulas without results."""
    workbook = Workbook()
    sheet = workbook.active
    if notes_first:
        sheet.title = "说明"
        sheet.append(["本文件为2025年3月结算明细，金额单位：元"])
        sheet = workbook.create_sheet("明细")
    else:
        sheet.title = "明细"
        workbook.create_sheet("说明").append(["金额单位：元"])
    sheet.append(NAMES)
    for settlement in settlements:
        sheet.append(
            [float(v) if isinstance(v, Decimal) else _text(v) for v in map(settlement.get, NAMES)]
        )
    return workbook, sheet


def test_xlsx_error_cells_and_formulas_without_results_are_refused_naming_them(
    media, covered_city, send
):
    workbook, sheet = _openpyxl_workbook([INPATIENT, OUTPATIENT])
    # medfee_sumamt is column J (the 10th name), fund_pay_sumamt column S (the 19th).
    sheet["J2"] = "=K2+L2+M2+N2"  # openpyxl saves a formula without its result
    sheet["S3"].value, sheet["S3"].data_type = "#DIV/0!", "e"
    sheet["X2"] = "=1/0"  # a column under no header: not read, not refused
    path = media / "formulas.xlsx"
    workbook.save(path)
    batch = send(covered_city["contract"], path)
    assert batch.status == "rejected"
    assert batch.file_problem.startswith("xlsx_error_cell: 工作表“明细”中这些单元格没有可读的值：")
    assert "J2（medfee_sumamt）：公式无计算结果、S3（fund_pay_sumamt）：#DIV/0!" in (
        batch.file_problem
    )
    assert "J2 (medfee_sumamt): formula, no result; S3 (fund_pay_sumamt): #DIV/0!" in (
        batch.file_problem
    )
    assert "X2" not in batch.file_problem and SettlementRecord.objects.count() == 0


def test_xlsx_na_in_an_optional_column_is_refused_not_read_as_zero(media, covered_city, send):
    workbook, sheet = _openpyxl_workbook([INPATIENT])
    sheet["U2"].value, sheet["U2"].data_type = "#N/A", "e"  # acct_pay, the 21st name
    path = media / "na.xlsx"
    workbook.save(path)
    batch = send(covered_city["contract"], path)
    assert batch.status == "rejected"
    assert batch.file_problem.startswith("xlsx_error_cell: ")
    assert "U2（acct_pay）：#N/A" in batch.file_problem


def test_the_sheet_with_the_header_is_found_after_a_notes_sheet(media, covered_city, send):
    workbook, _sheet = _openpyxl_workbook([INPATIENT, OUTPATIENT], notes_first=True)
    path = media / "notes-first.xlsx"
    workbook.save(path)
    batch = send(covered_city["contract"], path)
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    assert SettlementRecord.objects.get(setl_id=INPATIENT["setl_id"]).psn_part_amt == D("13467.14")


def test_a_workbook_without_a_header_names_every_sheet(media, covered_city, send):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["说明"])
    workbook.create_sheet("汇总").append(["合计", 12])
    path = media / "no-header.xlsx"
    workbook.save(path)
    batch = send(covered_city["contract"], path)
    assert batch.status == "rejected"
    assert batch.file_problem.startswith(
        "no_header_sheet: 没有一个工作表的第 1 行是表头（共 2 个工作表：说明、汇总）："
        "缺少必需的列："
    )


# --- 2. IDs as Excel's text forms ----------------------------------------------------------------
def test_ids_written_as_excel_text_are_read_inside(media, covered_city, send):
    def excel_text(name, index, text):
        if name == "psn_no":
            return f'="{text}"'  # the CSV writer quotes it: "=""P0001"""
        if name in ("setl_id", "mdtrt_id"):
            return "'" + text
        if name == "med_type" and index == 1:
            return '="11"'
        return text

    path = _csv(
        media / "text-ids.csv", _lines([INPATIENT, OUTPATIENT], cell=excel_text), encoding="gbk"
    )
    assert '"=""P0001"""' in path.read_bytes().decode("gbk")
    batch = send(covered_city["contract"], path)
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    record = SettlementRecord.objects.get(setl_id="S15060000000001")
    assert (record.psn_no, record.mdtrt_id) == ("P0001", "M15060000000001")
    outpatient = SettlementRecord.objects.get(setl_id="S15060000000002")
    assert (outpatient.med_type, outpatient.med_type_code) == ("11", "11")


def test_excel_text_forms_of_an_id_read_as_the_text_inside():
    read = reader(BY_NAME["psn_no"])
    assert read('="0015062012345678"') == "0015062012345678"
    assert read("'0015062012345678") == "0015062012345678"
    assert read("0015062012345678") == "0015062012345678"
    with pytest.raises(Bad) as bad:
        read('="5.00155E+19"')
    assert bad.value.code == "id_as_number"


# --- 3. IDs a spreadsheet zeroed -----------------------------------------------------------------
def _zeroed(mdtrt_ids):
    return lambda name, index, text: mdtrt_ids[index] if name == "mdtrt_id" else text


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "general path"])
def test_long_ids_a_spreadsheet_zeroed_are_refused(media, covered_city, send, settings, fast):
    settings.MEDSUPP_FAST_CSV = fast
    # 50015520256100000001 and ...200000002 after a numeric cell: 15 digits kept, 5 zeroed.
    ids = ["50015520256100000000", "50015520256200000000"]
    path = _csv(media / "zeroed.csv", _lines([INPATIENT, OUTPATIENT], cell=_zeroed(ids)))
    batch = send(covered_city["contract"], path)
    assert batch.status == "rejected"
    assert _located(batch) == [(2, "mdtrt_id", "id_zeroed"), (3, "mdtrt_id", "id_zeroed")]
    first = batch.errors_preview[0]
    assert first["message"].startswith("编号 50015520256100000000 超过 15 位，第 15 位之后全是 0")
    assert "Format the column as text" in first["message_en"]


def test_long_ids_that_end_in_zeros_by_chance_are_read(media, covered_city, send):
    # One of the two ends in zeros, the other does not: real IDs, not a zeroed column.
    ids = ["50015520256100000000", "50015520256200000002"]
    path = _csv(media / "real.csv", _lines([INPATIENT, OUTPATIENT], cell=_zeroed(ids)))
    batch = send(covered_city["contract"], path)
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    assert sorted(SettlementRecord.objects.values_list("mdtrt_id", flat=True)) == ids


def test_a_column_is_zeroed_only_with_enough_zeros_and_no_real_long_id():
    one = ZeroedIds()
    one.note("psn_no", "0015062012345670", 2)  # 16 digits, the 16th a 0: 1 zero of evidence
    assert one.zeroed() == {}
    many = ZeroedIds()
    for row in range(2, 7):  # five such: 1 in 10^5 for real IDs
        many.note("psn_no", f"00150620123456{row}0", row)
    assert list(many.zeroed()) == ["psn_no"] and len(many.zeroed()["psn_no"]) == 5
    many.note("psn_no", "0015062012345679", 7)
    assert many.zeroed() == {}


# --- 4. Settlement ids and re-sends per contract -------------------------------------------------
def test_one_file_for_two_contracts_of_one_insurer_is_two_batches(media, covered_city, send):
    contract = covered_city["contract"]
    other = ContractFactory(
        scheme=contract.scheme, lead_insurer=contract.lead_insurer,
        starts_on=contract.starts_on, ends_on=contract.ends_on,
    )  # fmt: skip
    path = _csv(media / "both.csv", _lines([INPATIENT, OUTPATIENT]))
    first, second = send(contract, path), send(other, path)
    assert not second.duplicate and second.pk != first.pk
    assert (first.status, second.status) == ("applied", "applied"), second.errors_preview
    assert SettlementRecord.objects.filter(setl_id=INPATIENT["setl_id"]).count() == 2
    again = send(contract, path)  # the same file for the same contract: the first batch
    assert again.duplicate and again.pk == first.pk


def test_a_re_send_stating_the_encoding_is_read_anew(media, covered_city, send):
    # A GBK file sent stating UTF-8: refused; the same file re-sent stating GBK is read anew.
    lines = _lines([INPATIENT], cell=lambda n, i, t: "职工" if n == "fixmedins_code" else t)
    path = _csv(media / "stated.csv", lines, encoding="gbk")
    wrong = send(covered_city["contract"], path, encoding="utf-8")
    assert wrong.status == "rejected" and wrong.file_problem.startswith("bad_encoding: ")
    right = send(covered_city["contract"], path, encoding="gbk")
    assert not right.duplicate and right.status == "applied", right.file_problem
    assert SettlementRecord.objects.get().fixmedins_code == "职工"
    assert send(covered_city["contract"], path, encoding="gbk").pk == right.pk  # once more


# --- 5. Units after the header -------------------------------------------------------------------
def test_headers_with_a_unit_of_yuan_name_their_field(media, covered_city, send):
    headers = {
        "medfee_sumamt": "医疗费总额(元)",
        "hifp_pay": "统筹基金支出（元）",
        "fund_pay_sumamt": "基金支付总额[元]",
        "psn_part_amt": "个人支付总额 【元】",
    }
    path = _csv(media / "units.csv", _lines([INPATIENT], headers=headers), encoding="gbk")
    batch = send(covered_city["contract"], path)
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    record = SettlementRecord.objects.get()
    assert (record.medfee_sumamt, record.hifp_pay) == (D("49667.14"), D("30000.00"))
    assert (record.fund_pay_sumamt, record.psn_part_amt) == (D("36200.00"), D("13467.14"))
    assert batch.ignored_columns == []


def test_a_header_in_ten_thousand_yuan_is_refused(media, covered_city, send):
    path = _csv(media / "wan.csv", _lines([INPATIENT], headers={"hifp_pay": "统筹基金支出(万元)"}))
    batch = send(covered_city["contract"], path)
    assert batch.status == "rejected"
    assert batch.file_problem.startswith(
        "unit_not_yuan: 表头“统筹基金支出(万元)”的金额单位不是元：请把该列换算为元"
    )
    with pytest.raises(FileRejected):
        resolve_header(["统筹基金支出（千元）"])
    # A unit after a column that is not an amount is no field: ignored and listed.
    assert resolve_header(["结算时间(北京时间)"]).ignored == ("结算时间(北京时间)",)


# --- 6 and 7. Encodings --------------------------------------------------------------------------
def _gbk_5203(media) -> Path:
    path = platform_5203_jsonl(media / "5203.jsonl", [INPATIENT, OUTPATIENT])
    gbk = media / "5203-gbk.jsonl"
    gbk.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))  # psn_name 张三 in GBK
    return gbk


def test_a_gbk_json_lines_file_is_read(media, covered_city, send):
    batch = send(covered_city["contract"], _gbk_5203(media))
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    assert batch.encoding == "gb18030" and SettlementRecord.objects.count() == 2


def test_a_json_lines_file_in_another_encoding_than_stated_is_refused_naming_the_line(
    media, covered_city, send
):
    batch = send(covered_city["contract"], _gbk_5203(media), encoding="utf-8")
    assert batch.status == "rejected"
    assert batch.file_problem.startswith("bad_encoding: 第 1 行含有无法按 utf-8-sig 解码的字节")


def _late_gbk(media) -> Path:
    """An ASCII CSV of 400 KB whose only GBK characters are in its last row."""
    filler = "x" * 100_000  # under the csv module's 128 KB cell limit
    settlements = [
        {**INPATIENT, "setl_id": f"S{n}", "mdtrt_id": f"M{n}", "psn_no": f"P000{min(n, 3)}"}
        for n in (1, 2, 3, 4)
    ]
    lines = _lines(settlements, extra={"note": filler})
    lines[4][NAMES.index("fixmedins_code")] = "职工医院"
    return _csv(media / "late.csv", lines, encoding="gbk")


def test_a_gbk_character_far_down_a_file_decides_its_encoding(media, covered_city, send):
    path = _late_gbk(media)
    assert path.read_bytes()[:300_000].isascii()  # far beyond the first 256 KB
    assert detect_encoding(path) == "gb18030"
    batch = send(covered_city["contract"], path)
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    assert SettlementRecord.objects.get(setl_id="S4").fixmedins_code == "职工医院"


def test_a_file_neither_utf8_nor_gbk_is_refused_naming_the_lines(media):
    path = _late_gbk(media)
    path.write_bytes(path.read_bytes() + "结算\r\n".encode() + b"\xff\xfe\r\n")
    with pytest.raises(FileRejected) as rejected:
        detect_encoding(path)
    # Line 5 is the GBK row (not UTF-8); line 7 the bytes no encoding reads (not GBK).
    assert rejected.value.message_zh.startswith(
        "无法识别文件编码：按 UTF-8 读第 5 行出错，按 GBK 读第 7 行出错"
    )


def test_json_lines_uploaded_with_a_stated_encoding(
    media, covered_city, role_user, django_capture_on_commit_callbacks
):
    client = _api(covered_city, role_user)
    url = f"/api/v1/settlement-batches/?contract={covered_city['contract'].pk}&encoding=gbk"
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.generic(
            "POST", url, _gbk_5203(media).read_bytes(), content_type="application/x-ndjson"
        )
    assert posted.status_code == 202, posted.content
    batch = SettlementBatch.objects.get()
    assert (batch.status, batch.encoding_override) == ("applied", "gbk")


# --- 8. Chunked multipart uploads ----------------------------------------------------------------
def _api(covered_city, role_user):
    user = role_user("insurer", username="insurer_it")
    insurer_user_link(user=user, insurer=covered_city["contract"].lead_insurer, actor=None)
    _key, plain = api_key_create(
        user=user, name="it", scopes=["settlements:write", "settlements:read"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    client.plain_key = plain
    return client


def _multipart(contract_id: int, name: str, payload: bytes) -> tuple[bytes, str]:
    boundary = "----medsupp-chunked"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="contract"\r\n\r\n{contract_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, boundary


def test_a_chunked_multipart_upload_is_read_to_its_end(
    media, covered_city, role_user, django_capture_on_commit_callbacks
):
    client = _api(covered_city, role_user)
    csv_bytes = _csv(media / "c.csv", _lines([INPATIENT, OUTPATIENT])).read_bytes()
    body, boundary = _multipart(covered_city["contract"].pk, "c.csv", csv_bytes)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic(
            "POST", "/api/v1/settlement-batches/", b"",
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_TRANSFER_ENCODING="chunked",
            **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
        )  # fmt: skip
    assert response.status_code == 202, response.content
    assert SettlementBatch.objects.get().status == "applied"
    assert SettlementRecord.objects.count() == 2


def test_a_chunked_multipart_upload_a_server_cannot_end_answers_411(media, covered_city, role_user):
    client = _api(covered_city, role_user)
    body, boundary = _multipart(covered_city["contract"].pk, "c.csv", b"setl_id\r\n")
    response = client.generic(
        "POST", "/api/v1/settlement-batches/", b"",
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": io.BytesIO(body)},
    )  # fmt: skip
    assert response.status_code == 411 and SettlementBatch.objects.count() == 0


def _chunked_multipart(port: int, plain: str, body: bytes, boundary: str):
    """(status, body) of a chunked upload; (None, b"") when the server reset the connection
    before the whole body was sent (it refused the upload while it arrived and closed before
    this client read its answer: the kernel may drop an answer that a reset overtakes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent_all = False
    try:
        conn.putrequest("POST", "/api/v1/settlement-batches/")
        conn.putheader("Authorization", f"Api-Key {plain}")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        try:
            for i in range(0, len(body), 65536):
                piece = body[i : i + 65536]
                conn.send(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
            conn.send(b"0\r\n\r\n")
            sent_all = True
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer may still be there to read
        try:
            response = conn.getresponse()
            return response.status, response.read()
        except (ConnectionResetError, http.client.RemoteDisconnected):
            assert not sent_all, "the connection was reset after the whole upload was sent"
            return None, b""
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)  # the server's own session reads committed data
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the server needs a shared database")
def test_a_chunked_multipart_upload_through_gunicorn(
    gunicorn,  # noqa: F811 the fixture imported above
    media,
    covered_city,
    role_user,
):
    client = _api(covered_city, role_user)
    csv_bytes = _csv(media / "c.csv", _lines([INPATIENT, OUTPATIENT])).read_bytes()
    body, boundary = _multipart(covered_city["contract"].pk, "c.csv", csv_bytes)
    status, content = _chunked_multipart(gunicorn, client.plain_key, body, boundary)
    assert status == 202, content
    assert json.loads(content)["status"] in ("received", "validating", "applied")
    # Over the 1 MB limit the gunicorn fixture sets: refused as it arrives, nothing kept.
    big, boundary = _multipart(covered_city["contract"].pk, "big.csv", b"x" * (3 * 1024 * 1024))
    status, content = _chunked_multipart(gunicorn, client.plain_key, big, boundary)
    assert status in (413, None), content  # None: reset before the whole file was sent
    assert SettlementBatch.objects.count() == 1 and len(_stored_files(media)) == 1


# --- 10. Clearer refusals ------------------------------------------------------------------------
def test_a_legacy_xls_file_is_refused_saying_what_to_do(media):
    path = media / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)  # an OLE2 header
    with pytest.raises(FileRejected) as rejected:
        open_rows(path)
    assert rejected.value.code == "xls" and "另存为 .xlsx" in rejected.value.message_zh
    renamed = media / "renamed.xlsx"  # a password-protected workbook is an OLE2 file too
    renamed.write_bytes(path.read_bytes())
    with pytest.raises(FileRejected) as rejected:
        open_rows(renamed)
    assert rejected.value.code == "xls"


def test_a_tab_separated_file_is_refused_saying_what_to_do(media):
    lines = _lines([INPATIENT])
    path = media / "tabs.txt"
    # As Excel's "Unicode Text" saves it: UTF-16 with its BOM, tabs between cells.
    path.write_bytes(
        codecs.BOM_UTF16_LE + "\r\n".join("\t".join(li) for li in lines).encode("utf-16-le")
    )
    with pytest.raises(FileRejected) as rejected:
        open_rows(path)
    assert rejected.value.code == "tsv"
    assert "请另存为“CSV UTF-8(逗号分隔)”" in rejected.value.message_zh


def test_a_5203_response_instead_of_json_lines_is_refused_saying_what_to_do(media):
    response = {"infcode": 0, "inf_refmsgid": "R1", "output": {"setlinfo": [{"setl_id": "S1"}]}}
    one_line = media / "response.json"
    one_line.write_text(json.dumps(response, ensure_ascii=False), encoding="utf-8")
    pretty = media / "pretty.json"
    pretty.write_text(json.dumps(response, indent=2), encoding="utf-8")
    array = media / "array.json"
    array.write_text(json.dumps([{"setl_id": "S1"}, {"setl_id": "S2"}]), encoding="utf-8")
    codes = []
    for path in (one_line, pretty, array):
        with pytest.raises(FileRejected) as rejected:
            open_rows(path)
        codes.append(rejected.value.code)
    assert codes == ["json_response", "json_document", "json_document"]


def test_a_json_line_naming_a_field_twice_is_refused_naming_its_line(media, covered_city, send):
    path = platform_5203_jsonl(media / "twice.jsonl", [INPATIENT, OUTPATIENT])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:-1] + ', "psn_part_amt": 634.50}'  # line 2 has psn_pay already
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = send(covered_city["contract"], path)
    assert batch.status == "rejected"
    assert "第 2 行第" in batch.file_problem and "是同一字段 psn_part_amt" in batch.file_problem


def test_excel_serial_numbers_in_date_cells_name_the_date():
    # 45658 is 2025-01-01; 45721 is 63 days later: 31 (January) + 28 (February) + 4 = March 5.
    for value, code, shown in [
        (45721.0, "bad_date", "2025-03-05"),
        ("45721", "bad_date", "2025-03-05"),
        (45721.5, "bad_datetime", "2025-03-05 12:00:00"),
        ("45721.25", "bad_datetime", "2025-03-05 06:00:00"),
    ]:
        with pytest.raises(Bad) as bad:
            (read_date if code == "bad_date" else read_datetime)(value)
        assert bad.value.code == "serial_date" and bad.value.params["shown"] == shown


def test_a_json_amount_not_exact_to_the_fen_is_named_as_such():
    with pytest.raises(Bad) as bad:
        read_money(D("49667.14000000001"))  # as a double summed in Java prints
    assert bad.value.code == "json_not_fen"


def test_the_hospitals_part_counts_in_the_patients_part(media, covered_city, send):
    # 49667.14 = 36200.00 (funds) + 1000.00 (the hospital's part) + 12467.14 (the patient's).
    hospital = {**INPATIENT, "psn_part_amt": D("12467.14"), "psn_cash_pay": D("9467.14")}
    extra = {"hosp_part_amt": "1000.00"}
    path = _csv(media / "hosp.csv", _lines([hospital], extra=extra))
    batch = send(covered_city["contract"], path)
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    assert SettlementRecord.objects.get().hosp_part_amt == D("1000.00")
    wrong = _csv(
        media / "hosp-wrong.csv",
        _lines([{**hospital, "setl_id": "S9"}], extra={"hosp_part_amt": "0.00"}),
    )
    batch = send(covered_city["contract"], wrong)
    assert _located(batch) == [(2, "psn_part_amt", "sum_mismatch")]


# --- 11. National inpatient kinds ----------------------------------------------------------------
def test_national_inpatient_kinds_belong_to_the_inpatient_family(media, covered_city, send):
    trauma = {**INPATIENT, "med_type": "22"}
    emergency = {**INPATIENT, "setl_id": "S9", "mdtrt_id": "M9", "med_type": "24"}
    batch = send(covered_city["contract"], _csv(media / "kinds.csv", _lines([trauma, emergency])))
    assert batch.status == "applied", batch.errors_preview or batch.file_problem
    kinds = SettlementRecord.objects.order_by("med_type_code").values_list(
        "med_type", "med_type_code"
    )
    assert list(kinds) == [("21", "22"), ("21", "24")]


def test_a_text_formula_whose_result_is_empty_text_has_a_value():
    from claims.settlements.ingest.xlsx import _problems_in

    sheet = (
        b'<row r="2"><c r="A2" t="str"><f>IF(B2="","",B2)</f><v></v></c>'  # Excel: "" saved
        b'<c r="B2"><f>K2+L2</f><v/></c>'  # openpyxl: no result saved
        b'<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'  # an error, named once
        b'<c r="D2"><f>K2+L2</f><v>12.5</v></c></row>'
    )
    assert [(c.letter, c.row, c.error) for c in _problems_in(sheet)] == [
        ("C", 2, "#DIV/0!"),
        ("B", 2, ""),
    ]
