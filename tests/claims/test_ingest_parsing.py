import zipfile
from decimal import Decimal

import pytest

from claims.settlements.ingest.errors import FileRejected
from claims.settlements.ingest.readers import detect_encoding, open_rows
from claims.settlements.ingest.rows import RowParser
from tests.claims.files import HEADER, settlement_row, write_csv, write_jsonl, write_xlsx


def _parse(path, **kwargs):
    file_format, encoding, header, rows = open_rows(path, **kwargs)
    parser = RowParser(header)
    good = list(parser.parse(rows))
    return file_format, encoding, parser, good


def test_gbk_csv_with_chinese_headers_is_detected_and_read(tmp_path):
    from claims.settlements.ingest.spec import BY_NAME

    chinese_header = [BY_NAME[h].label for h in HEADER]
    rows = [settlement_row(1, fixmedins_code="鄂尔多斯市中心医院")]
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk", header=HEADER)
    # rewrite with Chinese headers in GBK: the header row itself needs GBK to read
    text = path.read_text(encoding="gbk").replace(",".join(HEADER), ",".join(chinese_header), 1)
    path.write_bytes(text.encode("gbk"))
    assert detect_encoding(path) == "gb18030"
    file_format, encoding, parser, good = _parse(path)
    assert (file_format, encoding) == ("csv", "gb18030")
    assert parser.stats.errors == []
    record = good[0][1]
    assert record["fixmedins_code"] == "鄂尔多斯市中心医院"
    assert record["medfee_sumamt"] == Decimal("50000.00")


def test_utf8_bom_csv(tmp_path):
    path = write_csv(
        tmp_path / "bom.csv", [settlement_row(1), settlement_row(2)], encoding="utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    _fmt, encoding, parser, good = _parse(path)
    assert encoding == "utf-8-sig"
    assert [r["setl_id"] for _n, r in good] == ["S00000001", "S00000002"]
    assert parser.stats.good == 2


def test_encoding_override_is_used(tmp_path):
    path = write_csv(
        tmp_path / "gbk.csv", [settlement_row(1, fixmedins_code="医院")], encoding="gbk"
    )
    _fmt, encoding, _parser, good = _parse(path, encoding="GBK")
    assert encoding == "gb18030"
    assert good[0][1]["fixmedins_code"] == "医院"


def test_xlsx_numbers_become_exact_decimals(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [settlement_row(1, total="12345.67")])
    file_format, _enc, parser, good = _parse(path)
    assert file_format == "xlsx" and parser.stats.errors == []
    assert good[0][1]["medfee_sumamt"] == Decimal("12345.67")
    assert good[0][1]["inscp_scp_amt"] == Decimal("11111.10")


def test_json_lines(tmp_path):
    path = write_jsonl(tmp_path / "s.jsonl", [settlement_row(1), settlement_row(2)])
    file_format, _enc, parser, good = _parse(path)
    assert file_format == "jsonl" and parser.stats.good == 2
    assert good[1][0] == 2  # line number


def test_every_kind_of_bad_row_is_located(tmp_path):
    rows = [
        settlement_row(1),
        settlement_row(2, psn_no=""),  # required
        settlement_row(3, medfee_sumamt="abc"),  # bad number
        settlement_row(4, hifp_pay="1.234"),  # too many decimals
        settlement_row(5, setl_time="2025-13-40"),  # bad date-time
        settlement_row(6, medfee_sumamt="49000.00"),  # parts do not add up
        settlement_row(7, psn_part_amt="1.00"),  # personal part wrong
        settlement_row(1),  # duplicate setl_id inside the file
        settlement_row(9, refd_setl_flag="1"),  # a refund with the original's positive amounts
        settlement_row(10, insutype="999"),  # no such insurance type
        settlement_row(11, begndate="2025-04-01"),  # admitted after discharge
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    _fmt, _enc, parser, good = _parse(path)
    located = {(e.row, e.column, e.code) for e in parser.stats.errors}
    assert located >= {
        (3, "psn_no", "required"),
        (4, "medfee_sumamt", "bad_number"),
        (5, "hifp_pay", "too_many_decimals"),
        (6, "setl_time", "bad_datetime"),
        (7, "medfee_sumamt", "sum_mismatch"),
        (8, "psn_part_amt", "sum_mismatch"),
        (9, "setl_id", "duplicate_in_file"),
        (10, "medfee_sumamt", "positive_in_reversal"),
        (11, "insutype", "unknown_code"),
        (12, "begndate", "date_order"),
    }
    assert [n for n, _r in good] == [2]
    assert parser.stats.bad == 10 and parser.stats.rows == 11
    mismatch = next(e for e in parser.stats.errors if e.code == "sum_mismatch")
    assert "medfee_sumamt 应等于" in mismatch.message("zh")
    assert "must equal" in mismatch.message("en")


def test_a_reversal_may_carry_negative_amounts(tmp_path):
    reversal = settlement_row(2, total="-50000.00", refd_setl_flag="1", init_setl_id="S00000001")
    path = write_csv(tmp_path / "rev.csv", [settlement_row(1), reversal])
    _fmt, _enc, parser, _good = _parse(path)
    assert parser.stats.errors == [] and parser.stats.reversals == 1
    negative = write_csv(tmp_path / "neg.csv", [settlement_row(3, total="-10.00")])
    _fmt, _enc, parser, _good = _parse(negative)
    assert {e.code for e in parser.stats.errors} == {"negative"}


def test_missing_required_columns_reject_the_file(tmp_path):
    header = [h for h in HEADER if h != "inscp_scp_amt"]
    path = write_csv(tmp_path / "cols.csv", [settlement_row(1)], header=header)
    with pytest.raises(FileRejected) as info:
        _parse(path)
    assert "inscp_scp_amt" in info.value.message_zh and "符合政策范围金额" in info.value.message_zh


def test_zip_bomb_xlsx_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    with pytest.raises(FileRejected) as info:
        open_rows(path)
    assert info.value.code == "zip_bomb"


def test_errors_are_capped_but_bad_rows_still_counted(tmp_path):
    rows = [settlement_row(i, medfee_sumamt="x") for i in range(1, 31)]
    path = write_csv(tmp_path / "many.csv", rows)
    _fmt, _enc, header, row_iter = open_rows(path)
    parser = RowParser(header, max_errors=10)
    assert list(parser.parse(row_iter)) == []
    assert parser.stats.bad == 30 and len(parser.stats.errors) == 10 and parser.stats.truncated
