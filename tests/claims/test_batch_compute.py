"""After apply, the engine computes what is owed; late records and reversals adjust, never rewrite.

Plan ordos-2018, R-ORD-6: the patient's burden above 20,000 is paid at 30%; chemotherapy
accumulates over the calendar year instead of per admission.
"""

import datetime as dt
from dataclasses import fields
from decimal import Decimal

import pytest

from claims.models import Compensation, CompensationAdjustment, SettlementRecord
from claims.settlements.services import compute
from claims.settlements.services.batches import batch_receive
from claims.settlements.services.compute import RECORD_FIELDS, settlement_of
from claims.settlements.services.explanations import compensation_steps
from insurance.engine import (
    AMOUNT_FIELDS,
    Enrolment,
    PersonFacts,
    Settlement,
    compile_plan,
    compute_person,
    parse_plan,
    step_text,
)
from insurance.models import BenefitPlan, Enrollment, Person
from insurance.plans import load_shipped_plans
from tests.claims.files import settlement_row, write_csv
from tests.contracts.factories import ContractFactory
from tests.insurance.factories import PersonFactory, SchemeYearFactory


@pytest.fixture
def send(django_capture_on_commit_callbacks, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"

    def _send(contract, name, rows):
        path = write_csv(tmp_path / name, rows)
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as fh:
            batch = batch_receive(contract=contract, fileobj=fh, filename=name).batch
        batch.refresh_from_db()
        assert batch.status == "applied", batch.errors_preview or batch.file_problem
        assert batch.computed_at is not None
        return batch

    return _send


def _chemo(n: int, day: str, burden: str, **extra) -> dict:
    """A chemotherapy admission whose whole cost is the patient's burden (no fund paid)."""
    return settlement_row(
        n, psn_no="P0001", total=burden, setl_time=f"{day} 10:00:00", begndate=day, enddate=day,
        fulamt_ownpay_amt="0.00", inscp_scp_amt=burden, hifp_pay="0.00", fund_pay_sumamt="0.00",
        psn_part_amt=burden, trt_category="chemotherapy", **extra,
    )  # fmt: skip


def _owed(setl_id: str) -> Decimal:
    comp = Compensation.objects.get(record__setl_id=setl_id)
    adjusted = sum(
        (a.total for a in CompensationAdjustment.objects.filter(record__setl_id=setl_id)),
        Decimal("0"),
    )
    return comp.total + adjusted


@pytest.mark.django_db
def test_a_batch_is_computed_with_its_explanation(ordos, send):
    row = settlement_row(
        1, psn_no="P0001", total="100000.00", setl_time="2018-03-10 10:00:00",
        begndate="2018-03-01", enddate="2018-03-10", inscp_over_max_amt="10000.00",
        excl_item_amt="2000.00",
    )  # fmt: skip
    # the factory row: 10% own-pay, hifp 70% of the rest = 63,000; burden = 37,000
    send(ordos, "one.csv", [row])
    comp = Compensation.objects.get(record__setl_id="S00000001")
    # over-max: 10,000 x 80% = 8,000; burden 37,000 - 2,000 excluded - 8,000 = 27,000,
    # above 20,000 for the admission: 7,000 x 30% = 2,100. Total 10,100.
    assert comp.lines == {"over-max": "8000.00", "cancer-drug": "0.00", "burden": "2100.00"}
    assert comp.total == Decimal("10100.00") and comp.plan_code == "ordos-2018"
    # Stored as the engine's trace; the steps are rebuilt from it on display.
    assert comp.status == "computed" and comp.steps == [] and comp.trace == {}
    steps = compensation_steps(comp)
    assert [s.code for s in steps if s.line == "burden"][-3:] == ["deductible", "tier", "payable"]
    assert [s.values["payable"] for s in steps if s.code == "payable"] == [
        Decimal("8000.00"), Decimal("0.00"), Decimal("2100.00"),
    ]  # fmt: skip
    assert "本次应付 2100.00" in "\n".join(step_text(step=s) for s in steps)


@pytest.mark.django_db
def test_rebuilt_explanations_equal_the_engines_for_a_history(ordos, send):
    send(
        ordos, "a.csv", [_chemo(10, "2018-06-01", "15000.00"), _chemo(11, "2018-08-01", "9000.00")]
    )
    send(ordos, "b.csv", [_chemo(12, "2018-09-01", "30000.00")])
    third = Compensation.objects.get(record__setl_id="S00000012")
    assert third.trace["acc"]  # the running total the first batch left
    records = [
        settlement_of(row)
        for row in SettlementRecord.objects.order_by("setl_time").values(*RECORD_FIELDS)
    ]
    who = Person.objects.get(psn_no="P0001")
    person = PersonFacts(
        psn_no="P0001", insutype=who.insutype, cvlserv_flag=who.cvlserv_flag,
        enrolments=(Enrolment(dt.date(2018, 1, 1), dt.date(2018, 12, 31)),),
    )  # fmt: skip
    plan = BenefitPlan.objects.get(code="ordos-2018").parsed
    explained = compute_person(plan=plan, person=person, settlements=records)
    for result in explained.settlements:
        comp = Compensation.objects.get(record__setl_id=result.setl_id)
        assert compensation_steps(comp) == list(result.steps)


@pytest.mark.django_db
def test_an_explanation_that_no_longer_gives_the_stored_amount_says_so(ordos, send):
    send(ordos, "a.csv", [_chemo(10, "2018-06-01", "35000.00")])
    comp = Compensation.objects.get(record__setl_id="S00000010")
    Compensation.objects.filter(pk=comp.pk).update(lines={**comp.lines, "burden": "1.00"})
    comp.refresh_from_db()
    first = compensation_steps(comp)[0]
    assert first.code == "unreproducible" and first.values["stored"] == comp.total
    assert "不一致" in step_text(step=first)


@pytest.mark.django_db
def test_a_late_record_adjusts_later_ones_and_a_reversal_takes_back(ordos, send):
    first = send(
        ordos, "a.csv", [_chemo(10, "2018-06-01", "15000.00"), _chemo(11, "2018-08-01", "10000.00")]
    )
    # year so far 15,000 then 25,000: S10 gets 0, S11 gets (25,000 - 20,000) x 30% = 1,500
    assert (_owed("S00000010"), _owed("S00000011")) == (Decimal("0.00"), Decimal("1500.00"))

    late = send(ordos, "b.csv", [_chemo(12, "2018-04-01", "8000.00")])
    # in treatment order: S12 8,000 -> 0; S10 23,000 -> 900; S11 33,000 -> 3,900 - 900 = 3,000
    assert _owed("S00000012") == Decimal("0.00")
    assert (_owed("S00000010"), _owed("S00000011")) == (Decimal("900.00"), Decimal("3000.00"))
    assert Compensation.objects.get(record__setl_id="S00000010").total == Decimal("0.00")
    adjusted = CompensationAdjustment.objects.filter(batch=late)
    assert {a.record.setl_id: a.reason for a in adjusted} == {
        "S00000010": "late_record", "S00000011": "late_record",
    }  # fmt: skip

    reversal = _chemo(13, "2018-06-01", "-15000.00", refd_setl_flag="1", init_setl_id="S00000010")
    send(ordos, "c.csv", [reversal])
    # S10 leaves the year: S12 8,000 and S11 18,000 are both under 20,000: everything nets to 0
    assert _owed("S00000013") == Decimal("-900.00")
    assert _owed("S00000010") + _owed("S00000013") == Decimal("0.00")
    assert _owed("S00000011") == Decimal("0.00")
    assert first.pk != late.pk


@pytest.mark.django_db
def test_recomputing_a_batch_changes_nothing(ordos, send):
    from claims.models import SettlementBatch
    from claims.settlements.services.compute import batch_compute

    batch = send(ordos, "a.csv", [_chemo(10, "2018-06-01", "25000.00")])
    SettlementBatch.objects.filter(pk=batch.pk).update(computed_at=None)
    assert batch_compute(batch_id=batch.pk) == (0, 0)
    assert Compensation.objects.count() == 1 and CompensationAdjustment.objects.count() == 0


@pytest.mark.django_db
def test_settlements_outside_any_planned_year_are_marked(send, covered_city):
    batch = send(covered_city["contract"], "x.csv", [settlement_row(1, psn_no="P0001")])
    comp = Compensation.objects.get(record__batch=batch)
    assert (comp.status, comp.total) == ("no_plan", Decimal("0.00"))


@pytest.mark.django_db
def test_record_page_shows_the_compensation_and_its_steps(ordos, send, client, role_user):
    from claims.models import SettlementRecord

    send(ordos, "a.csv", [_chemo(10, "2018-06-01", "25000.00")])
    send(ordos, "b.csv", [_chemo(12, "2018-04-01", "8000.00")])
    record = SettlementRecord.objects.get(setl_id="S00000010")
    client.force_login(role_user("operator"))
    page = client.get(f"/admin/claims/settlementrecord/{record.pk}/change/").content.decode()
    # 25,000 alone: 1,500; after the late 8,000 the year holds 33,000: 3,900 in all (+2,400)
    assert "1500.00" in page and "补报了更早的结算" in page
    assert (
        "鄂尔多斯市职工基本医疗保险商业补充保险（2018）" in page
    )  # the plan by name, not its code
    assert "+2400.00" in page and "30%" in page


@pytest.fixture
def inner_mongolia(db):
    """Resident cover whose deductible is last year's urban disposable income (a reference)."""
    year = SchemeYearFactory(
        year=2018, plan=BenefitPlan.objects.get(code="inner-mongolia-2015"),
        prev_disposable_income_urban=Decimal("30000.00"),
        prev_disposable_income_rural=Decimal("12000.00"),
    )  # fmt: skip
    contract = ContractFactory(
        scheme=year.scheme, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2020, 12, 31)
    )
    person = PersonFactory(psn_no="P0001", insutype="390")
    Enrollment.objects.create(
        person=person, scheme_year=year, kind="renewal", start_date=dt.date(2018, 1, 1),
        end_date=dt.date(2018, 12, 31), benefits_from=dt.date(2018, 1, 1),
    )  # fmt: skip
    return contract, year


