"""Monthly statements: reproducible sampling, the review set, maker/checker, adjustments, bonds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from claims.choices import AdjustmentStatus, ItemDecision, StatementStatus
from claims.models import SettlementRecord, StatementAdjustment
from claims.supervision.services.statement_items import (
    statement_adjustment_close,
    statement_item_bond_deduction_propose,
    statement_item_decide,
)
from claims.supervision.services.statements import (
    draw_sample,
    statement_move,
    statement_review_start,
    statement_submit,
)
from contracts.choices import DeductionSource
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch, claim
from tests.contracts.factories import BondFactory


def test_same_seed_same_sample():
    ids = list(range(1, 501))
    first = draw_sample(ids, size=20, seed=12345)
    assert first == draw_sample(list(reversed(ids)), size=20, seed=12345)
    assert first != draw_sample(ids, size=20, seed=54321)
    assert len(set(first)) == 20 and draw_sample([3, 1], size=5, seed=1) == [1, 3]


@pytest.fixture
def month(covered_city, role_user):
    """March 2025: 30 matching claims, one big one, one underpaid and one unjustly unpaid."""
    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    clerk = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    batch = applied_batch(contract)
    for n in range(30):
        claim(batch, p1, expected="100.00", paid="100.00", day=dt.date(2025, 3, 1 + n % 28))
    big = claim(batch, p2, expected="80000.00", paid="80000.00")
    under = claim(batch, p2, expected="500.00", paid="300.00")
    unpaid = claim(batch, p3, expected="900.00", paid="0.00")
    claim(batch, p3, expected="100.00", paid="100.00", day=dt.date(2025, 4, 2))  # April
    return {"contract": contract, "clerk": clerk, "big": big, "under": under, "unpaid": unpaid}


def _submitted(month):
    return statement_submit(
        contract=month["contract"], period=dt.date(2025, 3, 15), actor=month["clerk"]
    )


@pytest.mark.django_db
def test_submit_totals_and_no_second_submission(month):
    statement = _submitted(month)
    assert statement.period == dt.date(2025, 3, 1) and statement.record_count == 33
    assert statement.claimed_total == Decimal("83300.00")
    assert statement.expected_total == Decimal("84400.00")
    assert statement.discrepancy_count == 2
    with pytest.raises(ValidationError, match="已经提交过"):
        _submitted(month)


@pytest.mark.django_db
def test_review_set_is_sample_plus_big_plus_gaps_and_reproducible(month, role_user):
    reviewer = role_user("reviewer")
    statement = statement_review_start(statement=_submitted(month), actor=reviewer, seed=7)
    items = list(statement.items.order_by("record_id"))
    sampled = sorted(i.record_id for i in items if i.in_sample)
    assert statement.sample_seed == 7 and len(sampled) == 20
    assert {i.record_id for i in items if i.above_threshold} == {month["big"].pk}
    assert {i.record_id for i in items if i.discrepancy} == {month["under"].pk, month["unpaid"].pk}
    march = SettlementRecord.objects.filter(contract=month["contract"], setl_time__month=3)
    assert sampled == draw_sample(list(march.values_list("pk", flat=True)), size=20, seed=7)
    # a second draw with the recorded seed gives the same items
    assert draw_sample(list(march.values_list("pk", flat=True)), size=20, seed=7) == sampled


@pytest.mark.django_db
def test_maker_checker_and_adjustments(month, role_user, django_user_model):
    reviewer = role_user("reviewer")
    director = role_user("director")
    statement = statement_review_start(
        statement=_submitted(month), actor=reviewer, seed=1, sample_size=0
    )
    with pytest.raises(ValidationError, match="不能「审批通过」"):
        statement_move(statement=statement, move="approve", actor=director)
    with pytest.raises(ValidationError, match="没有结论"):
        statement_move(statement=statement, move="finish_review", actor=reviewer)
    items = {i.record_id: i for i in statement.items.all()}
    with pytest.raises(ValidationError, match="拒付必须选择拒付原因代码"):
        statement_item_decide(item=items[month["big"].pk], decision="refuse", actor=reviewer)
    with pytest.raises(PermissionDenied):
        statement_item_decide(item=items[month["big"].pk], decision="accept", actor=director)
    statement_item_decide(item=items[month["big"].pk], decision="accept", actor=reviewer)
    statement_item_decide(
        item=items[month["under"].pk], decision="correct", amount="500.00", actor=reviewer
    )
    statement_item_decide(
        item=items[month["unpaid"].pk],
        decision=ItemDecision.CORRECT,
        amount="900.00",
        reason_code=205,
        actor=reviewer,
    )
    statement = statement_move(statement=statement, move="finish_review", actor=reviewer)
    assert statement.reviewed_by == reviewer
    # the reviewer, even holding the approval permission, may not approve his own review
    reviewer.user_permissions.add(Permission.objects.get(codename="approve_claimstatement"))
    reviewer = django_user_model.objects.get(pk=reviewer.pk)
    with pytest.raises(PermissionDenied, match="复核人以外的另一人审批"):
        statement_move(statement=statement, move="approve", actor=reviewer)
    with pytest.raises(ValidationError, match="必须填写理由"):
        statement_move(statement=statement, move="return", actor=director)
    statement = statement_move(statement=statement, move="approve", actor=director)
    assert statement.status == StatementStatus.APPROVED and statement.approved_by == director
    owed = dict(StatementAdjustment.objects.values_list("item__record_id", "amount"))
    assert owed == {month["under"].pk: Decimal("200.00"), month["unpaid"].pk: Decimal("900.00")}
    assert statement.correction_total == Decimal("1100.00")
    moves = list(statement.history.values_list("move", "actor"))
    assert moves == [
        ("submit", month["clerk"].pk),
        ("start_review", reviewer.pk),
        ("finish_review", reviewer.pk),
        ("approve", director.pk),
    ]
    adjustment = StatementAdjustment.objects.get(item__record=month["under"])
    adjustment = statement_adjustment_close(adjustment=adjustment, move="settle", actor=reviewer)
    assert adjustment.status == AdjustmentStatus.SETTLED
    with pytest.raises(ValidationError):
        statement_adjustment_close(adjustment=adjustment, move="settle", actor=reviewer)


@pytest.mark.django_db
def test_unjust_refusal_proposes_a_bond_deduction(month, role_user):
    reviewer = role_user("reviewer")
    BondFactory(contract=month["contract"])
    statement = statement_review_start(statement=_submitted(month), actor=reviewer, sample_size=0)
    items = {i.record_id: i for i in statement.items.all()}
    big = statement_item_decide(item=items[month["big"].pk], decision="accept", actor=reviewer)
    with pytest.raises(ValidationError, match="少付或无理拒付"):
        statement_item_bond_deduction_propose(item=big, amount="1000", reason="x", actor=reviewer)
    item = statement_item_decide(
        item=items[month["unpaid"].pk], decision="correct", amount="900.00", actor=reviewer
    )
    deduction = statement_item_bond_deduction_propose(
        item=item, amount="5000.00", reason="无理拒付（R-CON-5）", actor=reviewer
    )
    assert deduction.source == DeductionSource.CLAIMS_SUPERVISION
    assert deduction.source_ref == f"claims.statementitem:{item.pk}"
    assert deduction.amount == Decimal("5000.00") and deduction.prepared_by == reviewer


@pytest.mark.django_db
def test_submit_without_any_benefit_plan(month):
    """No plan stored (a fresh city, or a flushed test database): no plan says which field is the
    insurer's payment, so nothing is read as paid; the submission still goes through (it used to
    fail in PostgreSQL with `function sum(unknown) is not unique`)."""
    from insurance.models import BenefitPlan, SchemeYear

    SchemeYear.objects.update(plan=None)
    BenefitPlan.objects.all().delete()
    statement = _submitted(month)
    assert statement.record_count == 33
    assert statement.claimed_total == Decimal("0.00")


@pytest.mark.django_db
def test_the_database_refuses_one_person_as_reviewer_and_approver(month, role_user):
    """Maker/checker is the machine's rule and the database's (R-CLM-2): even a write that
    bypasses the workflow cannot name the reviewer as the approver."""
    from django.db import IntegrityError, transaction

    from claims.models import ClaimStatement

    statement = _submitted(month)
    reviewer = role_user("reviewer")
    ClaimStatement.objects.filter(pk=statement.pk).update(reviewed_by=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimStatement.objects.filter(pk=statement.pk).update(approved_by=reviewer)
    ClaimStatement.objects.filter(pk=statement.pk).update(approved_by=role_user("director"))
    statement.refresh_from_db()
    assert statement.approved_by != statement.reviewed_by
