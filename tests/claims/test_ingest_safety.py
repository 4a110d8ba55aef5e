"""Inputs that used to crash a batch, leave it stuck or let one insurer touch another's data
(issue 20): every one now ends in a located refusal or a clean, re-runnable state."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from openpyxl import Workbook

from claims.models import (
    CodeMapping,
    Compensation,
    SettlementBatch,
    SettlementRecord,
    SettlementStage,
)
from claims.settlements.ingest import stage as stage_module
from claims.settlements.services import batches
from claims.settlements.services.batches import batch_process, batch_receive
from claims.settlements.services.code_mappings import codebook_for
from contracts.services.insurers import insurer_user_link
from tests.claims.files import HEADER, settlement_row, write_csv
from tests.claims.supervision_data import applied_batch, record
from tests.contracts.factories import ContractFactory, InsurerFactory
from tests.insurance.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"

    def _send(contract, name, rows=None, *, path=None):
        path = path or write_csv(tmp_path / name, rows)
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            batch = batch_receive(contract=contract, fileobj=fh, filename=path.name).batch
        batch.refresh_from_db()
        return batch

    return _send


def _located(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["code"]) for e in batch.errors_preview]


def _nothing_left(batch) -> bool:
    return (
        not SettlementStage.objects.filter(batch_id=batch.pk).exists()
        and not SettlementRecord.objects.filter(batch=batch).exists()
    )


# --- header-only files --------------------------------------------------------------------------
def _header_only_xlsx(path):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: write_csv(tmp / "h.csv", []),
        lambda tmp: _header_only_xlsx(tmp / "h.xlsx"),
        lambda tmp: (tmp / "h.jsonl").write_text("\n\n") and tmp / "h.jsonl",  # no object
    ],
    ids=["csv", "xlsx", "jsonl"],
)
def test_a_file_without_rows_is_refused_as_empty(tmp_path, send, covered_city, make):
    batch = send(covered_city["contract"], "", path=make(tmp_path))
    assert batch.status == "rejected" and batch.rows_total == 0 and batch.applied_at is None
    assert batch.file_problem.startswith("empty: ")


# --- amounts out of range -----------------------------------------------------------------------
def _huge(n: int, total: str) -> dict:
    """A row whose parts add up exactly to a total of `total`."""
    return settlement_row(n, total=total, act_pay_dedc="0.00")


def test_amounts_out_of_range_are_row_errors_and_nothing_sticks(tmp_path, send, covered_city):
    rows = [
        settlement_row(1),
        _huge(2, "1000000000000.00"),  # 10^12, its sums agreeing
        settlement_row(3, excl_item_amt="1000000000000.00"),  # in an extension column
        settlement_row(4, inscp_over_max_amt="10000000000.00"),  # 10^10: still too much
    ]
    batch = send(covered_city["contract"], "huge.csv", rows)
    assert batch.status == "rejected"
    assert {(row, code) for row, _column, code in _located(batch)} == {
        (3, "out_of_range"),
        (4, "out_of_range"),
        (5, "out_of_range"),
    }
    assert ("4", "excl_item_amt") in {(str(e["row"]), e["column"]) for e in batch.errors_preview}
    assert _nothing_left(batch)
    # The documented re-run: the command on the same file answers, it does not crash.
    path = tmp_path / "huge.csv"
    with pytest.raises(CommandError, match="batch rejected"):
        call_command("ingest_settlements", str(path), contract=covered_city["contract"].pk)
    assert batch_process(batch_id=batch.pk).status == "rejected"


def test_the_largest_amounts_accepted_are_applied_and_computed(send, ordos):
    limit = "9999999999.99"
    row = settlement_row(
        1, psn_no="P0001", total=limit, setl_time="2018-03-10 10:00:00", begndate="2018-03-01",
        enddate="2018-03-10", fulamt_ownpay_amt="0.00", inscp_scp_amt=limit, hifp_pay="0.00",
        fund_pay_sumamt="0.00", psn_part_amt=limit, act_pay_dedc="0.00", excl_item_amt=limit,
        inscp_over_max_amt=limit,
    )  # fmt: skip
    batch = send(ordos, "max.csv", [row])
    assert batch.status == "applied" and batch.computed_at is not None
    assert Compensation.objects.get(record__batch=batch).total >= 0


# --- failures leave a clean, re-runnable batch --------------------------------------------------
def test_a_failure_before_the_apply_leaves_a_failed_batch_that_a_rerun_applies(
    tmp_path, send, covered_city, monkeypatch
):
    real = stage_module.stage_rows

    def database_went_away(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(batches, "stage_rows", database_went_away)
    monkeypatch.setattr(batches.fastcsv, "enabled", lambda: False)  # the general path
    with pytest.raises(OperationalError):
        send(covered_city["contract"], "a.csv", [settlement_row(1), settlement_row(2)])
    batch = SettlementBatch.objects.get()
    assert batch.status == "failed" and "server closed the connection" in batch.file_problem
    assert _nothing_left(batch)

    monkeypatch.setattr(batches, "stage_rows", real)
    call_command(
        "ingest_settlements", str(tmp_path / "a.csv"), contract=covered_city["contract"].pk
    )
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.file_problem == ""
    assert SettlementRecord.objects.filter(batch=batch).count() == 2


def test_a_settlement_stored_meanwhile_by_another_batch_rejects_at_the_apply(
    send, covered_city, monkeypatch
):
    """Two batches of one contract checked at once: the second apply meets the unique index
    and is rejected with the duplicates named, not left validating."""
    contract = covered_city["contract"]
    assert send(contract, "first.csv", [settlement_row(1)]).status == "applied"
    real = batches.check_batch
    calls = []

    def blind_first_time(**kwargs):  # as if the first batch had not committed yet
        calls.append(1)
        return ({}, []) if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(batches, "check_batch", blind_first_time)
    batch = send(contract, "second.csv", [settlement_row(2), settlement_row(1)])
    assert batch.status == "rejected" and len(calls) == 2
    assert _located(batch) == [(3, "setl_id", "duplicate_stored")]
    assert _nothing_left(batch)


def _next_year(n: int) -> dict:
    """Settlement n again, settled in the first days of 2026 for a stay of December 2025: on
    PostgreSQL another partition than March 2025's, whose unique key holds the time."""
    return settlement_row(
        n, begndate="2025-12-20", enddate="2025-12-31", setl_time="2026-01-02 10:00:00"
    )