def _resident_row() -> dict:
    # inscp 180,000 - basic fund 126,000 = 54,000; above the 30,000 deductible at 50%: 12,000.
    return settlement_row(
        1, psn_no="P0001", total="200000.00", insutype="390", setl_time="2018-05-10 10:00:00",
        begndate="2018-05-01", enddate="2018-05-10",
    )  # fmt: skip


@pytest.mark.django_db
def test_an_explanation_keeps_the_reference_figures_it_was_computed_with(inner_mongolia, send):
    contract, year = inner_mongolia
    send(contract, "im.csv", [_resident_row()])
    comp = Compensation.objects.get(record__setl_id="S00000001")
    assert comp.total == Decimal("12000.00")
    year.prev_disposable_income_urban = Decimal("40000.00")  # edited after the computation
    year.save()
    steps = compensation_steps(comp)
    assert "unreproducible" not in [s.code for s in steps]
    deductible = next(s for s in steps if s.code == "deductible")
    assert deductible.values["deductible"] == Decimal("30000.00")


@pytest.mark.django_db
def test_an_explanation_that_cannot_be_rebuilt_says_so_instead_of_failing(inner_mongolia, send):
    contract, year = inner_mongolia
    send(contract, "im.csv", [_resident_row()])
    comp = Compensation.objects.get(record__setl_id="S00000001")
    year.coverage_end = dt.date(2018, 4, 30)  # the treatment day is no longer in any year
    year.save()
    (step,) = compensation_steps(comp)
    assert step.code == "unreproducible" and step.values["stored"] == Decimal("12000.00")
    assert "无法重建" in step_text(step=step)


