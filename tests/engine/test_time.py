"""Accumulating correctly over time: reversals, late arrivals, already-paid records."""

from decimal import Decimal

import pytest

from insurance.engine import EngineError, compute_person

from .factories import person, reversal, setl, shipped

D = Decimal
HZ = shipped("huizhou-2013")
ORDOS = shipped("ordos-2018")


def stay(setl_id, when, self_pay):
    return setl(setl_id, when, inscp_scp_amt=self_pay, hifp_pay="0")


def test_reversal_takes_back_exactly_what_the_original_got():
    # Ordos burden: 30,000 in one stay -> (30,000 - 20,000) x 30% = 3,000; reversal -> -3,000.
    original = setl("S1", "2018-05-01", psn_part_amt="30000")
    back = reversal("R1", "2018-05-03", original)
    result = compute_person(plan=ORDOS, person=person(), settlements=[back, original])
    first, second = result.settlements
    assert (first.setl_id, first.status, first.total) == ("S1", "reversed", D("3000.00"))
    assert (second.setl_id, second.status, second.total) == ("R1", "reversal", D("-3000.00"))
    assert result.total == D("0")


def test_reversal_of_an_earlier_paid_record_adjusts_later_ones():
    # Paid before: S1 12,000 -> 1,900; S2 4,000 -> accumulated 16,000 -> 3,800.
    # S1 is reversed: S1 keeps its 1,900 and R1 takes it back; S2 is recomputed as if S1 had
    # never been: 4,000 alone is below 10,000 -> 0, so an adjustment of -3,800 on S2.
    s1, s2 = stay("S1", "2013-08-01", "12000"), stay("S2", "2013-09-01", "4000")
    paid = {"S1": {"second-comp": D("1900.00")}, "S2": {"second-comp": D("3800.00")}}
    back = reversal("R1", "2013-10-01", s1)
    result = compute_person(plan=HZ, person=person(), settlements=[s1, s2, back], already_paid=paid)
    assert [(r.setl_id, r.total) for r in result.settlements] == [
        ("S1", D("1900.00")), ("S2", D("0")), ("R1", D("-1900.00")),
    ]  # fmt: skip
    (adjustment,) = result.adjustments
    assert (adjustment.setl_id, adjustment.total, adjustment.reason) == (
        "S2",
        D("-3800.00"),
        "reversal",
    )
    # what the person ends with: 1,900 + 3,800 paid - 1,900 - 3,800 = 0 = S2 alone
    assert D("1900.00") + D("3800.00") + result.due_now == D("0")


def test_late_arrival_adjusts_the_later_paid_record_without_rewriting_it_silently():
    # S2 (September, 12,000) was paid alone: 2,000 x 95% = 1,900.
    # S1 (August, 4,000) arrives late. In treatment order: S1 -> 4,000 (0), S2 -> 16,000:
    # f = 6,000 x 95% = 5,700, so S2 should have had 5,700: adjustment +3,800.
    s1, s2 = stay("S1", "2013-08-01", "4000"), stay("S2", "2013-09-01", "12000")
    result = compute_person(
        plan=HZ, person=person(), settlements=[s2, s1],
        already_paid={"S2": {"second-comp": D("1900.00")}},
    )  # fmt: skip
    new, old = result.settlements
    assert (new.setl_id, new.total, new.already_paid) == ("S1", D("0"), False)
    assert (old.setl_id, old.total, old.already_paid) == ("S2", D("5700.00"), True)
    (adjustment,) = result.adjustments
    assert (adjustment.total, adjustment.paid_before, adjustment.new_total) == (
        D("3800.00"), D("1900.00"), D("5700.00"),
    )  # fmt: skip
    assert adjustment.reason == "late_record"
    # the year ends as if in order: (16,000 - 10,000) x 95% = 5,700 = 1,900 paid + 3,800 due
    assert result.due_now == D("3800.00")


def test_nothing_to_adjust_when_paid_amounts_are_right():
    s1 = stay("S1", "2013-08-01", "12000")
    result = compute_person(plan=HZ, person=person(), settlements=[s1],
                            already_paid={"S1": {"second-comp": D("1900.00")}})  # fmt: skip
    assert result.adjustments == ()
    assert result.due_now == D("0")


def test_reversal_whose_original_was_paid_but_not_given():
    # The original is not among the records but was paid 1,234.56: the reversal takes that back.
    original = stay("S1", "2013-08-01", "12000")
    back = reversal("R1", "2013-08-02", original)
    result = compute_person(plan=HZ, person=person(), settlements=[back],
                            already_paid={"S1": {"second-comp": D("1234.56")}})  # fmt: skip
    assert result.settlements[0].total == D("-1234.56")
    # an unknown original: nothing paid, flagged
    orphan = compute_person(plan=HZ, person=person(), settlements=[back]).settlements[0]
    assert (orphan.status, orphan.total) == ("orphan_reversal", D("0"))


def test_treatment_order_is_setl_time_then_setl_id():
    # Same time: S-A before S-B by id. 8,000 + 8,000 -> S-A 0, S-B (16,000 - 10,000) x 95% = 5,700
    a, b = stay("S-A", "2013-08-01", "8000"), stay("S-B", "2013-08-01", "8000")
    result = compute_person(plan=HZ, person=person(), settlements=[b, a])
    assert [(r.setl_id, r.total) for r in result.settlements] == [
        ("S-A", D("0")),
        ("S-B", D("5700.00")),
    ]


def test_duplicate_setl_id_is_refused():
    a = stay("S1", "2013-08-01", "8000")
    with pytest.raises(EngineError) as info:
        compute_person(plan=HZ, person=person(), settlements=[a, a])
    assert info.value.code == "duplicate_setl_id"
    assert "重复" in info.value.message_zh
