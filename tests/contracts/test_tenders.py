"""Eligibility checks, debarment and the award creating the draft contract (R-TND, R-CON-7)."""

import datetime
from decimal import Decimal

import pytest

from contracts.choices import CheckResult, ContractStatus, DebarmentReason, TenderStatus
from contracts.errors import AwardRefused
from contracts.models import BidCheck, Contract
from contracts.services import (
    bid_check_review,
    bid_score,
    bid_submit,
    insurer_debar,
    tender_award,
)
from insurance.choices import RegionLevel
from tests.contracts.factories import (
    ContractFactory,
    CriterionFactory,
    InsurerFactory,
    RegionFactory,
    TenderFactory,
)

D = datetime.date
AWARD_DAY = D(2023, 11, 20)


@pytest.fixture
def setting(role_user):
    tender = TenderFactory()
    mandatory = CriterionFactory(title="具有健康保险经营资质", mandatory=True)
    optional = CriterionFactory(title="远程诊疗监管平台", mandatory=False)
    tender.criteria.set([mandatory, optional])
    reviewer = role_user("reviewer")
    bid = bid_submit(
        tender=tender,
        insurer=InsurerFactory(),
        payment_ratio=Decimal("92.00"),
        profit_rate=Decimal("3.00"),
        staff_city=12,
        staff_county=15,
        actor=role_user("operator"),
    )
    return tender, bid, mandatory, optional, reviewer


def _review_all(bid, reviewer, result=CheckResult.PASSED):
    for check in bid.checks.all():
        bid_check_review(check=check, result=result, note="材料齐全", actor=reviewer)


def test_each_bid_gets_one_check_per_criterion(setting):
    _tender, bid, mandatory, optional, _reviewer = setting
    assert set(bid.checks.values_list("criterion", flat=True)) == {mandatory.pk, optional.pk}
    assert set(bid.checks.values_list("result", flat=True)) == {CheckResult.PENDING}


def test_review_records_who_and_when(setting):
    _tender, bid, _m, _o, reviewer = setting
    check = bid_check_review(check=bid.checks.first(), result=CheckResult.PASSED, actor=reviewer)
    assert check.reviewed_by == reviewer and check.reviewed_at is not None


def test_award_creates_the_draft_contract(setting, role_user):
    tender, bid, _m, _o, reviewer = setting
    city = tender.scheme.region
    county = RegionFactory(parent=city, level=RegionLevel.COUNTY)
    _review_all(bid, reviewer)
    bid_score(bid=bid, breakdown={"价格": "40", "服务": "35.5", "增值服务": "5"}, actor=reviewer)
    contract = tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
    assert contract.status == ContractStatus.DRAFT
    assert (contract.starts_on, contract.ends_on) == (tender.term_start, tender.term_end)
    assert contract.lead_insurer == bid.insurer
    assert [(m.insurer, m.share) for m in contract.members.all()] == [
        (bid.insurer, Decimal("100.00"))
    ]
    assert dict(contract.commitments.values_list("region", "committed")) == {
        city.pk: 12,
        county.pk: 15,
    }
    tender.refresh_from_db()
    assert tender.status == TenderStatus.AWARDED and tender.awarded_bid == bid
    bid.refresh_from_db()
    assert bid.score == Decimal("80.50")


def test_failed_mandatory_criterion_blocks_award(setting, role_user):
    tender, bid, mandatory, _o, reviewer = setting
    _review_all(bid, reviewer)
    check = BidCheck.objects.get(bid=bid, criterion=mandatory)
    bid_check_review(check=check, result=CheckResult.FAILED, note="无资质", actor=reviewer)
    with pytest.raises(AwardRefused) as exc:
        tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
    assert "具有健康保险经营资质" in " ".join(exc.value.messages)
    assert not Contract.objects.exists()
    tender.refresh_from_db()
    assert tender.status == TenderStatus.OPEN


def test_failed_optional_criterion_does_not_block(setting, role_user):
    tender, bid, mandatory, optional, reviewer = setting
    bid_check_review(
        check=BidCheck.objects.get(bid=bid, criterion=mandatory),
        result=CheckResult.PASSED,
        actor=reviewer,
    )
    bid_check_review(
        check=BidCheck.objects.get(bid=bid, criterion=optional),
        result=CheckResult.FAILED,
        note="未建",
        actor=reviewer,
    )
    assert tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)


def test_unreviewed_mandatory_criterion_blocks_award(setting, role_user):
    tender, bid, *_ = setting
    with pytest.raises(AwardRefused) as exc:
        tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
    assert "尚未审查" in " ".join(exc.value.messages)


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "blocked"),
    [
        (D(2021, 1, 1), D(2023, 12, 31), True),
        (D(2023, 11, 20), D(2023, 11, 20), True),
        (D(2020, 1, 1), None, True),
        (D(2020, 1, 1), D(2023, 11, 19), False),
        (D(2023, 11, 21), None, False),
    ],
)
def test_debarment_on_award_date_blocks_award(setting, role_user, starts_on, ends_on, blocked):
    tender, bid, _m, _o, reviewer = setting
    _review_all(bid, reviewer)
    insurer_debar(
        insurer=bid.insurer,
        reason=DebarmentReason.BREACH,
        starts_on=starts_on,
        ends_on=ends_on,
        actor=None,
    )
    if blocked:
        with pytest.raises(AwardRefused) as exc:
            tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
        assert "禁止投标" in " ".join(exc.value.messages)
        assert not Contract.objects.exists()
    else:
        tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
        assert Contract.objects.count() == 1


def test_award_links_the_previous_contract(setting, role_user):
    tender, bid, _m, _o, reviewer = setting
    previous = ContractFactory(
        scheme=tender.scheme,
        starts_on=D(2021, 1, 1),
        ends_on=D(2023, 12, 31),
        status=ContractStatus.ACTIVE,
    )
    _review_all(bid, reviewer)
    contract = tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
    assert contract.previous == previous
    assert contract.coverage_from == D(2024, 1, 1)


def test_award_twice_refused(setting, role_user):
    tender, bid, _m, _o, reviewer = setting
    _review_all(bid, reviewer)
    tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
    with pytest.raises(AwardRefused):
        tender_award(tender=tender, bid=bid, actor=role_user("director"), on=AWARD_DAY)
