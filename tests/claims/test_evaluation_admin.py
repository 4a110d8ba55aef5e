"""The evaluation in the admin (Chinese labels): buttons offer only legal moves, scoring and
approval through the one move page, the PDF link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.oversight.services.evaluation import evaluation_draft
from contracts.choices import ContractStatus, EvaluationStatus
from tests.contracts.factories import ContractFactory


@pytest.fixture
def evaluation(db):
    contract = ContractFactory(
        status=ContractStatus.ACTIVE, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    return evaluation_draft(contract=contract, year=2025)[0]


def test_score_submit_approve_and_print(evaluation, client, role_user, verified_client):
    reviewer = role_user("reviewer")
    client.force_login(reviewer)
    page = client.get(f"/admin/contracts/evaluation/{evaluation.pk}/change/")
    assert page.status_code == 200
    assert "提交审批" in page.text and "重新计算指标" in page.text and "打印PDF" in page.text
    assert "审批通过" not in page.text  # not a legal move from a draft
    assert "/move/approve/" not in page.text
    for row in evaluation.scores.all():
        url = f"/admin/contracts/evaluation/score/{row.pk}/"
        assert "人工评分(百分制)" in client.get(url).text
        client.post(url, {"manual_score": "58", "comment": "无数据，按检查评分"})
    client.post(f"/admin/contracts/evaluation/{evaluation.pk}/move/submit/", {})
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCORED and evaluation.total_score == Decimal("58")

    director = role_user("director")
    admin = verified_client(director)
    page = admin.get(f"/admin/contracts/evaluation/{evaluation.pk}/change/")
    assert "审批通过" in page.text and "退回重新评分" in page.text
    assert "/move/submit/" not in page.text and "/move/approve/" in page.text
    admin.post(f"/admin/contracts/evaluation/{evaluation.pk}/move/approve/", {})
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.APPROVED and evaluation.passed is False
    pdf = admin.get(f"/admin/contracts/evaluation/{evaluation.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_insurer_user_cannot_reach_a_draft(evaluation, client, role_user):
    from contracts.services.insurers import insurer_user_link

    clerk = role_user("insurer")
    insurer_user_link(user=clerk, insurer=evaluation.contract.lead_insurer, actor=None)
    client.force_login(clerk)
    assert client.get(f"/admin/contracts/evaluation/{evaluation.pk}/pdf/").status_code in (
        403,
        404,
    )
    url = f"/admin/contracts/evaluation/{evaluation.pk}/move/submit/"
    assert client.post(url, {}).status_code in (403, 404)  # no permission, and not its row