def test_a_settlement_id_stored_in_one_year_is_refused_in_the_next(send, covered_city):
    contract = covered_city["contract"]
    assert send(contract, "first.csv", [settlement_row(1)]).status == "applied"
    batch = send(contract, "next-year.csv", [settlement_row(2), _next_year(1)])
    assert _located(batch) == [(3, "setl_id", "duplicate_stored")]
    assert _nothing_left(batch)


def test_a_settlement_id_stored_meanwhile_in_another_year_rejects_at_the_apply(
    send, covered_city, monkeypatch
):
    """Another batch of the contract applied between this one's checks and its apply, with the
    same settlement id in another year: the applies of a contract take turns and look again
    (batches._stored_meanwhile), as the unique key without the time did."""
    contract, person = covered_city["contract"], covered_city["people"][0]
    real = batches.check_batch
    calls = []

    def other_batch_applied_after(**kwargs):
        calls.append(1)
        found = real(**kwargs)
        if len(calls) == 1:  # committed just after these checks read the records
            stored = record(applied_batch(contract), person, day=dt.date(2025, 3, 10))
            SettlementRecord.objects.filter(pk=stored.pk).update(setl_id="S00000001")
        return found

    monkeypatch.setattr(batches, "check_batch", other_batch_applied_after)
    batch = send(contract, "second.csv", [settlement_row(2), _next_year(1)])
    assert batch.status == "rejected" and len(calls) == 2
    assert _located(batch) == [(3, "setl_id", "duplicate_stored")]
    assert _nothing_left(batch)
    assert SettlementRecord.objects.filter(contract=contract, setl_id="S00000001").count() == 1


# --- settlement ids belong to the contract ------------------------------------------------------
@pytest.fixture
def other_insurer(covered_city):
    """Another insurer's contract on the same scheme (covering the same people)."""
    return ContractFactory(scheme=covered_city["year"].scheme, lead_insurer=InsurerFactory())


