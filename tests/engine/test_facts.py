"""Reading settlement rows and person facts."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from insurance.engine import Enrolment, PersonFacts, Settlement, StatusPeriod


def test_settlement_from_a_text_row():
    row = {
        "setl_id": "S1", "psn_no": "P1", "setl_time": "2018-05-01 10:30:00",
        "begndate": "2018-04-28", "psn_part_amt": "1,234.5", "hifp_pay": "",
        "refd_setl_flag": "1", "init_setl_id": "S0", "acct_pay": "9",  # acct_pay: not used
    }  # fmt: skip
    record = Settlement.from_mapping(row)
    assert record.setl_time == datetime(2018, 5, 1, 10, 30)
    assert record.service_date == date(2018, 4, 28)  # the day of treatment is begndate
    assert record.psn_part_amt == Decimal("1234.50")
    assert record.hifp_pay == Decimal("0")  # missing amounts count as 0
    assert record.refd_setl_flag is True


def test_settlement_from_mapping_names_the_bad_field():
    with pytest.raises(ValueError, match="psn_part_amt"):
        Settlement.from_mapping({"setl_id": "S1", "psn_no": "P1", "setl_time": "2018-05-01",
                                 "psn_part_amt": 1.5})  # fmt: skip
    with pytest.raises(ValueError, match="setl_time: required"):
        Settlement.from_mapping({"setl_id": "S1", "psn_no": "P1"})


def test_status_and_enrolment_on_a_day():
    facts = PersonFacts(
        psn_no="P1",
        statuses=(StatusPeriod("dibao", date(2018, 1, 1), date(2018, 6, 30)),),
        enrolments=(Enrolment(date(2018, 3, 1)), Enrolment(date(2015, 1, 1), date(2017, 12, 31))),
        first_enrol=True,
    )
    assert facts.statuses_on(date(2018, 6, 30)) == {"dibao"}
    assert facts.statuses_on(date(2018, 7, 1)) == set()
    # periods are kept in date order; 2018-01-01..02-28 is a gap, so 2018-03-01 is a re-enrolment
    assert facts.enrolment_on(date(2018, 2, 1)) is None
    assert facts.waiting_until(date(2018, 3, 5), 30) == date(2018, 3, 31)
    # the first period waits too because first_enrol is set
    assert facts.waiting_until(date(2015, 1, 10), 30) == date(2015, 1, 31)
    assert facts.waiting_until(date(2015, 2, 10), 30) is None
