"""Manual claims (R-CLM-3): the working-day clock, overdue flags and the evaluation share."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.choices import CalendarDayKind, ManualClaimStatus
from claims.models import CalendarOverride, ManualClaim
from claims.supervision.models.manual_claim import DOCUMENTS
from claims.supervision.selectors import manual_claims_within_limit_share
from claims.supervision.services.calendar import (
    is_working_day,
    working_days_add,
    working_days_between,
)
from claims.supervision.services.manual_claims import (
    manual_claim_decide,
    manual_claim_documents_update,
    manual_claim_pay,
    manual_claim_register,
    manual_claims_flag_overdue,
)

D = dt.date
ALL_DOCS = list(DOCUMENTS)
JAN_20 = D(2025, 1, 20)


@pytest.mark.django_db
def test_spring_festival_2025():
    # 1/28-2/4 holidays; Sunday 1/26 and Saturday 2/8 are make-up working days.
    assert is_working_day(D(2025, 1, 26)) and is_working_day(D(2025, 2, 8))
    assert not is_working_day(D(2025, 1, 28)) and not is_working_day(D(2025, 2, 4))
    # 2/5 2/6 2/7 2/8(Sat) 2/10 2/11 2/12
    assert working_days_add(start=D(2025, 1, 27), days=7) == D(2025, 2, 12)
    assert working_days_add(start=D(2025, 1, 27), days=4) == D(2025, 2, 8)
    assert working_days_between(start=D(2025, 1, 27), end=D(2025, 2, 12)) == 7
    # complete on the make-up Sunday itself: 1/27 is the first working day after it
    assert working_days_add(start=D(2025, 1, 26), days=1) == D(2025, 1, 27)


@pytest.mark.django_db
def test_national_day_make_up_saturday_2025():
    # 2025: 10/1-10/8 off, Saturday 10/11 a working day.
    assert working_days_add(start=D(2025, 9, 30), days=3) == D(2025, 10, 11)


@pytest.mark.django_db
def test_year_beyond_the_library_uses_admin_entries():
    # chinese-calendar 1.11 knows nothing of 2027: weekends only ...
    assert working_days_add(start=D(2027, 2, 5), days=7) == D(2027, 2, 16)
    # ... until the bureau enters Spring Festival 2027 (holidays 2/6-2/12 assumed for the test;
    # Saturday 2/20 a make-up working day).
    for n in range(6, 13):
        CalendarOverride.objects.create(
            day=D(2027, 2, n), kind=CalendarDayKind.HOLIDAY, name="春节"
        )
    CalendarOverride.objects.create(day=D(2027, 2, 20), kind=CalendarDayKind.WORKDAY, name="调休")
    # 2/15 2/16 2/17 2/18 2/19 2/20(Sat) 2/22
    assert working_days_add(start=D(2027, 2, 5), days=7) == D(2027, 2, 22)
    assert not is_working_day(D(2027, 2, 8)) and is_working_day(D(2027, 2, 20))


@pytest.mark.django_db
def test_an_override_wins_over_the_library():
    CalendarOverride.objects.create(day=D(2025, 3, 3), kind=CalendarDayKind.HOLIDAY, name="x")
    assert not is_working_day(D(2025, 3, 3))


def _claim(contract, person, actor, *, received=JAN_20, docs=ALL_DOCS[:-1]):
    return manual_claim_register(
        contract=contract,
        person=person,
        received_on=received,
        hospital_name="北京协和医院",
        hospital_place="北京",
        treatment_from=D(2025, 1, 2),
        treatment_to=D(2025, 1, 12),
        amount_claimed="12000.00",
        documents=docs,
        actor=actor,
    )


@pytest.mark.django_db
def test_clock_starts_when_documents_complete(covered_city, role_user):
    operator = role_user("operator")
    contract, person = covered_city["contract"], covered_city["people"][0]
    claim = _claim(contract, person, operator)
    assert claim.status == ManualClaimStatus.RECEIVED and claim.due_on is None
    claim = manual_claim_documents_update(
        claim=claim, documents=ALL_DOCS, complete_on=D(2025, 1, 27), actor=operator
    )
    assert claim.status == ManualClaimStatus.COMPLETE
    assert claim.due_on == D(2025, 2, 12)
    with pytest.raises(ValidationError, match="不予赔付必须选择拒付原因代码"):
        manual_claim_decide(claim=claim, approve=False, actor=operator, decided_on=D(2025, 2, 5))
    claim = manual_claim_decide(
        claim=claim, approve=True, amount="8000.00", actor=operator, decided_on=D(2025, 2, 10)
    )
    claim = manual_claim_pay(claim=claim, paid_on=D(2025, 2, 12), actor=operator)
    assert claim.status == ManualClaimStatus.PAID and not claim.overdue
    with pytest.raises(ValidationError, match="不能「登记支付」"):
        manual_claim_pay(claim=claim, paid_on=D(2025, 2, 13), actor=operator)


@pytest.mark.django_db
def test_overdue_flag_and_within_limit_share(covered_city, role_user):
    operator = role_user("operator")
    contract, person = covered_city["contract"], covered_city["people"][0]
    # complete 1/20: 1/21-1/24, Sunday 1/26 (make-up), 1/27, then 2/5 after the holidays
    on_time = _claim(contract, person, operator, docs=ALL_DOCS)
    assert on_time.due_on == D(2025, 2, 5)
    manual_claim_decide(
        claim=on_time, approve=False, reason_code=101, actor=operator, decided_on=D(2025, 2, 5)
    )
    late = _claim(contract, person, operator, docs=ALL_DOCS)
    late = manual_claim_decide(
        claim=late, approve=True, amount="100.00", actor=operator, decided_on=D(2025, 2, 5)
    )
    manual_claim_pay(claim=late, paid_on=D(2025, 2, 6), actor=operator)
    open_claim = _claim(contract, person, operator, docs=ALL_DOCS)
    not_complete = _claim(contract, person, operator)

    assert manual_claims_flag_overdue(today=D(2025, 2, 5)) == 1  # `late`, paid after 2/5
    assert not ManualClaim.objects.get(pk=open_claim.pk).overdue
    assert manual_claims_flag_overdue(today=D(2025, 2, 6)) == 2
    assert manual_claims_flag_overdue(today=D(2025, 2, 6)) == 2  # idempotent
    flags = dict(ManualClaim.objects.values_list("pk", "overdue"))
    assert flags == {on_time.pk: False, late.pk: True, open_claim.pk: True, not_complete.pk: False}
    # judged: on_time (in time), late (late), open_claim (past due) -> 1 of 3
    assert manual_claims_within_limit_share(contract, 2025) == Decimal("0.3333")
    assert manual_claims_within_limit_share(contract, 2024) is None


@pytest.mark.django_db
def test_insurer_of_another_contract_cannot_register(
    covered_city, role_user, other_insurer_contract
):
    from contracts.services.insurers import insurer_user_link

    clerk = role_user("insurer", username="other_clerk")
    insurer_user_link(user=clerk, insurer=other_insurer_contract.lead_insurer, actor=None)
    with pytest.raises(PermissionDenied):
        _claim(covered_city["contract"], covered_city["people"][0], clerk)


@pytest.mark.django_db
def test_no_date_of_a_claim_is_after_today(covered_city, role_user):
    """The dates are facts already there: documents complete on a day to come would start the
    clock later (the claim could not fall overdue), and 9999-12-31 was a server error."""
    from django.utils import timezone

    operator = role_user("operator")
    claim = _claim(covered_city["contract"], covered_city["people"][0], operator)
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    for later in (tomorrow, D(9999, 12, 31)):
        with pytest.raises(ValidationError, match="材料齐全日期不能晚于今天"):
            manual_claim_documents_update(
                claim=claim, documents=ALL_DOCS, complete_on=later, actor=operator
            )
    claim = manual_claim_documents_update(
        claim=claim, documents=ALL_DOCS, complete_on=today, actor=operator
    )
    with pytest.raises(ValidationError, match="审核决定日期不能晚于今天"):
        manual_claim_decide(
            claim=claim, approve=True, amount="10.00", actor=operator, decided_on=tomorrow
        )
    claim = manual_claim_decide(
        claim=claim, approve=True, amount="10.00", actor=operator, decided_on=today
    )
    with pytest.raises(ValidationError, match="支付日期不能晚于今天"):
        manual_claim_pay(claim=claim, paid_on=tomorrow, actor=operator)
    assert manual_claim_pay(claim=claim, paid_on=today, actor=operator).paid_on == today
