"""The fast path (claims/settlements/ingest/fastcsv.py) stages exactly what the general path
(rows.py)
stages, and any file it cannot take whole goes to the general path with the same outcome.

Each file is parsed and staged twice by `_parse_and_stage`, once with the fast path on and once
off, and the two outcomes are compared whole.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection

from claims.models import SettlementStage
from claims.settlements.ingest import fastcsv
from claims.settlements.ingest.codes import national_codebook
from claims.settlements.ingest.errors import FileRejected
from claims.settlements.ingest.header import resolve_header
from claims.settlements.ingest.spec import MONEY_COLUMNS, header_to_name
from claims.settlements.ingest.stage import STAGE_FIELDS, stage_clear
from claims.settlements.services.batches import _parse_and_stage, batch_receive
from tests.claims.files import HEADER, settlement_row

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL COPY path"),
]

FULL_HEADER = [*HEADER, "psn_type", "cause", "acct_pay", "psn_cash_pay"]
MIXED_CASE_SUBSET = [h.upper() for h in HEADER if h not in ("hifmi_pay", "trt_category")]


def _row(n, **overrides):
    return settlement_row(n, **{"psn_no": f"P{(n % 3) + 1:04d}", **overrides})


def _reversal(n, **overrides):
    base = {"total": "-50000.00", "refd_setl_flag": "1", "init_setl_id": "S00000001"}
    return settlement_row(n, **{"psn_no": "P0002", **base, **overrides})


def _lines(header: list[str], rows: list[dict], blank_rows: dict[int, str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    names = [header_to_name(h) for h in header]
    for i, row in enumerate(rows):
        if blank_rows and i in blank_rows:
            out.write(blank_rows[i] + "\r\n")
        writer.writerow([row.get(name, "") if name else "x" for name in names])
    return out.getvalue()


def _batch(contract, path, encoding=""):
    with path.open("rb") as fh:
        return batch_receive(
            contract=contract, fileobj=fh, filename=path.name, queue=False, encoding=encoding
        ).batch


def _outcome(batch, settings, *, fast: bool):
    settings.MEDSUPP_FAST_CSV = fast
    stage_clear(batch.pk)
    try:
        stats = _parse_and_stage(batch)
    except FileRejected as exc:
        return ("rejected", exc.code, exc.message_zh)
    staged = list(
        SettlementStage.objects.filter(batch_id=batch.pk)
        .order_by("row_number")
        .values_list(*STAGE_FIELDS)
    )
    errors = [e.as_dict() for e in stats.errors]
    counts = (stats.rows, stats.good, stats.bad, stats.reversals, stats.truncated)
    return counts, errors, staged


def _both(batch, settings):
    general = _outcome(batch, settings, fast=False)
    fast = _outcome(batch, settings, fast=True)
    assert fast == general
    return fast


# Good rows in every form the plain path accepts.
GOOD = [
    _row(1),
    _row(2, total="100"),  # whole yuan
    _row(3, total="12345.6"),  # one decimal
    _row(4, begndate="", enddate=""),  # treatment days from the settlement time
    _row(5, begndate="2024-02-29", enddate="2024-03-01", setl_time="2024-03-01 00:00:00"),
    _row(6, fixmedins_code="鄂尔多斯市中心医院（东院）住院部第一病区", trt_category="chemotherapy"),
    _row(7, setl_id="S" + "9" * 29, mdtrt_id="M x\ty z", med_type="2101"),  # a city sub-code
    _reversal(8, init_setl_id="S00000001"),
    _row(9, setl_time="2099-12-31 23:59:59", begndate="2099-12-31", enddate="2099-12-31"),
    _row(10, psn_type="1101", cause="E01", trt_category="dialysis"),
    _row(11, refd_setl_flag="", act_pay_dedc="", acct_pay="0", psn_cash_pay="18500"),
    # As Excel shows dates and times: slashes, no leading zeros, no seconds; a T; a fraction.
    _row(12, begndate="2025/3/1", enddate="2025/3/10", setl_time="2025/3/10 8:28"),
    _row(13, begndate="", enddate="", setl_time="2025-03-10T08:28:15.250"),
    _row(14, begndate="", setl_time="2025/3/9 23:59:59.0"),
]


def _spy(monkeypatch) -> list[bool]:
    used = []
    real = fastcsv.stage_plain_csv

    def spy(**kwargs):
        stats = real(**kwargs)
        used.append(stats is not None)
        return stats

    monkeypatch.setattr(fastcsv, "stage_plain_csv", spy)
    return used


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("header", [FULL_HEADER, MIXED_CASE_SUBSET])
def test_plain_files_are_staged_as_python_stages_them(
    tmp_path, settings, covered_city, monkeypatch, encoding, header
):
    settings.MEDIA_ROOT = tmp_path / "media"
    used = _spy(monkeypatch)
    path = tmp_path / "plain.csv"
    path.write_bytes(_lines(header, GOOD).encode(encoding))
    counts, errors, staged = _both(_batch(covered_city["contract"], path), settings)
    assert used == [True]  # the PostgreSQL run took the plain path
    assert counts == (14, 14, 0, 1, False) and errors == [] and len(staged) == 14
    seventh = next(row for row in staged if row[1] == 8)
    at = STAGE_FIELDS.index
    assert (seventh[at("med_type")], seventh[at("med_type_code")]) == ("21", "2101")


@pytest.mark.parametrize(
    ("why", "row"),
    [
        ("a compact date", _row(12, begndate="20250301")),
        ("mixed separators", _row(12, begndate="2025-03/01")),
        ("an offset from UTC", _row(12, setl_time="2025-03-10T02:00:00Z")),
        ("an hour 24", _row(12, setl_time="2025/3/10 24:00")),
        ("no such day, as PostgreSQL finds", _row(12, enddate="2025/2/30")),
        ("no such month, as PostgreSQL finds", _row(12, begndate="2025-13-01")),
        ("a month 0", _row(12, setl_time="2025/0/5 10:00")),
        ("a year of daylight saving time", _row(12, setl_time="1988-09-11 00:30:00")),
        ("a sum one fen out", _row(12, psn_part_amt="99999.00")),
        ("a repeated setl_id", _row(1)),
        ("whitespace around a cell", _row(12, psn_no=" P0001")),
        ("a text too long", _row(12, fixmedins_code="H" * 31)),
        ("no such day", _row(12, enddate="2025-02-30")),
        ("an amount at the limit", _row(12, act_pay_dedc="10000000000.00")),
        ("an ID a spreadsheet wrote as a number", _row(12, psn_no="5.00155E+19")),
        ("a code the mapping does not know", _row(12, med_type="2199")),
        ("a refund with a positive amount", _reversal(12, act_pay_dedc="800.00")),
        ("an empty required amount", _row(12, fund_pay_sumamt="")),
        ("a year out of range", _row(12, setl_time="1899-12-31 10:00:00", begndate="")),
        ("a comma inside a text cell", _row(12, fixmedins_code="H1,2")),
        ("a quote inside a cell", _row(12, fixmedins_code='H"1')),
        ("a cell across two lines", _row(12, fixmedins_code="H1\nH2")),
        ("a comma in an amount out of place", _row(12, act_pay_dedc="8,00.00")),
    ],
)
def test_one_row_out_of_form_sends_the_whole_file_to_the_general_path(
    tmp_path, settings, covered_city, monkeypatch, why, row
):
    settings.MEDIA_ROOT = tmp_path / "media"
    used = _spy(monkeypatch)
    path = tmp_path / "mixed.csv"
    path.write_bytes(_lines(FULL_HEADER, [*GOOD, row]).encode("utf-8"))
    _both(_batch(covered_city["contract"], path), settings)
    assert used == [False], why


def test_blank_lines_are_skipped_as_python_skips_them(
    tmp_path, settings, covered_city, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    used = _spy(monkeypatch)
    lines = _lines(FULL_HEADER, GOOD).split("\r\n")
    body = "\r\n".join([*lines[:3], "", " , ,", *lines[3:]])  # an empty line, a blank row
    path = tmp_path / "blank.csv"
    path.write_bytes(body.encode("utf-8"))
    counts, errors, staged = _both(_batch(covered_city["contract"], path), settings)
    assert used == [True] and counts[:3] == (14, 14, 0) and errors == []
    assert [row[1] for row in staged][:4] == [2, 3, 6, 7]  # row numbers count the blank lines


def _split(rows) -> list[str]:
    return _lines(FULL_HEADER, rows).split("\r\n")


# csv.reader ends a record at a lone CR as well: such files must not be split by lines alone.
CARRIAGE_RETURNS = {
    "a lone CR after the header": lambda L: L[0] + "\r" + L[1] + "\r\n" + "\r\n".join(L[2:]),
    "a header line ending CR CR LF": lambda L: L[0] + "\r\r\n" + "\r\n".join(L[1:]),
    "a line of one CR": lambda L: "\r\n".join(L[:2]) + "\r\n\r\r\n" + "\r\n".join(L[2:]),
    "a blank row around a CR": lambda L: "\r\n".join(L[:2]) + "\r\n \r ,,\r\n" + "\r\n".join(L[2:]),
}


@pytest.mark.parametrize("why", sorted(CARRIAGE_RETURNS))
def test_carriage_returns_inside_lines_take_the_general_path(
    tmp_path, settings, covered_city, monkeypatch, why
):
    settings.MEDIA_ROOT = tmp_path / "media"
    used = _spy(monkeypatch)
    path = tmp_path / "cr.csv"
    path.write_bytes(CARRIAGE_RETURNS[why](_split(GOOD)).encode("utf-8"))
    counts, errors, staged = _both(_batch(covered_city["contract"], path), settings)
    assert used == [False] and errors == [] and counts[1] == len(staged) == len(GOOD)


def test_unknown_columns_take_the_general_path():
    assert fastcsv.layout_names(resolve_header([*FULL_HEADER, "备注"])) is None
    assert fastcsv.layout_names(resolve_header(FULL_HEADER)) == tuple(FULL_HEADER)


def _stage_plain(batch, path):
    from claims.models import SettlementStage
    from claims.settlements.ingest.readers import read_csv_header
    from claims.settlements.ingest.stage import STAGE_FIELDS

    header = read_csv_header(path, "utf-8")
    stats = fastcsv.stage_plain_csv(
        batch_id=batch.pk,
        path=path,
        header=header,
        encoding="utf-8",
        codes=national_codebook(),
    )
    staged = SettlementStage.objects.filter(batch_id=batch.pk).order_by("row_number")
    return stats, list(staged.values_list(*STAGE_FIELDS)), list(staged.values_list("record_id"))


def _quoted_lines(rows, quote_amounts_only: bool = False) -> str:
    """Every cell quoted (as many exports write), or only amounts, with thousands separators
    (as Excel saves a #,##0.00 column)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(FULL_HEADER)
    for row in rows:
        cells = [row.get(name, "") for name in FULL_HEADER]
        if quote_amounts_only:
            cells = [
                f"{Decimal(c):,.2f}" if name in MONEY_COLUMNS and c else c
                for name, c in zip(FULL_HEADER, cells, strict=True)
            ]  # fmt: skip
            csv.writer(out, lineterminator="\r\n").writerow(cells)
        else:
            writer.writerow(cells)
    return out.getvalue()


@pytest.mark.parametrize("separators", [False, True], ids=["every cell quoted", "1,234.50"])
def test_quoted_cells_stay_on_the_fast_path(
    tmp_path, settings, covered_city, monkeypatch, separators
):
    settings.MEDIA_ROOT = tmp_path / "media"
    used = _spy(monkeypatch)
    path = tmp_path / "quoted.csv"
    text = _quoted_lines(GOOD, quote_amounts_only=separators)
    assert ('"50,000.00"' in text) is separators
    path.write_bytes(text.encode("gbk"))
    counts, errors, staged = _both(_batch(covered_city["contract"], path), settings)
    assert used == [True] and counts == (14, 14, 0, 1, False) and errors == []
    assert staged[0][STAGE_FIELDS.index("medfee_sumamt")] == Decimal("50000.00")
