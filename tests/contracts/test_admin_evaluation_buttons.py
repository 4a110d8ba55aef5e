"""The evaluation's change page offers a workflow button only to a user the service would let
use it: scoring, submitting and recomputing to scorers, return and approval to a director who
neither scored nor submitted, the reserve release to finance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from claims.oversight.services.evaluation import evaluation_draft, evaluation_move, evaluation_score
from contracts.choices import ContractStatus
from tests.conftest import login_verified
from tests.contracts.factories import ContractFactory


@pytest.fixture
def evaluation(db):
    contract = ContractFactory(
        status=ContractStatus.ACTIVE, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    return evaluation_draft(contract=contract, year=2025)[0]


def page(client, user, evaluation) -> str:
    client.logout()
    login_verified(client, user)
    response = client.get(f"/admin/contracts/evaluation/{evaluation.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def step(evaluation, name: str) -> str:
    """A move's page (the one move view) or a step the claims admin serves."""
    if name in ("recompute", "reserve"):
        return f"/admin/contracts/evaluation/{evaluation.pk}/step/{name}/"
    return f"/admin/contracts/evaluation/{evaluation.pk}/move/{name}/"


def test_draft_buttons_only_for_scorers(evaluation, client, role_user):
    score = "/admin/contracts/evaluation/score/"
    html = page(client, role_user("reviewer"), evaluation)
    assert step(evaluation, "submit") in html and step(evaluation, "recompute") in html
    assert score in html
    html = page(client, role_user("operator"), evaluation)
    assert step(evaluation, "submit") not in html and step(evaluation, "recompute") not in html
    assert score not in html and "提交审批" not in html
    assert f"/admin/contracts/evaluation/{evaluation.pk}/pdf/" in html  # reading is fine


def test_approval_buttons_for_a_director_who_did_not_score(evaluation, client, role_user):
    reviewer, director = role_user("reviewer"), role_user("director")
    scorer = role_user("director", username="scoring_director")
    for row in evaluation.scores.all():
        evaluation_score(row=row, manual_score="80", actor=reviewer)
    scorer_row = evaluation.scores.first()
    # a director who also scored (granted the scoring permission for that) may not approve
    scorer.user_permissions.add(Permission.objects.get(codename="score_evaluation"))
    evaluation_score(row=scorer_row, manual_score="80", actor=scorer)
    evaluation = evaluation_move(evaluation=evaluation, move="submit", actor=reviewer)
    html = page(client, director, evaluation)
    assert step(evaluation, "approve") in html and step(evaluation, "return") in html
    html = page(client, scorer, evaluation)  # scored: may return, not approve
    assert step(evaluation, "return") in html and step(evaluation, "approve") not in html
    html = page(client, reviewer, evaluation)
    assert step(evaluation, "approve") not in html and step(evaluation, "return") not in html

    evaluation_move(evaluation=evaluation, move="approve", actor=director)
    evaluation.refresh_from_db()
    assert evaluation.reserve_release_id is None  # the director may not prepare payments
    assert step(evaluation, "reserve") in page(client, role_user("finance"), evaluation)
    html = page(client, director, evaluation)
    assert step(evaluation, "reserve") not in html and "生成预留款拨付单" not in html
