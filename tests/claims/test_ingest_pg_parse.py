"""CSV parsed inside PostgreSQL gives exactly what the Python parser gives: stats, errors, staging.

Each file is parsed and staged twice by `_parse_and_stage`, once with MEDSUPP_PG_CSV on and once
off, and the two outcomes are compared whole.
"""

import csv
import io
import logging

import pytest
from django.db import connection

from claims.ingest import pgcsv
from claims.ingest.columns import BY_NAME, header_to_name
from claims.ingest.errors import FileRejected
from claims.ingest.stage import STAGE_FIELDS, stage_clear
from claims.models import SettlementBatch, SettlementStage
from claims.services.batches import _parse_and_stage, batch_receive
from tests.claims.files import HEADER, settlement_row

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the COPY parsing path exists on PostgreSQL only"
    ),
]


@pytest.fixture(autouse=True)
def general_path(settings):
    """These tests are about the general path: the plain-file COPY (fastcsv.py, tested in
    test_ingest_plain_csv.py) would take the files without a bad row."""
    settings.MEDSUPP_FAST_CSV = False


FULL_HEADER = [*HEADER, "psn_type", "cause", "acct_pay", "psn_cash_pay"]
FALLBACK = "COPY cannot read the CSV"


def _row(n, **overrides):
    return settlement_row(n, **{"psn_no": f"P{(n % 3) + 1:04d}", **overrides})


def _reversal(n, **overrides):
    base = {"total": "-500.00", "refd_setl_flag": "1", "init_setl_id": "S00000001"}
    return settlement_row(n, **{**base, **overrides})


# Every kind of row the Python parser knows, good and bad, in the forms files really carry.
ROWS = [
    _row(1),
    _row(2, medfee_sumamt="abc"),  # bad number
    _row(3, hifp_pay="1.234"),  # too many decimals
    _row(4, begndate="2025-13-01"),  # bad date
    _row(5, enddate="2025-02-30"),  # impossible date
    _row(6, setl_time="2025-13-40 10:00:00"),  # bad date-time
    _row(7, setl_time="2025-03-10 24:00:00"),  # bad time
    _row(8, insutype="999"),  # bad choice
    _row(9, trt_category="surgery"),  # bad choice of an optional code
    _row(10, fixmedins_code="H" * 31),  # too long
    _row(11, med_type="1234567"),  # too long
    _row(12, psn_no=""),  # required
    _row(13, setl_time=""),  # required date-time
    _row(14, act_pay_dedc="-5.00"),  # negative
    _row(15, medfee_sumamt="49000.00"),  # sum mismatch: cost parts
    _row(16, fund_pay_sumamt="1.00"),  # sum mismatch: fund parts (and personal part)
    _row(17, psn_part_amt="1.00"),  # sum mismatch: personal part
    _reversal(18, init_setl_id=""),  # reversal without init_setl_id
    _reversal(19),  # a good reversal with negative amounts
    _row(20, begndate="2025-03-11"),  # begndate after enddate
    _row(1),  # duplicate of a good row
    _row(22, psn_no=" P0001 "),  # surrounding spaces: Python strips
    _row(23, fixmedins_code="\u3000H15060200001"),  # ideographic space
    _row(24, act_pay_dedc="1,234.50"),  # thousands comma
    _row(25, begndate="20250301", enddate="20250310"),  # compact dates
    _row(26, setl_time="2025/03/10 08:00:00"),  # slashes
    _row(27, setl_time="20250310083000"),  # compact date-time
    _row(28, setl_time="2025-03-10T08:30:00"),  # T separator
    _row(29, begndate="2024-02-29", setl_time="2024-03-01 00:00:00", enddate="2024-03-01"),
    _row(30, begndate="2023-02-29"),  # not a leap year
    _row(31, begndate="2100-02-29"),  # not a leap year either
    _row(32, act_pay_dedc="-0.00", overlmt_selfpay="0", preselfpay_amt="0.0"),
    _row(33, fixmedins_code='H"1'),  # an escaped quote inside a quoted field
    _row(34, fixmedins_code="H1\nH2"),  # a quoted field across two lines
    _row(35, setl_time="1988-09-11 00:30:00"),  # a local time of Shanghai's DST years
    _row(36, refd_setl_flag=" 0"),
    _row(37, medfee_sumamt="50000", fulamt_ownpay_amt="0005000.00"),
    _row(38, hifp_pay="1e2"),
    _row(39, medfee_sumamt="1234567890123.00"),  # beyond 12 digits: not fast
    _row(40, medfee_sumamt="x"),  # a bad row whose setl_id repeats later: not "first"
    _row(40),  # so this one is the first occurrence...
    _row(40),  # ...and this one repeats it
    _row(43, setl_id="\u3000S00000044"),  # the same setl_id once stripped
    _row(44),
    _row(45, cause="床位费" * 7),  # 21 characters
    _row(46, cause="床位费", psn_type="11"),
    _row(47, insutype=" 310"),
    _row(48, trt_category="chemotherapy", init_setl_id="S00000001"),
    _row(49, mdtrt_id="M\t"),
    _row(50, begndate="2025/03/01", enddate="2025-03/10"),
    # commas inside date cells (the money cells are proved joined by commas)
    _row(51, begndate="2025-03-01,2025-03-02", enddate=""),
    _row(52, begndate="", enddate="2025-03-10,2025-03-10 08:00:00"),
    _row(53, begndate="2025-03-01,", enddate="2025-03-10"),
]
BLANK_ROWS = {5: ",,,", 12: " , ,\u3000", 30: '"",""'}  # before ROWS[i]


