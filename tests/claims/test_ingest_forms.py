"""How each kind of cell is read (claims/settlements/ingest/forms.py), and the row rules of spec.py
as the
Python parser applies them. No database: every value here is read exactly or refused."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.settlements.ingest.errors import FileRejected
from claims.settlements.ingest.forms import (
    Bad,
    read_date,
    read_datetime,
    read_flag,
    read_money,
    read_text,
)
from claims.settlements.ingest.readers import open_rows
from claims.settlements.ingest.rows import RowParser
from tests.claims.files import HEADER, settlement_row, write_csv, write_jsonl

D = Decimal


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-03-05 08:28:15", dt.datetime(2025, 3, 5, 8, 28, 15)),
        ("2025/3/5 8:28", dt.datetime(2025, 3, 5, 8, 28)),  # Excel, HIS logs
        ("2021/9/24 8:28:15", dt.datetime(2021, 9, 24, 8, 28, 15)),
        ("2025-03-05T08:28:15", dt.datetime(2025, 3, 5, 8, 28, 15)),
        ("2025-03-05 08:28:15.0", dt.datetime(2025, 3, 5, 8, 28, 15)),  # Java's .0
        ("2025-03-05 08:28:15.250", dt.datetime(2025, 3, 5, 8, 28, 15, 250000)),
        ("20250305082815", dt.datetime(2025, 3, 5, 8, 28, 15)),
        ("2025-03-05", dt.datetime(2025, 3, 5)),
        # With an offset: the same instant in Beijing time (UTC+8), never the wall clock.
        ("2025-02-28T16:30:12.000+00:00", dt.datetime(2025, 3, 1, 0, 30, 12)),
        ("2025-02-28T16:30:12Z", dt.datetime(2025, 3, 1, 0, 30, 12)),
        ("2025-02-28T16:30:12+0800", dt.datetime(2025, 2, 28, 16, 30, 12)),
        ("2025-02-28T08:30:12-05:00", dt.datetime(2025, 2, 28, 21, 30, 12)),
    ],
)
def test_date_times_in_every_form_insurers_write(text, moment):
    assert read_datetime(text) == moment


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30 10:00:00",  # no such day
        "2025-03-05 24:00:00",
        "2025-03-05 8:60",
        "2025-03/05 08:00:00",  # mixed separators
        "05/03/2025 08:00",  # day first: ambiguous, refused
        "1899-12-31 10:00:00",  # out of the years of treatment
        "2100-01-01 00:00:00",
        "2025-03-05 08:28:15+25:00",
        "457213",  # six digits: no serial date of the years of treatment
    ],
)
def test_date_times_that_cannot_be_read_exactly_are_refused(text):
    with pytest.raises(Bad) as bad:
        read_datetime(text)
    assert bad.value.code == "bad_datetime"


def test_dates_take_the_beijing_day_of_a_date_time():
    assert read_date("2025/3/5") == dt.date(2025, 3, 5)
    assert read_date("20250305") == dt.date(2025, 3, 5)
    assert read_date("2025-03-01 09:15:00") == dt.date(2025, 3, 1)  # 就医开始时间
    assert read_date("2025-02-28T20:00:00Z") == dt.date(2025, 3, 1)  # 04:00 in Beijing
    assert read_date(dt.datetime(2025, 3, 1, 23, 59)) == dt.date(2025, 3, 1)
    for bad in ("2025-13-01", 45721.0, "1800-01-01"):
        with pytest.raises(Bad):
            read_date(bad)


def test_spreadsheet_times_are_read_to_the_second_they_show():
    # An Excel serial of 08:24 may come back a few microseconds off.
    assert read_datetime(dt.datetime(2025, 3, 5, 8, 23, 59, 999996)) == dt.datetime(
        2025, 3, 5, 8, 24
    )
    assert read_datetime(dt.datetime(2025, 3, 5, 8, 24, 0, 250000)).microsecond == 250000


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("12345.67", D("12345.67")),
        ("12345.6", D("12345.60")),
        (" 12345 ", D("12345.00")),
        ("1,234.50", D("1234.50")),
        ("1,234,567.80", D("1234567.80")),
        ("-0.00", D("0.00")),
        ("-500", D("-500.00")),
        (49667.14000000001, D("49667.14")),  # an XLSX formula's saved result
        (0.30000000000000004, D("0.30")),
        (1234567890.12, D("1234567890.12")),
        (D("13467.14"), D("13467.14")),  # a JSON number, read exactly
        (D("100.00"), D("100.00")),
        (800, D("800.00")),
        (D("9999999999.99"), D("9999999999.99")),
    ],
)
def test_amounts_read_exactly(value, amount):
    assert read_money(value) == amount


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12,34.50", "bad_number"),  # separators out of place
        ("1.2E+05", "bad_number"),  # a spreadsheet's rendering: digits lost
        ("￥1,234.50", "bad_number"),
        ("１２３", "bad_number"),  # full-width digits
        ("1 234.50", "bad_number"),
        ("NaN", "bad_number"),
        ("1_000", "bad_number"),
        ("12.345", "too_many_decimals"),
        (49667.1400001, "too_many_decimals"),  # farther than 1e-9 from a fen
        (D("0.005"), "json_not_fen"),  # a JSON number: read as written, never rounded
        ("10000000000.00", "out_of_range"),
        ("-10000000000", "out_of_range"),
        (D("1E+12"), "out_of_range"),
        (1e12, "out_of_range"),
        (float("inf"), "bad_number"),
        (True, "bad_number"),
    ],
)
def test_amounts_that_cannot_be_read_exactly_are_refused(value, code):
    with pytest.raises(Bad) as bad:
        read_money(value)
    assert bad.value.code == code


def test_empty_amounts_are_none_for_the_parser_to_judge():
    assert read_money("") is None and read_money("  ") is None and read_money(None) is None


def test_ids_held_as_numbers():
    assert read_text(150600000001.0, identifier=True) == "150600000001"
    assert read_text(D("150600000001"), identifier=True) == "150600000001"
    assert read_text(999999999999999, identifier=True) == "999999999999999"
    for number in (5.00155202561e19, 50015520256100000001, D("1234567890123456"), 12.5):
        with pytest.raises(Bad) as bad:
            read_text(number, identifier=True)
        assert bad.value.code == "id_as_number"
    with pytest.raises(Bad):
        read_text("5.00155E+19", identifier=True)
    assert read_text("5.00155E+19") == "5.00155E+19"  # not an ID column: text as written
    assert read_text("0015062012345678", identifier=True) == "0015062012345678"


def test_values_that_are_not_text_are_refused_in_text_columns():
    for value in (True, {"code": "21"}, ["21"], dt.date(2025, 3, 5)):
        with pytest.raises(Bad) as bad:
            read_text(value)
        assert bad.value.code == "not_text"


def test_text_that_cannot_be_stored_is_refused():
    for value in ("H1\x00", "\ud800abc"):
        with pytest.raises(Bad) as bad:
            read_text(value)
        assert bad.value.code == "bad_character"


def test_flags():
    assert [read_flag(v) for v in ("", "0", "1", 1, 0, True, False, None)] == [
        False, False, True, True, False, True, False, False,
    ]  # fmt: skip
    with pytest.raises(Bad):
        read_flag("2")


# --- rows ---------------------------------------------------------------------------------------
def _parse(path):
    _format, _encoding, header, rows = open_rows(path)
    parser = RowParser(header)
    good = list(parser.parse(rows))
    return parser, good


def _located(parser) -> set[tuple]:
    return {(e.row, e.column, e.code) for e in parser.stats.errors}


def test_an_empty_required_amount_is_refused_not_read_as_zero(tmp_path):
    rows = [
        settlement_row(1, fund_pay_sumamt=""),
        settlement_row(2, psn_part_amt=" "),
        settlement_row(3, medfee_sumamt=""),
        settlement_row(4, overlmt_selfpay="", act_pay_dedc=""),  # not required: 0
    ]
    parser, good = _parse(write_csv(tmp_path / "empty.csv", rows))
    assert _located(parser) == {
        (2, "fund_pay_sumamt", "required"),
        (3, "psn_part_amt", "required"),
        (4, "medfee_sumamt", "required"),
    }
    assert [(n, r["overlmt_selfpay"], r["act_pay_dedc"]) for n, r in good] == [
        (5, D("0.00"), D("0.00"))
    ]


def test_a_refund_carries_negated_amounts(tmp_path):
    refund = settlement_row(2, total="-50000.00", refd_setl_flag="1", init_setl_id="S00000001")
    positive = settlement_row(3, refd_setl_flag="1", init_setl_id="S00000001")
    # -31499.00 = -31500.00 + 1.00 (hifmi_pay), and -18501.00 = -50000.00 - (-31499.00)
    half = {**refund, "setl_id": "S00000004", "hifmi_pay": "1.00"}
    half.update(fund_pay_sumamt="-31499.00", psn_part_amt="-18501.00")
    minus_sign_only = settlement_row(5, total="-100.00")
    parser, good = _parse(write_csv(tmp_path / "r.csv", [refund, positive, half, minus_sign_only]))
    assert [n for n, _r in good] == [2]
    located = _located(parser)
    assert (3, "medfee_sumamt", "positive_in_reversal") in located
    assert (4, "hifmi_pay", "positive_in_reversal") in located
    assert {code for _row, _column, code in located if _row == 4} == {"positive_in_reversal"}
    assert (5, "medfee_sumamt", "negative") in located
    negative = next(e for e in parser.stats.errors if e.code == "negative")
    assert "refd_setl_flag = 1" in negative.message("zh") + negative.message("en")


def test_a_row_with_more_cells_than_the_header_is_refused(tmp_path):
    path = write_csv(tmp_path / "x.csv", [settlement_row(1)])
    lines = path.read_text().splitlines()
    # "1,234.50" without its quotes: one cell becomes two and every later one shifts.
    lines.append(lines[1].replace("S00000001", "S00000002").replace(",800.00,", ",1,234.50,"))
    path.write_text("\n".join(lines) + "\n")
    parser, good = _parse(path)
    assert [n for n, _r in good] == [2]
    assert _located(parser) == {(3, "", "extra_cells")}


def test_unknown_columns_are_listed(tmp_path):
    header = [*HEADER, "balc", "备注", ""]
    path = write_csv(tmp_path / "x.csv", [settlement_row(1), settlement_row(2)], header=header)
    path.write_text(path.read_text().rstrip("\n") + "见附件\n")  # a value under no header
    parser, good = _parse(path)
    assert len(good) == 2
    assert parser.stats.ignored == [
        "balc",
        "备注",
        "（第 28 列，无表头 / column 28, no header）",
    ]
    jsonl = write_jsonl(
        tmp_path / "x.jsonl", [settlement_row(2, balc="1.00"), settlement_row(3, psn_name="张三")]
    )
    parser, good = _parse(jsonl)
    assert len(good) == 2 and parser.stats.ignored == ["balc", "psn_name"]


def test_a_title_row_above_the_header_is_named(tmp_path):
    path = write_csv(tmp_path / "t.csv", [settlement_row(1)])
    path.write_text("2025年3月结算明细,,\n单位：元\n" + path.read_text())
    with pytest.raises(FileRejected) as rejected:
        open_rows(path)
    assert rejected.value.code == "title_row"
    assert "第 1 行“2025年3月结算明细”不是表头，表头在第 3 行" in rejected.value.message_zh
    assert "delete the 2 row(s) above the header" in rejected.value.message_en


def test_a_first_row_that_is_no_header_at_all_names_the_missing_columns(tmp_path):
    path = tmp_path / "none.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(FileRejected) as rejected:
        open_rows(path)
    assert rejected.value.code == "missing_column" and "setl_id" in rejected.value.message_en


def test_a_json_line_naming_one_field_twice_is_refused(tmp_path):
    row = settlement_row(1)
    path = tmp_path / "twice.jsonl"
    write_jsonl(path, [row, {**row, "setl_id": "S2", "psn_pay": row["psn_part_amt"]}])
    _format, _encoding, header, rows = open_rows(path)
    with pytest.raises(FileRejected) as rejected:
        list(RowParser(header).parse(rows))
    assert rejected.value.code == "duplicate_column" and "psn_pay" in rejected.value.message_zh


def test_json_lines_amounts_and_bad_lines(tmp_path):
    path = tmp_path / "a.jsonl"
    row = settlement_row(1)
    line = ", ".join(
        f'"{k}": {v}' if k.endswith(("_amt", "_pay", "_dedc", "selfpay")) and v else f'"{k}": "{v}"'
        for k, v in row.items()
    )
    path.write_text(
        "{" + line + "}\n[1, 2]\n{not json\n" + '{"setl_id": "S9", "x": 1' + "9" * 5000 + "}\n"
    )
    parser, good = _parse(path)
    assert good[0][1]["medfee_sumamt"] == D("50000.00") and good[0][1]["hifp_pay"] == D("31500.00")
    assert _located(parser) == {(2, "", "bad_json"), (3, "", "bad_json"), (4, "", "bad_json")}
