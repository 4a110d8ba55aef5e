"""Eligibility from the person's facts: the day benefits start (what an enrollment records as
`benefits_from`) and the engine's day-by-day test give the same answer."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from insurance.engine import Enrolment, benefits_start, compute_person, parse_plan

from .factories import one_line_doc, person, setl

D = Decimal
DAYS = st.integers(0, 3 * 365).map(lambda n: date(2016, 1, 1) + timedelta(days=n))


@settings(max_examples=150, deadline=None)
@given(
    waiting_days=st.sampled_from([0, 30, 90, 365]),
    waiting_from=st.sampled_from(["enrolment", "basic_insurance"]),
    service_years=st.sampled_from([0, 1, 2]),
    insured_since=st.none() | DAYS,
    hire_date=st.none() | DAYS,
    retired=st.booleans(),
    first_enrol=st.booleans(),
    gap=st.sampled_from([None, 0, 40]),  # None: one enrolment; else days between two
    start=DAYS,
    offsets=st.lists(st.integers(0, 800), min_size=1, max_size=6),
)
def test_the_first_day_of_benefits_is_the_first_day_the_engine_pays(
    waiting_days, waiting_from, service_years, insured_since, hire_date, retired, first_enrol,
    gap, start, offsets,
):  # fmt: skip
    doc = one_line_doc()
    doc["eligibility"] = {
        "require_enrolment": True, "waiting_days": waiting_days, "waiting_from": waiting_from,
        "service_years": service_years,
    }  # fmt: skip
    plan = parse_plan(doc)
    periods = [Enrolment(start)]
    continuous = not first_enrol
    if gap is not None:
        earlier_end = start - timedelta(days=gap + 1)
        periods.insert(0, Enrolment(earlier_end - timedelta(days=200), earlier_end))
        continuous = gap == 0
    who = person(
        insured_since=insured_since, hire_date=hire_date, retired=retired,
        first_enrol=first_enrol, enrolments=tuple(periods),
    )  # fmt: skip
    first = benefits_start(
        person=who, start=start, waiting_days=waiting_days, waiting_from=waiting_from,
        service_years=service_years, continuous=continuous,
    )  # fmt: skip
    days = sorted({start + timedelta(days=offset) for offset in offsets})
    records = [setl(f"S{i}", f"{day}", psn_part_amt="100") for i, day in enumerate(days)]
    result = compute_person(plan=plan, person=who, settlements=records)
    for day, res in zip(days, result.settlements, strict=True):
        paid = res.status == "computed"
        assert paid == (first is not None and day >= first), (day, first, res.reason)