def _lines(header: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for i, row in enumerate(rows):
        if i in BLANK_ROWS:
            out.write(BLANK_ROWS[i] + "," * (len(header) - 1 - BLANK_ROWS[i].count(",")) + "\r\n")
        names = [header_to_name(h) for h in header]
        writer.writerow([row.get(name, "") if name else "x" for name in names])
    return out.getvalue()


def _batch(contract, path, encoding=""):
    with path.open("rb") as fh:
        return batch_receive(
            contract=contract, fileobj=fh, filename=path.name, queue=False, encoding=encoding
        ).batch


def _outcome(batch, settings, *, pg: bool):
    settings.MEDSUPP_PG_CSV = pg
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


def _both(batch, settings, caplog, *, falls_back: bool):
    python = _outcome(batch, settings, pg=False)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="claims.ingest.pgcsv"):
        pg = _outcome(batch, settings, pg=True)
    assert (FALLBACK in caplog.text) is falls_back, caplog.text
    assert pg == python
    return pg


HEADERS = {
    "names": [*FULL_HEADER, "备注"],
    "labels_reordered": [BY_NAME[h].label for h in reversed(FULL_HEADER)] + ["", "remark"],
    "mixed_case_subset": [h.upper() for h in HEADER if h not in ("hifmi_pay", "trt_category")],
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("header", sorted(HEADERS))
def test_postgresql_parse_matches_python(
    tmp_path, settings, caplog, covered_city, monkeypatch, encoding, header
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / f"{header}.csv"
    path.write_bytes(_lines(HEADERS[header], ROWS).encode(encoding))
    slow_rows = []
    real = pgcsv._slow_rows

    def spy(*args, **kwargs):
        for item in real(*args, **kwargs):
            slow_rows.append(item[0])
            yield item

    monkeypatch.setattr(pgcsv, "_slow_rows", spy)
    counts, errors, staged = _both(
        _batch(covered_city["contract"], path), settings, caplog, falls_back=False
    )
    assert counts[0] == len(ROWS) and counts[2] > 20 and len(staged) == counts[1] > 15
    assert {"duplicate_in_file", "sum_mismatch", "bad_date", "too_long"} <= {
        e["code"] for e in errors
    }
    # Canonical good rows with a unique setl_id never go through Python.
    canonical = {18, 24, 25, 26, 27, 28, 31, 32, 33, 45, 47}
    numbers = {i: i + 2 + sum(1 for b in BLANK_ROWS if b <= i) for i in range(len(ROWS))}
    assert not {numbers[i] for i in canonical} & set(slow_rows), slow_rows


def test_every_row_staged_in_sql_is_read_by_python_the_same(
    tmp_path, settings, caplog, covered_city
):
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = [_row(n) for n in range(1, 301)] + [_reversal(301, init_setl_id="S00000002")]
    path = tmp_path / "good.csv"
    path.write_bytes(_lines(FULL_HEADER, rows).encode("utf-8"))
    counts, errors, staged = _both(
        _batch(covered_city["contract"], path), settings, caplog, falls_back=False
    )
    assert counts == (301, 301, 0, 1, False) and errors == [] and len(staged) == 301


def _raw_file(tmp_path, name: str, body: bytes) -> object:
    path = tmp_path / name
    header = ",".join(HEADER).encode()
    # Past the first 8 KB: Python's text reader decodes ahead while reading the header.
    lines = [_lines(HEADER, [_row(n)]).encode().split(b"\r\n")[1] for n in range(1, 63)]
    path.write_bytes(b"\r\n".join([header, *lines[:60], body, *lines[60:]]) + b"\r\n")
    return path


@pytest.mark.parametrize(
    ("name", "body", "encoding", "rejected"),
    [
        ("bad-gbk.csv", "S9,鄂尔多斯".encode("gbk") + b"\x81\x20\xff,,", "GBK", True),
        ("short.csv", b"S9,M9,P0001", "", False),
        ("long.csv", ",".join(["1"] * (len(HEADER) + 2)).encode(), "", False),
        ("empty-line.csv", b"", "", False),
        ("stray-quote.csv", b'S9,M"9"x,P0001' + b"," * (len(HEADER) - 3), "", False),
        ("text-after-quote.csv", b'"S9"x,M9,P0001' + b"," * (len(HEADER) - 3), "", False),
        ("end-marker.csv", b"\\.", "", False),
    ],
)
def test_files_copy_cannot_read_fall_back_to_python(
    tmp_path, settings, caplog, covered_city, name, body, encoding, rejected
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = _raw_file(tmp_path, name, body)
    batch = _batch(covered_city["contract"], path, encoding=encoding)
    outcome = _both(batch, settings, caplog, falls_back=True)
    if rejected:
        assert outcome[:2] == ("rejected", "bad_encoding")
    else:
        assert outcome[0][0] >= 3


def test_missing_columns_are_rejected_before_copy(tmp_path, settings, covered_city):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "cols.csv"
    header = [h for h in HEADER if h != "inscp_scp_amt"]
    path.write_bytes(_lines(header, [_row(1)]).encode())
    batch = _batch(covered_city["contract"], path)
    assert _outcome(batch, settings, pg=True) == _outcome(batch, settings, pg=False)
    assert _outcome(batch, settings, pg=True)[1] == "missing_column"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_two_sessions_stage_what_python_stages(
    tmp_path, settings, caplog, covered_city, monkeypatch, encoding
):
    # Outside a transaction (as in the worker) the staging INSERT is shared by two sessions.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDSUPP_BATCH_WORKERS = 2
    shared = []
    real = pgcsv.run_in_threads

    def spy(statements):
        shared.append(len(statements))
        return real(statements)

    monkeypatch.setattr(pgcsv, "run_in_threads", spy)
    path = tmp_path / "shared.csv"
    path.write_bytes(_lines(HEADERS["names"], ROWS).encode(encoding))
    counts, errors, staged = _both(
        _batch(covered_city["contract"], path), settings, caplog, falls_back=False
    )
    assert shared == [2]
    assert counts[0] == len(ROWS) and len(staged) == counts[1] > 15 and len(errors) > 20
    with connection.cursor() as cursor:  # the shared raw table is gone
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'medsupp_csv_%%'")
        assert cursor.fetchone()[0] == 0


def test_raw_tables_a_crash_left_behind_are_dropped(tmp_path, settings, covered_city):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "one.csv"
    path.write_bytes(_lines(FULL_HEADER, [_row(1)]).encode("utf-8"))
    finished = _batch(covered_city["contract"], path)
    SettlementBatch.objects.filter(pk=finished.pk).update(status="applied")
    path.write_bytes(_lines(FULL_HEADER, [_row(2)]).encode("utf-8"))
    running = _batch(covered_city["contract"], path)
    SettlementBatch.objects.filter(pk=running.pk).update(status="validating")
    with connection.cursor() as cursor:
        for batch in (finished, running):
            cursor.execute(f"CREATE UNLOGGED TABLE medsupp_csv_{batch.pk} (ord integer)")
    assert pgcsv.drop_leftover_tables() == [f"medsupp_csv_{finished.pk}"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'medsupp_csv_%%'")
        assert [name for (name,) in cursor.fetchall()] == [f"medsupp_csv_{running.pk}"]


def test_a_sampled_analyze_leaves_the_statistics_target_as_it_was():
    from django.db import transaction

    from claims.ingest.stage import analyze

    def target() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW default_statistics_target")
            return cursor.fetchone()[0]

    with transaction.atomic():  # a local setting would outlive the savepoint in here
        before = target()
        analyze(SettlementStage, ("batch_id",), sample_target=10)
        assert target() == before
