from decimal import Decimal

import pytest

from insurance.engine.money import MoneyError, grouped, quantize, split_exact, to_money

D = Decimal


def test_quantize_rounds_half_up_to_the_fen():
    assert quantize(Decimal("2.675")) == Decimal("2.68")  # banker's rounding would give 2.68 too
    assert quantize(Decimal("2.665")) == Decimal("2.67")  # banker's rounding would give 2.66
    assert quantize(Decimal("-0.005")) == Decimal("-0.01")  # half away from zero
    assert quantize(Decimal("0.004")) == Decimal("0.00")


def test_to_money_reads_text_and_refuses_floats():
    assert to_money("1,234.5") == Decimal("1234.50")
    assert to_money(None) == Decimal("0.00")  # a missing amount field counts as 0
    assert to_money("") == Decimal("0.00")
    with pytest.raises(MoneyError):
        to_money(0.1)
    with pytest.raises(MoneyError):
        to_money("abc")
    with pytest.raises(MoneyError):
        to_money("NaN")


def test_split_exact_by_largest_remainder():
    # 100.00 in thirds: exact shares 33.333...; floors 33.33 x3 = 99.99, the 1 fen left goes to
    # the first of the equal remainders.
    assert split_exact(total=Decimal("100.00"), weights=[1, 1, 1]) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    # 10.00 as 8:2 (R-HZ-1 funding split): exact, no remainder.
    assert split_exact(total=Decimal("10.00"), weights=[8, 2]) == [D("8.00"), D("2.00")]
    # 0.05 over weights 1,1,1,1,1,1 -> 5 fen for 6 parts: the first five get 1 fen each.
    assert split_exact(total=D("0.05"), weights=[1] * 6) == [D("0.01")] * 5 + [D("0.00")]
    # the larger remainder wins: 1.00 as 0.335:0.665 -> 33.5 fen and 66.5 fen -> tie, first wins
    assert split_exact(total=D("1.00"), weights=[D("0.335"), D("0.665")]) == [D("0.34"), D("0.66")]
    # 1.00 as 1:2 -> 33.33.. and 66.66..: the second has the larger remainder (0.67 vs 0.33)
    assert split_exact(total=D("1.00"), weights=[1, 2]) == [D("0.33"), D("0.67")]


def test_split_exact_negative_total_and_bad_input():
    assert split_exact(total=D("-1.00"), weights=[1, 2]) == [D("-0.33"), D("-0.67")]
    with pytest.raises(MoneyError):
        split_exact(total=D("1.001"), weights=[1])  # not a whole fen
    with pytest.raises(MoneyError):
        split_exact(total=D("1.00"), weights=[0, 0])
    with pytest.raises(MoneyError):
        split_exact(total=D("1.00"), weights=[])
    with pytest.raises(MoneyError):
        split_exact(total=D("1.00"), weights=[1, -1])


def test_grouped_writes_thousands_and_the_fen():
    assert grouped(Decimal("58800")) == "58,800.00"
    assert grouped(Decimal("1234567.805")) == "1,234,567.81"  # half up, then grouped
    assert grouped(Decimal("-1000")) == "-1,000.00"
    assert grouped(Decimal("999.99")) == "999.99"