def test_the_bulk_read_covers_every_settlement_field_in_order():
    # Settlement is built positionally from _HEAD, by name from _TAIL and the plans' amounts:
    # a field added to the engine's Settlement must be added here too.
    names = [f.name for f in fields(Settlement)]
    assert names[: len(compute._HEAD)] == list(compute._HEAD)
    assert set(names) == {*compute._HEAD, *compute._TAIL, *AMOUNT_FIELDS}
    plan = compile_plan(plan=parse_plan(load_shipped_plans()["ordos-2018"]))
    assert plan.amount_fields == {
        "inscp_over_max_amt", "ooc_cancer_drug_amt", "ooc_cancer_drug_reimbursed",
        "psn_part_amt", "excl_item_amt", "oth_pay",  # oth_pay: added back to the burden
    }  # fmt: skip


def test_lines_text_made_once_for_nothing_owed_equals_the_spelled_one():
    from claims.settlements.services.compute import _lines_writer
    from insurance.engine.money import ZERO

    write = _lines_writer(["burden", "over-max"])
    nothing = {"burden": ZERO, "over-max": ZERO}
    assert write(nothing) == '{"burden":"0.00","over-max":"0.00"}'
    assert write(dict(nothing)) is write(nothing)  # made once for this order of lines
    assert write({"over-max": ZERO, "burden": ZERO}) == '{"over-max":"0.00","burden":"0.00"}'
    # a zero that is not the engine's own is spelled as it is
    assert write({"burden": Decimal("0"), "over-max": ZERO}) == '{"burden":"0","over-max":"0.00"}'
    assert write({"burden": Decimal("12.30"), "over-max": ZERO}) == (
        '{"burden":"12.30","over-max":"0.00"}'
    )