def test_another_insurers_settlement_ids_cannot_be_probed_claimed_or_reversed(
    send, covered_city, other_insurer
):
    mine = covered_city["contract"]
    assert send(mine, "mine.csv", [settlement_row(1), settlement_row(2)]).status == "applied"
    # The other insurer sends the same national settlement: no "already stored" to learn from.
    theirs = send(other_insurer, "theirs.csv", [settlement_row(1)])
    assert theirs.status == "applied", theirs.errors_preview
    assert SettlementRecord.objects.filter(setl_id="S00000001").count() == 2  # one per contract
    # ...nor can it refund my settlement S00000002.
    refund = settlement_row(3, total="-50000.00", refd_setl_flag="1", init_setl_id="S00000002")
    batch = send(other_insurer, "refund.csv", [refund])
    assert _located(batch) == [(2, "init_setl_id", "reversal_without_original")]
    # Within my own contract the same id is a duplicate.
    batch = send(mine, "again.csv", [settlement_row(1)])
    assert _located(batch) == [(2, "setl_id", "duplicate_stored")]


# --- refunds ------------------------------------------------------------------------------------
def _refund(n: int, of: str | None, **overrides) -> dict:
    base = {"total": "-50000.00", "refd_setl_flag": "1", "init_setl_id": of or ""}
    return settlement_row(n, **{**base, **overrides})


def test_a_refund_must_be_its_originals_exact_negation(send, covered_city):
    contract = covered_city["contract"]
    assert send(contract, "a.csv", [settlement_row(1, psn_no="P0001")]).status == "applied"
    partial = _refund(2, "S00000001", psn_no="P0001", total="-40000.00")
    batch = send(contract, "b.csv", [partial])
    assert _located(batch) == [(2, "medfee_sumamt", "reversal_mismatch")]
    assert batch.errors_preview[0]["message"] == (
        "退费记录与原结算 S00000001 不符：medfee_sumamt 应为 -50000.00，实际为 -40000.00"
    )
    other_person = _refund(3, "S00000001", psn_no="P0002")
    batch = send(contract, "c.csv", [other_person])
    assert _located(batch) == [(2, "psn_no", "reversal_mismatch")]


def test_an_original_is_refunded_once(send, covered_city):
    contract = covered_city["contract"]
    rows = [settlement_row(1, psn_no="P0001"), _refund(2, "S00000001", psn_no="P0001")]
    assert send(contract, "a.csv", rows).status == "applied"
    again = send(contract, "b.csv", [_refund(3, "S00000001", psn_no="P0001")])
    assert _located(again) == [(2, "init_setl_id", "already_reversed")]
    twice = send(
        contract,
        "c.csv",
        [
            settlement_row(4, psn_no="P0002"),
            _refund(5, "S00000004", psn_no="P0002"),
            _refund(6, "S00000004", psn_no="P0002"),
        ],
    )
    assert _located(twice) == [(4, "init_setl_id", "already_reversed")]


def test_a_refund_without_init_setl_id_is_tied_by_mdtrt_id_or_refused(send, covered_city):
    contract = covered_city["contract"]
    stay = {"mdtrt_id": "M-STAY", "psn_no": "P0001"}
    original = settlement_row(1, setl_time="2025-03-10 10:00:00", **stay)
    resettled = settlement_row(3, setl_time="2025-03-12 10:00:00", total="48000.00", **stay)
    refund = _refund(2, None, setl_time="2025-03-11 09:00:00", **stay)
    batch = send(contract, "a.csv", [original, refund, resettled])
    assert batch.status == "applied", batch.errors_preview
    assert SettlementRecord.objects.get(setl_id="S00000002").init_setl_id == "S00000001"

    # Two mid-stay settlements of the same amount: which one is refunded cannot be known.
    mid = {"mdtrt_id": "M-MID", "psn_no": "P0002"}
    rows = [
        settlement_row(11, setl_time="2025-04-10 10:00:00", **mid),
        settlement_row(12, setl_time="2025-04-20 10:00:00", **mid),
        _refund(13, None, setl_time="2025-04-21 09:00:00", **mid),
    ]
    batch = send(contract, "b.csv", rows)
    assert _located(batch) == [(4, "init_setl_id", "reversal_ambiguous")]
    assert "M-MID" in batch.errors_preview[0]["message"]


# --- the city's code mapping ----------------------------------------------------------------------
def test_a_city_adds_and_overrides_codes_for_its_own_batches(send, covered_city, other_insurer):
    city = covered_city["contract"].scheme.region
    district = RegionFactory(parent=city)
    elsewhere = RegionFactory()
    CodeMapping.objects.create(column="med_type", code="2199", family="21", region=city)
    CodeMapping.objects.create(column="med_type", code="2199", family="22", region=elsewhere)
    CodeMapping.objects.create(column="med_type", code="11", family="14", region=district)
    book = codebook_for(contract=covered_city["contract"])
    assert book["med_type"]["2199"] == "21" and book["med_type"]["11"] == "11"
    batch = send(covered_city["contract"], "a.csv", [settlement_row(1, med_type="2199")])
    assert batch.status == "applied"
    record = SettlementRecord.objects.get(batch=batch)
    assert (record.med_type, record.med_type_code) == ("21", "2199")


