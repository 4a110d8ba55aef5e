"""Implausible figures no longer pass silently: a payout ratio outside the plausible range, a
negative amount or a figure far from last year's is shown before the evaluation is submitted or
approved, a transfer or year-end settlement approved, a disclosure published; going on needs a
stated reason, which the audit entry keeps with the warnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.choices import AuditAction, DisclosureStatus
from audit.errors import RuleError
from audit.models import AuditEntry, DisclosureReport
from audit.models.disclosure import content_sha256
from audit.plausibility import change_warning, negative_warning, payout_ratio_warning
from audit.workflow import workflow_of
from claims.oversight.services.disclosure import disclosure_move
from claims.oversight.services.evaluation import evaluation_draft, evaluation_move, evaluation_score
from contracts.choices import ContractStatus, EvaluationStatus, IndicatorCode, PaymentStatus
from contracts.models import EvaluationScore, Transfer, YearEndSettlement
from contracts.services.transfers import transfer_move, transfers_generate
from contracts.services.year_end import settlement_warnings
from tests.conftest import login_verified
from tests.contracts.factories import ContractFactory
from tests.contracts.test_funds_support import approve_funding, enroll, make_contract

D = Decimal


# --- the checks, with the default ranges (0-200%, 50% from last year) ------------------------


def test_a_payout_ratio_of_8977_percent_is_implausible_and_85_is_not():
    assert "8977" in payout_ratio_warning(D("8977")) and "200" in payout_ratio_warning("8977")
    assert payout_ratio_warning(D("85")) is None
    assert payout_ratio_warning(D("200")) is None and payout_ratio_warning(D("200.01"))
    assert payout_ratio_warning(D("-0.01")) and payout_ratio_warning(None) is None


def test_the_ranges_are_settings(settings):
    settings.MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MAX = D("120")
    assert payout_ratio_warning(D("150")) and payout_ratio_warning(D("120")) is None
    settings.MEDSUPP_PLAUSIBLE_CHANGE_PERCENT = D("10")
    assert change_warning("赔付率", D("111"), D("100"))  # 11% more than last year
    assert change_warning("赔付率", D("110"), D("100")) is None


def test_far_from_last_year_and_negative_amounts():
    # 160 against 100: 60% more, beyond the default 50%
    assert change_warning("拨付金额", D("160"), D("100"), unit="元") == (
        "拨付金额 160元 与上年 100元 相差超过 50%"
    )
    assert change_warning("拨付金额", D("150"), D("100")) is None
    assert change_warning("拨付金额", D("49"), D("100"))  # 51% less
    assert change_warning("拨付金额", D("10"), None) is None  # no last year: nothing to compare
    assert negative_warning("赔付支出", D("-1.00")) and negative_warning("赔付支出", 0) is None


def test_every_approval_and_publication_declares_its_check():
    from contracts.models import ReserveRelease

    assert workflow_of(Transfer).move("approve").warn is not None
    assert workflow_of(ReserveRelease).move("approve").warn is not None
    assert workflow_of(YearEndSettlement).move("approve").warn is settlement_warnings
    evaluation = workflow_of(EvaluationScore._meta.get_field("evaluation").related_model)
    assert evaluation.move("submit").warn is not None and evaluation.move("approve").warn
    assert workflow_of(DisclosureReport).move("publish").warn is not None


@pytest.mark.django_db
def test_a_year_end_settlement_at_8977_percent_with_negative_claims_is_flagged():
    contract = ContractFactory()
    settlement = YearEndSettlement(
        contract=contract, year=2025, payout_ratio=D("8977.00"), claims_paid=D("-5.00")
    )
    warnings = settlement_warnings(settlement)
    assert len(warnings) == 2
    assert "8977" in warnings[0] and "赔付支出" in warnings[1]
    assert (
        settlement_warnings(
            YearEndSettlement(
                contract=contract, year=2025, payout_ratio=D("85"), claims_paid=D("1")
            )
        )
        == []
    )


# --- a disclosure published at 8977% ------------------------------------------------------------


@pytest.fixture
def checked_report(role_user):
    content = {
        "payout_ratio": "8977.00",
        "finance": {"raised": "1000.00", "claims_paid": "89770.00", "transferred": "1000.00"},
    }
    return DisclosureReport.objects.create(
        scheme_id=1,
        scheme_code="S1",
        scheme_name="示范方案",
        year=2025,
        version=1,
        status=DisclosureStatus.CHECKED,
        content=content,
        content_sha256=content_sha256(content),
        checked_by=role_user("reviewer"),
    )


@pytest.mark.django_db
def test_publishing_an_implausible_report_needs_a_reason_which_is_audited(
    role_user, checked_report
):
    director = role_user("director")
    with pytest.raises(RuleError, match="8977"):
        disclosure_move(report=checked_report, move="publish", actor=director)
    checked_report.refresh_from_db()
    assert checked_report.status == DisclosureStatus.CHECKED  # nothing written

    reason = "已与保险机构核对：当年出现多例超高额赔付"
    disclosure_move(report=checked_report, move="publish", actor=director, reason=reason)
    checked_report.refresh_from_db()
    assert checked_report.status == DisclosureStatus.PUBLISHED
    entry = AuditEntry.objects.filter(action=AuditAction.PUBLISH).latest("id")
    assert entry.reason == reason
    assert any("8977" in w for w in entry.changes["after"]["warnings"])


@pytest.mark.django_db
def test_the_publish_page_shows_the_warning_and_asks_the_reason_beside_its_field(
    client, role_user, checked_report
):
    login_verified(client, role_user("director"))
    url = reverse("admin:audit_disclosurereport_move", args=[checked_report.pk, "publish"])
    html = client.get(url).content.decode()
    assert 'id="form-warnings"' in html and "8977" in html
    assert "继续办理的理由" in html
    html = client.post(url, {"reason": ""}).content.decode()
    reason_field = html.split('name="reason"', 1)[1].split("</textarea>", 2)[1][:600]
    assert "必填项" in reason_field
    checked_report.refresh_from_db()
    assert checked_report.status == DisclosureStatus.CHECKED


@pytest.mark.django_db
def test_a_plausible_report_is_published_without_a_reason(role_user, checked_report):
    content = {"payout_ratio": "85.00", "finance": {"raised": "1000.00", "claims_paid": "850.00"}}
    DisclosureReport.objects.filter(pk=checked_report.pk).update(
        content=content, content_sha256=content_sha256(content)
    )
    checked_report.refresh_from_db()
    disclosure_move(report=checked_report, move="publish", actor=role_user("director"))
    checked_report.refresh_from_db()
    assert checked_report.status == DisclosureStatus.PUBLISHED


# --- a transfer far from last year's ---------------------------------------------------------


@pytest.mark.django_db
def test_approving_a_transfer_far_from_last_years_needs_a_reason(role_user):
    finance, director = role_user("finance"), role_user("director")
    contract, year = make_contract()
    enroll(year)
    approve_funding(contract, 2025, finance, director)
    transfers_generate(year=2025, quarter=1)
    transfer = Transfer.objects.get(contract=contract, year=2025, quarter=1)
    # last year's first quarter was a third of this one: 200% more this year
    Transfer.objects.create(
        contract=contract,
        year=2024,
        quarter=1,
        funding=transfer.funding,
        amount=transfer.amount / 3,
        reserve_part=0,
    )
    transfer_move(transfer=transfer, move="prepare", actor=finance)
    with pytest.raises(RuleError, match="与上年"):
        transfer_move(transfer=transfer, move="approve", actor=director)
    transfer.refresh_from_db()
    assert transfer.status == PaymentStatus.PREPARED

    transfer_move(transfer=transfer, move="approve", actor=director, reason="新增两个县参保")
    transfer.refresh_from_db()
    assert transfer.status == PaymentStatus.APPROVED
    entry = AuditEntry.objects.filter(action=AuditAction.APPROVE).latest("id")
    assert entry.reason == "新增两个县参保" and entry.changes["after"]["warnings"]


# --- an evaluation whose payout ratio is 8977% -------------------------------------------------


@pytest.mark.django_db
def test_submitting_an_evaluation_with_an_8977_percent_payout_ratio_needs_a_reason(
    client, role_user
):
    contract = ContractFactory(
        status=ContractStatus.ACTIVE, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    evaluation = evaluation_draft(contract=contract, year=2025)[0]
    reviewer = role_user("reviewer")
    EvaluationScore.objects.filter(
        evaluation=evaluation, indicator__code=IndicatorCode.PAYOUT_RATIO
    ).update(value=D("8977"))
    for row in evaluation.scores.all():
        evaluation_score(row=row, manual_score=D("90"), comment="", actor=reviewer)
    payout = evaluation.scores.get(indicator__code=IndicatorCode.PAYOUT_RATIO)
    login_verified(client, reviewer)
    html = client.get(reverse("admin:claims_evaluation_score", args=[payout.pk])).content.decode()
    assert 'id="form-warnings"' in html and "赔付率 8977% 超出合理范围 0%～200%" in html
    other = evaluation.scores.exclude(pk=payout.pk).first()
    html = client.get(reverse("admin:claims_evaluation_score", args=[other.pk])).content.decode()
    assert 'id="form-warnings"' not in html
    with pytest.raises(RuleError, match="8977"):
        evaluation_move(evaluation=evaluation, move="submit", actor=reviewer)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    evaluation_move(
        evaluation=evaluation, move="submit", actor=reviewer, reason="赔付数据已复核，属实"
    )
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCORED
