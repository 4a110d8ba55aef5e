"""A change page offers a workflow button only to a user the service would let make that move
(permission, insurer side, four eyes); the others do not see it at all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.choices import ItemDecision
from claims.models import ClaimStatement, FraudFlag, StatementAdjustment
from claims.oversight.services.disclosure import disclosure_draft, disclosure_move
from claims.supervision.services.complaints import complaint_move, complaint_register
from claims.supervision.services.fraud import fraud_detect
from claims.supervision.services.manual_claims import manual_claim_register
from claims.supervision.services.spot_checks import spot_check_plan
from claims.supervision.services.statement_items import statement_item_decide
from claims.supervision.services.statements import (
    statement_move,
    statement_review_start,
    statement_submit,
)
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch, claim, record
from tests.conftest import login_verified
from tests.insurance.factories import SchemeYearFactory

D = dt.date


def page(client, user, url: str) -> str:
    """The page as `user` sees it (signed in with both factors, whatever his role)."""
    client.logout()
    login_verified(client, user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- complaints ------------------------------------------------------------------------------


@pytest.fixture
def complaint_world(covered_city, role_user):
    contract = covered_city["contract"]
    clerk = role_user("insurer", username="ins_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    operator = role_user("operator")
    complaint = complaint_register(
        contract=contract,
        person=covered_city["people"][0],
        channel="window",
        category="pre_existing",
        content="以既往病史为由拒赔",
        received_on=D(2025, 9, 29),
        actor=operator,
    )
    return {
        "complaint": complaint,
        "operator": operator,
        "reviewer": role_user("reviewer"),
        "auditor": role_user("auditor"),
        "clerk": clerk,
        "url": f"/admin/claims/complaint/{complaint.pk}/change/",
        "step": f"/admin/claims/complaint/{complaint.pk}/move/",
        "bond": f"/admin/claims/complaint/{complaint.pk}/bond/",
    }


def test_complaint_buttons_follow_who_may_make_the_move(complaint_world, client):
    w = complaint_world
    # received: bureau staff who handle complaints assign; the auditor only reads
    html = page(client, w["operator"], w["url"])
    assert w["step"] + "assign/" in html and "转保险机构办理" in html
    html = page(client, w["auditor"], w["url"])
    assert w["step"] + "assign/" not in html and "转保险机构办理" not in html

    complaint_move(complaint=w["complaint"], move="assign", actor=w["operator"], on=D(2025, 9, 30))
    # assigned: only the insurer answers; only the decider decides
    html = page(client, w["clerk"], w["url"])
    assert w["step"] + "answer/" in html and "答复投诉" in html
    assert w["step"] + "decide/" not in html
    html = page(client, w["operator"], w["url"])
    assert w["step"] + "answer/" not in html and "答复投诉" not in html
    assert w["step"] + "decide/" not in html  # handling is not deciding
    html = page(client, w["reviewer"], w["url"])
    assert w["step"] + "decide/" in html and w["step"] + "answer/" not in html


def test_complaint_bond_button_only_for_a_decider(complaint_world, client):
    w = complaint_world
    complaint_move(complaint=w["complaint"], move="assign", actor=w["operator"], on=D(2025, 9, 30))
    complaint_move(
        complaint=w["complaint"],
        move="decide",
        actor=w["reviewer"],
        decision="partly",
        required_action="补付差额",
    )
    html = page(client, w["reviewer"], w["url"])
    assert w["bond"] in html and "提出保函扣款" in html
    html = page(client, w["operator"], w["url"])
    assert w["bond"] not in html and "提出保函扣款" not in html
    assert w["step"] + "close/" in html  # the callback is the operator's


# --- disclosure reports ----------------------------------------------------------------------


@pytest.fixture
def report(db):
    year = SchemeYearFactory(year=2018)
    return disclosure_draft(scheme=year.scheme, year=2018)


def test_disclosure_buttons_follow_permissions_and_four_eyes(
    report, client, role_user, django_user_model
):
    url = f"/admin/audit/disclosurereport/{report.pk}/change/"
    step = f"/admin/audit/disclosurereport/{report.pk}/move/"
    rebuild = f"/admin/audit/disclosurereport/{report.pk}/step/rebuild/"
    reviewer, director, operator = (
        role_user("reviewer"),
        role_user("director"),
        role_user("operator"),
    )
    # a draft: the reviewer checks; the director may rebuild but not check; the operator reads
    html = page(client, reviewer, url)
    assert step + "check/" in html and "复核通过" in html
    html = page(client, director, url)
    assert step + "check/" not in html and "复核通过" not in html
    assert rebuild in html
    html = page(client, operator, url)
    assert step not in html and rebuild not in html
    assert f"/admin/audit/disclosurereport/{report.pk}/pdf/" in html

    disclosure_move(report=report, move="check", actor=reviewer)
    html = page(client, director, url)
    assert step + "publish/" in html and step + "return/" not in html
    html = page(client, reviewer, url)
    assert step + "return/" in html and step + "publish/" not in html

    # one person holding every permission who checked may return but not publish
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-1")
    disclosure_move(report=report, move="return", actor=reviewer)
    disclosure_move(report=report, move="check", actor=boss)
    html = page(client, boss, url)
    assert step + "return/" in html and step + "publish/" not in html


# --- monthly statements ----------------------------------------------------------------------


@pytest.fixture
def statement(covered_city, role_user):
    contract, (p1, p2, _p3) = covered_city["contract"], covered_city["people"]
    clerk = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    batch = applied_batch(contract)
    claim(batch, p1, expected="100.00", paid="100.00")
    claim(batch, p2, expected="500.00", paid="300.00")
    statement_submit(contract=contract, period=D(2025, 3, 1), actor=clerk)
    return ClaimStatement.objects.get()


def test_statement_buttons_follow_permissions_and_four_eyes(
    statement, client, role_user, django_user_model
):
    url = f"/admin/claims/claimstatement/{statement.pk}/change/"
    move = f"/admin/claims/claimstatement/{statement.pk}/move/"
    reviewer, director = role_user("reviewer"), role_user("director")
    html = page(client, reviewer, url)
    assert move + "start_review/" in html and "开始复核" in html
    html = page(client, director, url)
    assert move + "start_review/" not in html and "开始复核" not in html

    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-1")
    statement = statement_review_start(statement=statement, actor=reviewer, seed=1)
    html = page(client, reviewer, url)
    assert ">复核</a>" in html  # the items' review links
    html = page(client, director, url)
    assert ">复核</a>" not in html and ">查看</a>" in html
    for item in statement.items.all():
        if item.claimed == item.expected:
            statement_item_decide(item=item, decision=ItemDecision.ACCEPT, actor=boss)
        else:
            statement_item_decide(
                item=item, decision="correct", amount="500.00", reason_code=205, actor=boss
            )
    statement_move(statement=statement, move="finish_review", actor=reviewer)
    html = page(client, director, url)
    assert move + "approve/" in html and move + "return/" in html
    html = page(client, reviewer, url)
    assert move + "approve/" not in html and move + "return/" not in html
    # boss decided items: he may return the statement but not approve it
    html = page(client, boss, url)
    assert move + "return/" in html and move + "approve/" not in html

    # the adjustment the approval leaves: settled or cancelled by the staff who handle claims
    statement_move(statement=statement, move="approve", actor=director)
    adjustment = StatementAdjustment.objects.get()
    url = f"/admin/claims/statementadjustment/{adjustment.pk}/change/"
    close = f"/admin/claims/statementadjustment/{adjustment.pk}/move/"
    html = page(client, role_user("operator"), url)
    assert close + "settle/" in html and close + "cancel/" in html
    assert close + "answer/" not in html  # the insurer concerned answers, nobody else
    html = page(client, director, url)
    assert close not in html and "确认已结清" not in html
    clerk = django_user_model.objects.get(username="insurer_clerk")
    html = page(client, clerk, url)
    assert close + "answer/" in html and close + "settle/" not in html
    client.post(close + "answer/", {"answer": "已补付 200 元。"})
    adjustment.refresh_from_db()
    assert adjustment.status == "answered" and adjustment.answer == "已补付 200 元。"
    html = page(client, role_user("operator"), url)
    assert close + "settle/" in html and "已补付 200 元。" in html


# --- manual claims, fraud flags, spot checks ------------------------------------------------


def test_manual_claim_buttons_only_for_handlers(covered_city, client, role_user):
    operator = role_user("operator")
    manual = manual_claim_register(
        contract=covered_city["contract"],
        person=covered_city["people"][0],
        received_on=D(2025, 1, 20),
        hospital_name="北京协和医院",
        treatment_from=D(2025, 1, 2),
        treatment_to=D(2025, 1, 12),
        amount_claimed=Decimal("12000.00"),
        actor=operator,
        documents=["application"],
    )
    url = f"/admin/claims/manualclaim/{manual.pk}/change/"
    documents = f"/admin/claims/manualclaim/{manual.pk}/documents/"
    assert documents in page(client, operator, url)
    html = page(client, role_user("auditor"), url)
    assert documents not in html and "材料齐全</a>" not in html


def test_fraud_flag_buttons_only_for_reviewers(covered_city, client, role_user):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    for n in range(5):
        record(
            batch, person, cost="10000.00", begndate=D(2025, 2, 1 + n), enddate=D(2025, 2, 1 + n)
        )
    record(batch, person, cost="30000.01", begndate=D(2025, 2, 20), enddate=D(2025, 2, 20))
    fraud_detect(contract=contract)
    flag = FraudFlag.objects.get()
    url = f"/admin/claims/fraudflag/{flag.pk}/change/"
    review = f"/admin/claims/fraudflag/{flag.pk}/move/"
    html = page(client, role_user("reviewer"), url)
    assert review + "confirm/" in html and review + "dismiss/" in html
    html = page(client, role_user("auditor"), url)
    assert review not in html and "核实属实" not in html


def test_spot_check_button_only_for_bureau_handlers(covered_city, client, role_user):
    check = spot_check_plan(
        contract=covered_city["contract"],
        kind="hospital_visit",
        subject="市立医院住院病人在床核查",
        planned_on=D(2025, 6, 1),
        actor=role_user("operator"),
    )
    url = f"/admin/claims/spotcheck/{check.pk}/change/"
    perform = f"/admin/claims/spotcheck/{check.pk}/perform/"
    assert perform in page(client, role_user("reviewer"), url)
    html = page(client, role_user("auditor"), url)
    assert perform not in html and "登记抽查结果</a>" not in html