def test_unknown_codes_are_refused_naming_them(send, covered_city):
    rows = [settlement_row(1, insutype="410"), settlement_row(2, med_type="2199")]
    batch = send(covered_city["contract"], "a.csv", rows)
    assert _located(batch) == [(2, "insutype", "unknown_code"), (3, "med_type", "unknown_code")]
    assert "410" in batch.errors_preview[0]["message"]


def test_bureau_staff_keep_the_code_mapping_insurers_read_it(
    covered_city, role_user, verified_client, client
):
    operator = verified_client(role_user("operator"))
    page = operator.get("/admin/claims/codemapping/?q=2101")
    assert page.status_code == 200 and "2101" in page.content.decode()
    response = operator.post(
        "/admin/claims/codemapping/add/",
        {"column": "med_type", "code": "2110", "family": "21", "label": "日间手术"},
    )
    assert response.status_code == 302 and CodeMapping.objects.filter(code="2110").exists()
    bad = operator.post(
        "/admin/claims/codemapping/add/", {"column": "insutype", "code": "399", "family": "3999"}
    )
    assert bad.status_code == 200 and not CodeMapping.objects.filter(code="399").exists()

    clerk = role_user("insurer", username="insurer_reader")
    insurer_user_link(user=clerk, insurer=covered_city["contract"].lead_insurer, actor=None)
    client.force_login(clerk)
    assert client.get("/admin/claims/codemapping/").status_code == 200
    assert client.get("/admin/claims/codemapping/add/").status_code == 403


def test_national_codes_come_back_after_a_migrate(db):
    from claims.settlements.ingest.codes import NATIONAL_CODES
    from claims.settlements.services.code_mappings import national_codes_ensure

    CodeMapping.objects.filter(code="2101").delete()
    CodeMapping.objects.filter(code="21", region__isnull=True).update(label="住院（本市）")
    assert national_codes_ensure() == 1
    assert CodeMapping.objects.filter(region__isnull=True).count() == len(NATIONAL_CODES)
    assert CodeMapping.objects.get(code="21", region__isnull=True).label == "住院（本市）"


def test_the_disabled_persons_fund_is_a_fund_part(tmp_path, send, covered_city):
    row = settlement_row(1, hifdm_pay="100.00")
    row["hifp_pay"] = str(Decimal(row["hifp_pay"]) - Decimal("100.00"))  # 31400.00 + 100.00
    path = write_csv(tmp_path / "a.csv", [row], header=[*HEADER, "hifdm_pay"])
    batch = send(covered_city["contract"], "", path=path)
    assert batch.status == "applied", batch.errors_preview
    record = SettlementRecord.objects.get(batch=batch)
    assert record.hifdm_pay + record.hifp_pay == record.fund_pay_sumamt == Decimal("31500.00")


def test_a_settlement_sent_under_two_contracts_counts_once_in_each(send, ordos):
    """The same national settlement under two contracts of the scheme: each contract's
    compensation is computed as if the other's twin were not there (no deductible or cap
    consumed twice)."""
    other = ContractFactory(scheme=ordos.scheme, lead_insurer=InsurerFactory())
    row = settlement_row(
        1, psn_no="P0001", total="100000.00", setl_time="2018-03-10 10:00:00",
        begndate="2018-03-01", enddate="2018-03-10",
    )  # fmt: skip
    first = send(ordos, "a.csv", [row])
    second = send(other, "b.csv", [row])
    assert first.computed_at is not None and second.computed_at is not None
    totals = [Compensation.objects.get(record__batch=b).total for b in (first, second)]
    assert totals[0] == totals[1] > 0


def test_a_mapping_written_around_the_admin_cannot_fail_a_batch(send, covered_city):
    city = covered_city["contract"].scheme.region
    CodeMapping.objects.create(column="insutype", code="399", family="3999", region=city)
    batch = send(covered_city["contract"], "a.csv", [settlement_row(1, insutype="399")])
    assert batch.status == "rejected"  # not failed in the database: the code is unknown
    assert _located(batch) == [(2, "insutype", "unknown_code")]