@pytest.mark.django_db
def test_compensations_are_written_exactly_whatever_their_text_holds():
    from django.utils import timezone

    from claims.settlements.services.compute import _write_compensations

    now = timezone.now()
    odd = 'a\\b\tc\nd\re "q"'
    rows = [
        (9002, 7, "plan\tx", 3, "computed", odd, '{"x\\\\y":"1.20"}', Decimal("1.20"), "[]",
         '{"acc":{"a\\nb":"3.00"}}', now),
        (9001, 7, "", None, "no_plan", "no_plan", "{}", Decimal("0.00"), "[]", None, now),
    ]  # fmt: skip
    _write_compensations(rows, {9001: 2024, 9002: 2025})
    stored = list(
        Compensation.objects.order_by("record_id").values_list(
            "record_id", "batch_id", "plan_code", "plan_version", "reason", "lines", "total",
            "steps", "trace", "year",
        )
    )  # fmt: skip
    assert stored == [
        (9001, 7, "", None, "no_plan", {}, Decimal("0.00"), [], None, 2024),
        (9002, 7, "plan\tx", 3, odd, {"x\\y": "1.20"}, Decimal("1.20"), [],
         {"acc": {"a\nb": "3.00"}}, 2025),
    ]  # fmt: skip
    # SQLite's bulk_create stamps its own time (auto_now_add); PostgreSQL's COPY keeps ours.
    for stamp in Compensation.objects.values_list("computed_at", flat=True):
        assert abs(stamp - now) < dt.timedelta(seconds=5)


def test_no_cyclic_collection_during_a_chunk_and_restored_after(monkeypatch):
    import gc

    seen = []

    def people(job, chunk):
        seen.append(gc.isenabled())
        if chunk == "fails":
            raise ValueError("boom")
        return 1, 0

    monkeypatch.setattr(compute, "people_compute", people)
    assert gc.isenabled()
    assert compute.chunk_people_compute(None, "ok") == (1, 0)
    with pytest.raises(ValueError, match="boom"):
        compute.chunk_people_compute(None, "fails")
    assert seen == [False, False]
    assert gc.isenabled()  # back on after each, failed or not
