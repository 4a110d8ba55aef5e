"""Incremental compute (claims/settlements/services/compute_state.py): a person whose new
settlements come after those computed before continues from their stored running totals; the
amounts are those of a walk over the whole year, which the others still get.

Figures are worked by hand from ordos-2018, R-ORD-6: for chemotherapy the patient's burden
(psn_part_amt here: no other line pays, nothing excluded) accumulates over the calendar year and
what lies above 20,000 is paid at 30%. `settlement_row` makes a settlement of total T with
hifp = 70% of the 90% in scope, so the burden is T - 0.63 T = 0.37 T.
"""

import datetime as dt
import json
import random
from decimal import Decimal

import pytest
from django.db import connection

from claims.models import (
    Compensation,
    CompensationAdjustment,
    PersonComputeState,
    SettlementRecord,
)
from claims.settlements.services import compute
from claims.settlements.services.batches import batch_process, batch_receive
from insurance.models import Enrollment
from tests.claims.chunk_data import ordos
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory

pytestmark = pytest.mark.django_db
D = Decimal
THRESHOLD = D("20000")
RATE = D("0.30")


def burden(total: str) -> Decimal:
    t = D(total)
    hifp = ((t - (t * D("0.10")).quantize(D("0.01"))) * D("0.70")).quantize(D("0.01"))
    return t - hifp  # 0.37 T for these totals


def scheme_contract():
    year = SchemeYearFactory(year=2018, plan=ordos())
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    return year, contract


def enrol(person, year) -> None:
    Enrollment.objects.create(
        person=person, scheme_year=year, kind="renewal", start_date=dt.date(2018, 1, 1),
        end_date=dt.date(2018, 12, 31), benefits_from=dt.date(2018, 1, 1),
    )  # fmt: skip


def chemo(n: int, psn_no: str, total: str, day: str, **overrides) -> dict:
    fields = {"trt_category": "chemotherapy", **overrides}
    return settlement_row(
        n, psn_no=psn_no, total=total, setl_time=f"{day} 10:00:00", begndate=day, enddate=day,
        **fields,
    )  # fmt: skip


def ingest(contract, tmp_path, name: str, rows: list[dict]):
    path = write_csv(tmp_path / f"{name}.csv", rows)
    with path.open("rb") as fh:
        received = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False)
    batch = batch_process(batch_id=received.batch.pk)
    assert batch.status == "applied" and batch.computed_at is not None, batch.errors_preview
    return batch


def owed_by_setl(contract) -> dict[str, Decimal]:
    return {
        c.record.setl_id: c.total
        for c in Compensation.objects.filter(record__contract=contract).select_related("record")
    }


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_later_settlement_continues_from_the_stored_totals_and_a_late_one_walks_the_year(
    media, tmp_path
):
    year, contract = scheme_contract()
    a, b = PersonFactory(psn_no="PA01", insutype="310"), PersonFactory(psn_no="PB01")
    b.insutype = "310"
    b.save()
    enrol(a, year)
    enrol(b, year)
    ingest(contract, tmp_path, "jan", [chemo(1, "PA01", "30000.00", "2018-01-10")])
    ingest(contract, tmp_path, "jun", [
        chemo(2, "PA01", "20000.00", "2018-06-10"),
        chemo(3, "PB01", "60000.00", "2018-06-12"),
    ])  # fmt: skip
    ingest(contract, tmp_path, "sep", [
        chemo(4, "PA01", "40000.00", "2018-09-10"),
        chemo(5, "PB01", "30000.00", "2018-03-01"),  # late: before B's June settlement
    ])  # fmt: skip

    # A: 11,100 then 18,500 (both under 20,000), then 33,300: (33,300 - 20,000) x 30%
    a1, a2, a3 = burden("30000.00"), burden("20000.00"), burden("40000.00")
    assert (a1, a1 + a2, a1 + a2 + a3) == (D("11100.00"), D("18500.00"), D("33300.00"))
    # B: June alone 22,200 -> 660.00; the March one arrives later, comes first: 11,100 -> 0,
    # and June is owed (33,300 - 20,000) x 30% = 3,990.00, so 3,330.00 more than paid
    b_june_alone = (burden("60000.00") - THRESHOLD) * RATE
    b_june_after_march = (burden("30000.00") + burden("60000.00") - THRESHOLD) * RATE
    assert owed_by_setl(contract) == {
        "S00000001": D("0.00"),
        "S00000002": D("0.00"),
        "S00000003": b_june_alone,  # 660.00
        "S00000004": (a1 + a2 + a3 - THRESHOLD) * RATE,  # 3,990.00
        "S00000005": D("0.00"),
    }
    adjustment = CompensationAdjustment.objects.get()
    assert adjustment.record.setl_id == "S00000003"
    assert adjustment.total == b_june_after_march - b_june_alone == D("3330.00")

    states = {s.person_id: s for s in PersonComputeState.objects.all()}
    for person in (a, b):
        highest = SettlementRecord.objects.filter(person=person).order_by("-id")[0].id
        assert states[person.pk].last_record_id == highest
    last = json.loads(states[a.pk].totals)[str(year.pk)]["last"]
    assert last == ["2018-09-10T10:00:00", "S00000004"]


