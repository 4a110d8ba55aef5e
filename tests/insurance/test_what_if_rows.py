"""The what-if calculator's exact fast path (insurance/what_if/rows.py): every row becomes the
very Settlement the engine's own reader (`Settlement.from_mapping`, as the command used it
before) makes of it, to the Decimal's exponent, and every row that reader refuses is refused
with the same message."""

import csv
import io
from dataclasses import fields

import pytest
from django.core.management import CommandError, call_command

from insurance.engine import Settlement
from insurance.what_if import SettlementRows

HEADER = [
    "setl_id",
    "psn_no",
    "setl_time",
    "begndate",
    "medfee_sumamt",
    "psn_part_amt",
    "inscp_over_max_amt",
    "refd_setl_flag",
    "acct_pay",
    "med_type",
    "psn_part_amt",
]  # fmt: skip  (acct_pay is no engine field; psn_part_amt twice: the last one counts)
GOOD = ["S1", "P1", "2018-03-01 10:00:00", "2018-02-27", "100.00", "9.99", "0", "0", "x",
        "21", "40.00"]  # fmt: skip
AMOUNTS = [
    "12.30", "0", "", "  ", " 12.5 ", "1,000.00", "12.345", "12.335", "-0.00", "-7", "007.50",
    "12", "1_000", "１２.３０", "-12.305", "99999999999999999999.99", "0.1", ".5", "5.",
]  # fmt: skip
OTHER_CELLS = [
    ("setl_id", " S1 "), ("begndate", ""), ("begndate", "2018-02-27 08:00:00"),
    ("refd_setl_flag", "1"), ("refd_setl_flag", "true"), ("refd_setl_flag", " True "),
    ("refd_setl_flag", "yes"), ("med_type", " 21 "), ("setl_time", " 2018-03-01T10:00 "),
]  # fmt: skip
BAD = [
    ("medfee_sumamt", "4O000.00"), ("medfee_sumamt", "NaN"), ("psn_part_amt", "inf"),
    ("setl_time", "2018-13-01 10:00:00"), ("setl_time", ""), ("begndate", "yesterday"),
    ("psn_no", " "), ("setl_id", ""),
]  # fmt: skip


def _as_before(cells: list[str]) -> Settlement:
    """The command's former reading: csv.DictReader, blank cells left out, from_mapping."""
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, cells])
    (row,) = csv.DictReader(io.StringIO(text.getvalue()))
    cleaned = {k: v for k, v in row.items() if k and v is not None and v.strip() != ""}
    cleaned.setdefault("refd_setl_flag", "0")
    return Settlement.from_mapping(cleaned)


def _with(column: str, value: str, *, last: bool = True) -> list[str]:
    cells = list(GOOD)
    at = len(HEADER) - 1 - HEADER[::-1].index(column) if last else HEADER.index(column)
    cells[at] = value
    return cells


def _same(got: Settlement, expected: Settlement) -> None:
    for f in fields(Settlement):
        a, b = getattr(got, f.name), getattr(expected, f.name)
        assert (repr(a), type(a)) == (repr(b), type(b)), f.name  # Decimal("0.00") != "0"


@pytest.mark.parametrize("amount", AMOUNTS)
@pytest.mark.parametrize("column", ["medfee_sumamt", "inscp_over_max_amt", "psn_part_amt"])
def test_every_amount_form_reads_as_the_engine_reads_it(column, amount):
    rows = SettlementRows(HEADER)
    cells = _with(column, amount)
    _same(rows.settlement(rows.check(cells)), _as_before(cells))


@pytest.mark.parametrize(("column", "value"), OTHER_CELLS)
def test_texts_dates_and_the_refund_flag_read_as_before(column, value):
    rows = SettlementRows(HEADER)
    cells = _with(column, value)
    _same(rows.settlement(rows.check(cells)), _as_before(cells))


def test_the_earlier_of_a_repeated_column_and_short_and_long_rows_read_as_before():
    rows = SettlementRows(HEADER)
    for cells in (_with("psn_part_amt", "bad", last=False), GOOD[:6], [*GOOD, "1", "2"]):
        _same(rows.settlement(rows.check(cells)), _as_before(cells))


@pytest.mark.parametrize(("column", "value"), BAD)
def test_a_cell_the_engine_cannot_read_is_refused_with_its_message(column, value):
    cells = _with(column, value)
    with pytest.raises(ValueError) as before:
        _as_before(cells)
    with pytest.raises(ValueError) as now:
        SettlementRows(HEADER).check(cells)
    assert str(now.value) == str(before.value)
    assert str(now.value).startswith(f"{column}: ")


def _run(tmp_path, text: str):
    (tmp_path / "s.csv").write_text(text, encoding="utf-8")
    call_command(
        "compute_benefits", "--plan", "ordos-2018", "--settlements", str(tmp_path / "s.csv"),
        "--output", str(tmp_path / "out.csv"),
    )  # fmt: skip


@pytest.mark.django_db
def test_the_first_bad_row_in_file_order_is_refused_a_repeated_id_or_a_bad_cell(tmp_path):
    head = "setl_id,psn_no,setl_time,psn_part_amt\n"
    ok = "{},P1,2018-03-01 10:00:00,10.00\n"
    bad = "S9,P1,2018-03-01 10:00:00,1O.00\n"
    # a blank line is no row (csv.DictReader): S1 again is row 4, not 5
    repeated_first = head + ok.format("S1") + "\n" + ok.format("S2") + ok.format("S1") + bad
    with pytest.raises(CommandError, match=r"第4行 列 setl_id: .*duplicate S1"):
        _run(tmp_path, repeated_first)
    bad_first = head + ok.format("S1") + bad + ok.format("S1")
    with pytest.raises(CommandError, match=r"第3行 列 psn_part_amt"):
        _run(tmp_path, bad_first)
    many = head + "".join(ok.format(f"S{n}") for n in range(12_000)) + ok.format("S11000")
    with pytest.raises(CommandError, match=r"第12002行 列 setl_id: .*duplicate S11000"):
        _run(tmp_path, many)  # past the first batches written to the spill


def test_zero_and_blank_cells_are_rewritten_as_zero_fen_even_side_by_side():
    from insurance.what_if.rows import _zeros

    assert _zeros("0\x1f\x1f0\x1f0\x1f1.00\x1f\x1f\x1f0").split("\x1f") == [
        "0.00", "0.00", "0.00", "0.00", "1.00", "0.00", "0.00", "0.00",
    ]  # fmt: skip
    assert _zeros("10\x1f00\x1f-0") == "10\x1f00\x1f-0"  # only the cells "0" and ""


@pytest.mark.django_db
def test_ids_a_spreadsheet_would_run_are_neutralised_and_negative_amounts_stay_numbers(tmp_path):
    _run(
        tmp_path,
        "setl_id,psn_no,insutype,med_type,setl_time,inscp_over_max_amt,refd_setl_flag,"
        "init_setl_id\n"
        "=1+1,@SUM(A1),310,21,2018-03-01 10:00:00,10000.00,0,\n"
        "R1,@SUM(A1),310,21,2018-03-02 10:00:00,-10000.00,1,=1+1\n",
    )
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == [
        "'=1+1,'@SUM(A1),8000.00,8000.00,0.00,0.00",
        "R1,'@SUM(A1),-8000.00,-8000.00,0.00,0.00",
    ]
