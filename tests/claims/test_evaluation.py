"""The annual evaluation: the year-end job, scoring, approval by another person, the approved
result's consequences (reserve release, renewal, 3-year bar that blocks the next award), PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from audit.scoping import restrict
from claims.oversight.reports.evaluation_pdf import evaluation_pdf
from claims.oversight.services.evaluation import (
    evaluation_draft,
    evaluation_move,
    evaluation_reserve_prepare,
    evaluation_score,
    indicator_weights_problem,
)
from claims.tasks import evaluations_draft
from contracts.choices import (
    ContractStatus,
    DebarmentReason,
    EvaluationStatus,
    RenewalRecommendation,
)
from contracts.errors import AwardRefused
from contracts.models import Debarment, Evaluation, EvaluationIndicator, ReserveRelease
from contracts.selectors import evaluation_result
from contracts.services.insurers import insurer_user_link
from contracts.services.tenders import bid_check_review, bid_submit, tender_award
from tests.conftest import with_perms
from tests.contracts.factories import (
    ContractFactory,
    CriterionFactory,
    InsurerFactory,
    TenderFactory,
)

D = Decimal
YEAR = 2025


@pytest.fixture
def people(role_user):
    return {
        "reviewer": role_user("reviewer", username="rev1"),
        "reviewer2": role_user("reviewer", username="rev2"),
        "director": role_user("director", username="dir1"),
        "director2": role_user("director", username="dir2"),
        "finance": role_user("finance", username="fin1"),
    }


@pytest.fixture
def contract(db):
    co_insurer = InsurerFactory()
    lead = InsurerFactory()
    return ContractFactory(
        lead_insurer=lead,
        status=ContractStatus.ACTIVE,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        members=[(lead, D("70.00")), (co_insurer, D("30.00"))],
    )


def score_all(evaluation, reviewer, points):
    """No data in the year: every computed indicator has no value and is scored by hand."""
    for row in evaluation.scores.all():
        evaluation_score(
            row=row, manual_score=points, comment="无数据，按检查情况评分", actor=reviewer
        )


def test_job_drafts_once_per_contract_and_year(contract):
    ContractFactory(status=ContractStatus.DRAFT)  # not evaluated: never in force
    first = evaluations_draft(YEAR)
    second = evaluations_draft(YEAR)
    assert first == {"created": 1, "existing": 0, "refused": 0}
    assert second == {"created": 0, "existing": 1, "refused": 0}
    assert Evaluation.objects.filter(contract=contract, year=YEAR).count() == 1
    evaluation = Evaluation.objects.get()
    assert evaluation.status == EvaluationStatus.DRAFT and evaluation.drafted_by is None
    assert evaluation.scores.count() == 8  # the default catalogue
    assert evaluation.pass_mark == D("60.00")


def test_default_catalogue_weights_add_up_and_wrong_weights_refuse_the_draft(contract):
    evaluation_draft(contract=contract, year=YEAR)
    assert indicator_weights_problem(contract.scheme) is None
    other = ContractFactory(status=ContractStatus.ACTIVE)
    EvaluationIndicator.objects.create(
        scheme=other.scheme, code="service", name="服务质量", method="manual", weight=D("90")
    )
    with pytest.raises(ValidationError) as exc:
        evaluation_draft(contract=other, year=YEAR)
    assert "权重合计为 90" in str(exc.value)
    assert not Evaluation.objects.filter(contract=other).exists()


def test_weighted_total_from_manual_and_computed_points(contract, people):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    rows = {row.indicator.code: row for row in evaluation.scores.all()}
    points = {
        "payout_ratio": "100", "manual_in_time": "80", "complaints_per_10k": "50",
        "complaints_on_time": "100", "discrepancy_rate": "0", "staffing": "90",
        "spot_check_findings": "70", "satisfaction": "60",
    }  # fmt: skip
    for code, value in points.items():
        evaluation_score(
            row=rows[code], manual_score=value, comment="人工", actor=people["reviewer"]
        )
    evaluation.refresh_from_db()
    # 15*1 + 10*.8 + 15*.5 + 10*1 + 10*0 + 10*.9 + 10*.7 + 20*.6 = 68.5
    assert evaluation.total_score == D("68.50")


def test_submit_needs_every_indicator_scored(contract, people):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    assert "没有得分" in str(exc.value)


def test_approval_by_the_drafter_or_a_scorer_is_refused(contract, people):
    director = people["director"]
    director.user_permissions.add(Permission.objects.get(codename="score_evaluation"))
    director = type(director).objects.get(pk=director.pk)  # fresh permission cache
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR, actor=director)
    assert evaluation.drafted_by == director
    score_all(evaluation, people["reviewer"], "80")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    with pytest.raises(PermissionDenied) as exc:
        evaluation_move(evaluation=evaluation, move="approve", actor=director)
    assert "起草人" in str(exc.value)
    with pytest.raises(PermissionDenied):  # a reviewer has no approval right at all
        evaluation_move(evaluation=evaluation, move="approve", actor=people["reviewer"])
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCORED


def test_a_scorer_with_the_director_role_may_not_approve(contract, people):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    score_all(evaluation, people["reviewer"], "80")
    row = evaluation.scores.first()
    scorer = people["director2"]
    scorer.user_permissions.add(Permission.objects.get(codename="score_evaluation"))
    scorer = type(scorer).objects.get(pk=scorer.pk)
    evaluation_score(row=row, manual_score="85", comment="复核调整", actor=scorer)
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    with pytest.raises(PermissionDenied) as exc:
        evaluation_move(evaluation=evaluation, move="approve", actor=scorer)
    assert "参与评分" in str(exc.value)


def test_illegal_moves_are_refused_in_chinese(contract, people):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        evaluation_move(evaluation=evaluation, move="approve", actor=people["director"])
    assert "不能「审批通过」" in str(exc.value) and "提交审批" in str(exc.value)
    score_all(evaluation, people["reviewer"], "80")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    with pytest.raises(ValidationError):  # scoring a submitted evaluation
        evaluation_score(row=evaluation.scores.first(), manual_score="10", actor=people["reviewer"])
    with pytest.raises(ValidationError) as exc:
        evaluation_move(evaluation=evaluation, move="return", actor=people["director"])
    assert "必须填写理由" in str(exc.value)
    evaluation_move(evaluation=evaluation, move="return", actor=people["director"], reason="重评")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    assert list(evaluation.history.values_list("move", "actor__username")) == [
        ("submit", "rev1"),
        ("return", "dir1"),
    ]


def test_passed_evaluation_recommends_renewal_and_finance_prepares_the_release(contract, people):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    score_all(evaluation, people["reviewer"], "85")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    evaluation = evaluation_move(evaluation=evaluation, move="approve", actor=people["director"])
    assert evaluation.status == EvaluationStatus.APPROVED
    assert evaluation.total_score == D("85.00") and evaluation.passed is True
    assert evaluation.renewal_recommendation == RenewalRecommendation.RENEW
    assert not Debarment.objects.exists()
    # the director may not prepare payments: the approval stands, finance prepares the release
    assert evaluation.reserve_release is None and "预留款拨付单尚未生成" in evaluation.reserve_note
    evaluation = evaluation_reserve_prepare(evaluation=evaluation, actor=people["finance"])
    release = evaluation.reserve_release
    assert release.score == D("85.00") and release.release_percent == D("80.00")
    assert release.evaluation_ref == f"contracts.evaluation:{evaluation.pk}"
    assert release.prepared_by == people["finance"]
    result = evaluation_result(contract=contract, year=YEAR)
    assert result["total_score"] == D("85.00") and len(result["rows"]) == 8


def test_approval_prepares_the_release_when_the_approver_may(contract, people):
    director = people["director"]
    director.user_permissions.add(Permission.objects.get(codename="prepare_transfer"))
    director = type(director).objects.get(pk=director.pk)
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    score_all(evaluation, people["reviewer"], "92")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    evaluation = evaluation_move(evaluation=evaluation, move="approve", actor=director)
    release = ReserveRelease.objects.get(contract=contract, year=YEAR)
    assert evaluation.reserve_release == release and release.release_percent == D("100.00")
    assert evaluation.reserve_note == ""


def test_failed_evaluation_bars_every_insurer_for_three_years_and_blocks_the_award(
    contract, people
):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    score_all(evaluation, people["reviewer"], "55")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    evaluation = evaluation_move(evaluation=evaluation, move="approve", actor=people["director"])
    assert evaluation.passed is False and evaluation.total_score == D("55.00")
    assert evaluation.renewal_recommendation == RenewalRecommendation.NOT_RENEW
    today = timezone.localdate()
    bars = Debarment.objects.filter(reason=DebarmentReason.FAILED_EVALUATION)
    assert {b.insurer_id for b in bars} == set(contract.members.values_list("insurer", flat=True))
    for bar in bars:
        # 3 years from the end of the evaluated year (2025), whenever the approval was clicked
        assert bar.starts_on == dt.date(YEAR + 1, 1, 1) and bar.contract == contract
        assert bar.ends_on == dt.date(YEAR + 3, 12, 31)

    # the next tender: the barred lead insurer bids and cannot win
    tender = TenderFactory()
    criterion = CriterionFactory(mandatory=True)
    tender.criteria.set([criterion])
    bid = bid_submit(
        tender=tender,
        insurer=contract.lead_insurer,
        payment_ratio=D("92.00"),
        profit_rate=D("3.00"),
        actor=people["reviewer"],
    )
    for check in bid.checks.all():
        bid_check_review(check=check, result="passed", note="齐全", actor=people["reviewer"])
    with pytest.raises(AwardRefused) as exc:
        tender_award(tender=tender, bid=bid, actor=people["director"], on=today)
    assert "禁止投标期" in str(exc.value)


def test_pass_mark_is_configurable(contract, people, settings):
    settings.EVALUATION_PASS_MARK = "70"
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    assert evaluation.pass_mark == D("70.00")
    score_all(evaluation, people["reviewer"], "65")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    evaluation = evaluation_move(evaluation=evaluation, move="approve", actor=people["director"])
    assert evaluation.passed is False


def test_insurer_sees_only_its_approved_evaluations(contract, people, role_user):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    # An insurer's user holding the view permission (the insurer role has none for evaluations).
    clerk = with_perms(role_user("insurer", username="ins1"), "contracts.view_evaluation")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    assert not restrict(Evaluation, clerk).exists()  # a draft is the bureau's working paper
    score_all(evaluation, people["reviewer"], "85")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    evaluation_move(evaluation=evaluation, move="approve", actor=people["director"])
    assert list(restrict(Evaluation, clerk)) == [evaluation]
    stranger = with_perms(role_user("insurer", username="ins2"), "contracts.view_evaluation")
    insurer_user_link(user=stranger, insurer=InsurerFactory(), actor=None)
    assert not restrict(Evaluation, stranger).exists()
    # Without the permission, not even its own approved evaluation.
    assert not restrict(Evaluation, role_user("insurer", username="ins3")).exists()


def test_pdf_has_the_chinese_title_and_the_score(contract, people):
    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    score_all(evaluation, people["reviewer"], "72.5")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    evaluation = evaluation_move(evaluation=evaluation, move="approve", actor=people["director"])
    pdf = evaluation_pdf(evaluation)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "年度考核报告" in text
    assert "总得分：72.5" in text
    assert "合格" in text and "建议续签" in text
    assert contract.number in text and "赔付率" in text


def test_the_pdf_embeds_its_font_and_dates_the_approval_in_beijing(contract, people):
    import datetime as dt

    from tests.claims.test_public_outputs import pdf_fonts

    evaluation, _ = evaluation_draft(contract=contract, year=YEAR)
    score_all(evaluation, people["reviewer"], "80")
    evaluation_move(evaluation=evaluation, move="submit", actor=people["reviewer"])
    evaluation_move(evaluation=evaluation, move="approve", actor=people["director"])
    # approved at 16:05 UTC on 30 June: already 1 July in Beijing
    Evaluation.objects.filter(pk=evaluation.pk).update(
        approved_at=dt.datetime(2019, 6, 30, 16, 5, tzinfo=dt.UTC)
    )
    evaluation.refresh_from_db()
    pdf = evaluation_pdf(evaluation)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "审批时间：2019-07-01" in text and "2019-06-30" not in text
    fonts = pdf_fonts(pdf)
    assert any("/FontFile2" in descriptor for descriptor in fonts.values()), fonts
    assert not any("STSong" in name for name in fonts)