def test_the_stored_totals_are_what_the_next_settlement_starts_from(media, tmp_path):
    """A bureau-side proof that the state is read: a total changed by hand moves the next
    amount. (Nothing but the compute writes it; this only shows which path was taken.)"""
    year, contract = scheme_contract()
    a = PersonFactory(psn_no="PA02", insutype="310")
    enrol(a, year)
    ingest(contract, tmp_path, "jan", [chemo(1, "PA02", "30000.00", "2018-01-10")])
    state = PersonComputeState.objects.get(person=a)
    totals = json.loads(state.totals)
    folded = totals[str(year.pk)]
    assert [row[4] for row in folded["acc"]] == [str(burden("30000.00"))]  # 11,100.00
    for row in folded["acc"]:
        row[4] = "0.00"  # as if January had no burden
    state.totals = json.dumps(totals)
    state.save()
    ingest(contract, tmp_path, "jun", [chemo(2, "PA02", "60000.00", "2018-06-10")])
    # from 0: 22,200 -> (22,200 - 20,000) x 30% = 660.00 (from 11,100 it would be 3,990.00)
    assert owed_by_setl(contract)["S00000002"] == (burden("60000.00") - THRESHOLD) * RATE

    # A stored state whose fingerprint is not the one the batch computes with (the person's
    # facts or the plans changed) is not used: the person's year is walked again and the
    # amount is the true one.
    PersonComputeState.objects.filter(person=a).update(fingerprint="computed with other facts")
    ingest(contract, tmp_path, "sep", [chemo(3, "PA02", "10000.00", "2018-09-10")])
    whole_year = burden("30000.00") + burden("60000.00") + burden("10000.00")  # 36,800.00
    assert (
        owed_by_setl(contract)["S00000003"]
        == (whole_year - THRESHOLD) * RATE
        - (burden("30000.00") + burden("60000.00") - THRESHOLD) * RATE
    )  # 1,110.00: the third settlement's own share, since the tampered June stays paid
    assert PersonComputeState.objects.get(person=a).fingerprint != "computed with other facts"


def test_with_or_without_stored_totals_a_year_of_batches_owes_the_same(
    media, tmp_path, settings, monkeypatch
):
    """Two schemes with the same people and the same files, batch by batch: one computed with
    stored totals, the other walking each touched person's year. Some files bring late
    settlements and reversals, which walk the year in both."""
    resumed = []
    taken = compute.states_taken

    def counted(**kwargs):
        found = taken(**kwargs)
        resumed.append(sum(state is not None for state in found.values()))
        return found

    monkeypatch.setattr(compute, "states_taken", counted)
    rng = random.Random(24)
    incremental, with_states_contract = scheme_contract()
    walking, walking_contract = scheme_contract()
    contracts = {True: with_states_contract, False: walking_contract}
    people = [PersonFactory(psn_no=f"PE{n:03d}", insutype="310") for n in range(30)]
    for person in people:
        enrol(person, incremental)
        enrol(person, walking)
    n = 0
    for month in range(1, 13):
        rows = []
        for person in rng.sample(people, 12):
            n += 1
            late = rng.random() < 0.1
            day = dt.date(2018, rng.randint(1, month) if late else month, rng.randint(1, 28))
            total = f"{rng.randint(2000, 60000)}.00"
            kind = "chemotherapy" if rng.random() < 0.7 else ""
            rows.append(chemo(n, person.psn_no, total, day.isoformat(), trt_category=kind))
        if month in (5, 9):  # a reversal of a settlement sent before
            original = SettlementRecord.objects.filter(contract=contracts[True]).order_by("id")[
                month * 4
            ]
            n += 1
            rows.append(
                chemo(
                    n,
                    original.psn_no,
                    f"-{original.medfee_sumamt}",
                    f"2018-{month:02d}-28",
                    refd_setl_flag="1",
                    init_setl_id=original.setl_id,
                )
            )
        for use_state, contract in contracts.items():
            settings.MEDSUPP_COMPUTE_INCREMENTAL = use_state
            ingest(contract, tmp_path, f"{month}-{use_state}", rows)

    def computed(contract):
        comps = {
            c.record.setl_id: (c.status, c.lines, c.total, c.trace)
            for c in Compensation.objects.filter(record__contract=contract).select_related("record")
        }
        adjusted = sorted(
            (a.record.setl_id, a.total, a.reason)
            for a in CompensationAdjustment.objects.filter(
                record__contract=contract
            ).select_related("record")
        )
        return comps, adjusted

    with_states, walked = computed(contracts[True]), computed(contracts[False])
    assert len(with_states[0]) == n and with_states[1]  # late records did adjust
    assert with_states == walked
    assert sum(resumed) > 100  # most of the 144 came after their person's earlier ones
    assert sum(total for _s, _l, total, _t in with_states[0].values()) > 0
    assert PersonComputeState.objects.filter(scheme=incremental.scheme).exists()


def test_a_record_another_batch_already_computed_is_never_computed_twice(
    media, tmp_path, monkeypatch
):
    """Batches computed out of order: B1's record (2019's scheme year has no plan) is computed
    by B2's walk before B1's own chunk runs; when it does, B1's record is among those folded
    (its id is not above the highest folded), so the person is walked, not continued."""
    from claims.settlements.services import batches
    from claims.settlements.services.compute import batch_compute

    year, contract = scheme_contract()
    a = PersonFactory(psn_no="PA03", insutype="310")
    enrol(a, year)
    no_plan = SchemeYearFactory(scheme=year.scheme, year=2019, plan=None)  # no plan yet
    Enrollment.objects.create(
        person=a, scheme_year=no_plan, kind="renewal", start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2019, 12, 31), benefits_from=dt.date(2019, 1, 1),
    )  # fmt: skip
    ingest(contract, tmp_path, "b0", [chemo(1, "PA03", "30000.00", "2018-01-10")])
    monkeypatch.setattr(batches, "batch_compute", lambda *, batch_id: None)
    b1 = batch_process_only(contract, tmp_path, "b1", [chemo(2, "PA03", "5000.00", "2019-02-01")])
    monkeypatch.undo()
    ingest(contract, tmp_path, "b2", [chemo(3, "PA03", "20000.00", "2018-03-10")])
    monkeypatch.setattr(batches, "batch_compute", lambda *, batch_id: None)
    b3 = batch_process_only(contract, tmp_path, "b3", [chemo(4, "PA03", "40000.00", "2018-04-10")])
    monkeypatch.undo()

    batch_compute(batch_id=b1.pk)  # before the fix: a second compensation of S00000002, refused
    batch_compute(batch_id=b3.pk)
    owed = owed_by_setl(contract)
    assert Compensation.objects.filter(record__setl_id="S00000002").count() == 1
    assert owed["S00000002"] == D("0.00")  # no plan for 2019: nothing owed
    # 2018: 11,100 + 7,400 + 14,800 = 33,300, above 20,000 at 30% only on the April one
    cumulative = burden("30000.00") + burden("20000.00") + burden("40000.00")
    assert owed["S00000004"] == (cumulative - THRESHOLD) * RATE == D("3990.00")


def batch_process_only(contract, tmp_path, name: str, rows: list[dict]):
    """Receive and apply a batch; its compute is left for later (batch_compute patched)."""
    path = write_csv(tmp_path / f"{name}.csv", rows)
    with path.open("rb") as fh:
        received = batch_receive(contract=contract, fileobj=fh, filename=path.name, queue=False)
    batch = batch_process(batch_id=received.batch.pk)
    assert batch.status == "applied" and batch.computed_at is None, batch.errors_preview
    return batch


def test_a_plan_edited_under_the_same_version_changes_every_fingerprint(media):
    """A draft plan can be edited without a new version: the stored totals computed under the
    old document must not be continued (the walk finds what changed)."""
    from claims.settlements.services.compute import _job
    from tests.claims.supervision_data import applied_batch

    year, contract = scheme_contract()
    before = _job(applied_batch(contract)).signature
    plan = year.plan
    plan.document = {**plan.document, "name": f"{plan.document.get('name', '')} (edited)"}
    plan.save()
    after = _job(applied_batch(contract)).signature
    assert before != after


@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED tables: PostgreSQL")
def test_the_running_totals_skip_the_wal_and_a_crash_that_empties_them_costs_nothing(
    media, tmp_path
):
    """The stored totals are UNLOGGED (no WAL for a table every batch rewrites): PostgreSQL
    empties such a table after a crash. The person is then walked over their year at their next
    batch and owed the same."""
    table = PersonComputeState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [table])
        assert cursor.fetchone()[0] == "u"
    year, contract = scheme_contract()
    a = PersonFactory(psn_no="PA03", insutype="310")
    enrol(a, year)
    ingest(contract, tmp_path, "jan", [chemo(1, "PA03", "30000.00", "2018-01-10")])
    ingest(contract, tmp_path, "jun", [chemo(2, "PA03", "20000.00", "2018-06-10")])
    assert PersonComputeState.objects.filter(person=a).exists()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")  # what crash recovery does to an unlogged table
    ingest(contract, tmp_path, "sep", [chemo(3, "PA03", "40000.00", "2018-09-10")])
    # 11,100 + 7,400 + 14,800 = 33,300 by September: (33,300 - 20,000) x 30% = 3,990.00
    a1, a2, a3 = burden("30000.00"), burden("20000.00"), burden("40000.00")
    assert owed_by_setl(contract) == {
        "S00000001": D("0.00"),
        "S00000002": D("0.00"),
        "S00000003": (a1 + a2 + a3 - THRESHOLD) * RATE,
    }
    assert (a1 + a2 + a3 - THRESHOLD) * RATE == D("3990.00")
    assert PersonComputeState.objects.filter(person=a).exists()  # written again by the walk
