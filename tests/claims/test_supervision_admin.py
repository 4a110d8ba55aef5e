"""The admin flows end to end (Chinese labels), the one door for insurer users, the nightly job
and the dashboard tile."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.choices import ItemDecision, StatementStatus
from claims.models import ClaimStatement, ManualClaim, ReconciliationResult, StatementAdjustment
from claims.supervision.services.statements import statement_submit
from claims.tasks import supervision_nightly
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch, claim
from tests.contracts.factories import ContractFactory, InsurerFactory


@pytest.fixture
def other_insurer_contract(db):
    return ContractFactory(lead_insurer=InsurerFactory(), scheme__code="SUP-OTHER")


@pytest.fixture
def setup(covered_city, role_user, other_insurer_contract):
    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    clerk = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    batch = applied_batch(contract)
    ok = claim(batch, p1, expected="100.00", paid="100.00")
    under = claim(batch, p2, expected="500.00", paid="300.00")
    # another insurer's month, which the clerk must never see
    other = applied_batch(other_insurer_contract)
    claim(other, p3, expected="100.00", paid="0.00")
    return {"contract": contract, "clerk": clerk, "ok": ok, "under": under, "other": other}


@pytest.mark.django_db
def test_review_decide_approve_end_to_end(setup, client, role_user, verified_client):
    clerk = setup["clerk"]
    client.force_login(clerk)
    page = client.get("/admin/claims/claimstatement/add/")
    assert page.status_code == 200 and "提交月度核算" in page.content.decode()
    response = client.post(
        "/admin/claims/claimstatement/add/",
        {"contract": setup["contract"].pk, "period": "2025-03-01"},
    )
    assert response.status_code == 302, response.content.decode()
    statement = ClaimStatement.objects.get()
    assert statement.record_count == 2 and statement.discrepancy_count == 1

    reviewer = role_user("reviewer")
    client.force_login(reviewer)
    detail = client.get(f"/admin/claims/claimstatement/{statement.pk}/change/").content.decode()
    assert "开始复核" in detail and "已提交" in detail
    response = client.post(
        f"/admin/claims/claimstatement/{statement.pk}/move/start_review/",
        {"seed": "42", "sample_size": "1", "threshold": ""},
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.IN_REVIEW and statement.sample_seed == 42
    detail = client.get(f"/admin/claims/claimstatement/{statement.pk}/change/").content.decode()
    assert "复核明细" in detail and "对账差异" in detail
    items = {i.record_id: i for i in statement.items.all()}
    decide = (
        f"/admin/claims/claimstatement/{statement.pk}/items/{items[setup['under'].pk].pk}/decide/"
    )
    form = client.get(decide).content.decode()
    assert "引擎计算过程" in form and "住院补充：本次应付 500.00" in form
    assert "101 就医时未参保或不在保障期内" in form
    # refusing without a code is refused, with the reason on the page
    page = client.post(decide, {"decision": "refuse", "amount": "", "reason_code": "", "note": ""})
    assert page.status_code == 200 and "拒付必须选择拒付原因代码" in page.content.decode()
    client.post(decide, {"decision": "correct", "amount": "500.00", "reason_code": "205"})
    for record_id, item in items.items():
        if record_id != setup["under"].pk:
            url = f"/admin/claims/claimstatement/{statement.pk}/items/{item.pk}/decide/"
            client.post(url, {"decision": "accept"})
    assert not statement.items.filter(decision=ItemDecision.PENDING).exists()
    client.post(f"/admin/claims/claimstatement/{statement.pk}/move/finish_review/", {"reason": ""})
    statement.refresh_from_db()
    assert statement.status == StatementStatus.REVIEWED

    # the reviewer cannot approve: no permission, and the page says so
    page = client.post(
        f"/admin/claims/claimstatement/{statement.pk}/move/approve/", {"reason": ""}, follow=True
    )
    assert page.status_code == 403
    assert "您没有此操作的权限" in page.content.decode() and "审批月度核算" in page.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.REVIEWED

    director = role_user("director")
    client = verified_client(director)
    response = client.post(
        f"/admin/claims/claimstatement/{statement.pk}/move/approve/", {"reason": "同意"}
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED and statement.approved_by == director
    adjustment = StatementAdjustment.objects.get()
    assert adjustment.amount == Decimal("200.00") and adjustment.reason_code == 205


@pytest.mark.django_db
def test_insurer_sees_only_its_own(setup, client, role_user, other_insurer_contract):
    other_clerk = role_user("insurer", username="other_clerk")
    insurer_user_link(user=other_clerk, insurer=other_insurer_contract.lead_insurer, actor=None)
    mine = statement_submit(
        contract=setup["contract"], period=dt.date(2025, 3, 1), actor=setup["clerk"]
    )
    theirs = statement_submit(
        contract=other_insurer_contract, period=dt.date(2025, 3, 1), actor=other_clerk
    )
    operator = role_user("operator")
    from claims.supervision.services.manual_claims import manual_claim_register

    def register(contract, person, actor):
        return manual_claim_register(
            contract=contract, person=person, received_on=dt.date(2025, 3, 3),
            hospital_name="外地医院", treatment_from=dt.date(2025, 2, 1),
            treatment_to=dt.date(2025, 2, 3), amount_claimed="100", actor=actor,
        )  # fmt: skip

    my_claim = register(setup["contract"], setup["ok"].person, setup["clerk"])
    their_claim = register(other_insurer_contract, setup["ok"].person, operator)

    client.force_login(setup["clerk"])
    listing = client.get("/admin/claims/claimstatement/").content.decode()
    assert f"/admin/claims/claimstatement/{mine.pk}/change/" in listing
    assert f"/admin/claims/claimstatement/{theirs.pk}/change/" not in listing
    assert client.get(f"/admin/claims/claimstatement/{theirs.pk}/change/").status_code == 302
    # no review permission, and not its row either
    start = f"/admin/claims/claimstatement/{theirs.pk}/move/start_review/"
    assert client.get(start).status_code in (403, 404)
    claims = client.get("/admin/claims/manualclaim/").content.decode()
    assert my_claim.claim_no in claims and their_claim.claim_no not in claims
    recon = client.get("/admin/claims/reconciliationresult/").content.decode()
    mine_ids = set(
        ReconciliationResult.objects.filter(contract=setup["contract"]).values_list("pk", flat=True)
    )
    theirs_ids = set(
        ReconciliationResult.objects.exclude(contract=setup["contract"]).values_list(
            "pk", flat=True
        )
    )
    assert mine_ids and theirs_ids
    assert all(f"/reconciliationresult/{pk}/change/" in recon for pk in mine_ids)
    assert not any(f"/reconciliationresult/{pk}/change/" in recon for pk in theirs_ids)
    summary = client.get("/admin/claims/reconciliationresult/summary/").content.decode()
    assert "对账汇总" in summary and setup["contract"].lead_insurer.name in summary
    assert other_insurer_contract.lead_insurer.name not in summary
    # drill-down: the summary's link for the underpaid row lists that record only
    under = ReconciliationResult.objects.get(record=setup["under"])
    link = (
        "/admin/claims/reconciliationresult/?insurer__id__exact="
        f"{under.insurer_id}&amp;period=2025-03-01&amp;outcome__exact=underpaid"
    )
    assert link in summary
    drill = client.get(link.replace("&amp;", "&"))
    assert drill.status_code == 200
    body = drill.content.decode()
    assert f"/reconciliationresult/{under.pk}/change/" in body
    ok = ReconciliationResult.objects.get(record=setup["ok"])
    assert f"/reconciliationresult/{ok.pk}/change/" not in body
    detail = client.get(f"/admin/claims/reconciliationresult/{under.pk}/change/").content.decode()
    assert "应赔付计算过程" in detail and "本次应付 500.00" in detail and "少付" in detail


@pytest.mark.django_db
def test_manual_claim_admin_flow_and_dashboard_tile(covered_city, client, role_user):
    operator = role_user("operator")
    client.force_login(operator)
    response = client.post(
        "/admin/claims/manualclaim/add/",
        {
            "contract": covered_city["contract"].pk, "psn_no": "P0001",
            "received_on": "2025-01-20", "hospital_name": "北京协和医院",
            "treatment_from": "2025-01-02", "treatment_to": "2025-01-12",
            "amount_claimed": "12000.00", "documents": ["application", "identity"],
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    claim = ManualClaim.objects.get()
    page = client.get(f"/admin/claims/manualclaim/{claim.pk}/change/").content.decode()
    assert "材料齐全" in page and "报销申请表" in page
    from claims.supervision.models.manual_claim import DOCUMENTS

    client.post(
        f"/admin/claims/manualclaim/{claim.pk}/documents/",
        {"documents": list(DOCUMENTS), "complete_on": "2025-01-27"},
    )
    claim.refresh_from_db()
    assert claim.due_on == dt.date(2025, 2, 12)
    assert (
        supervision_nightly.apply(kwargs={"day": "2025-02-13"}).get()["overdue_manual_claims"] == 1
    )
    home = client.get("/admin/").content.decode()
    assert "超期零星报销" in home and "?overdue__exact=1" in home


@pytest.mark.django_db
def test_nightly_job_is_idempotent(setup):
    first = supervision_nightly.apply(kwargs={"day": "2025-03-31"}).get()
    assert first["reconciled"] == 3
    again = supervision_nightly.apply(kwargs={"day": "2025-03-31"}).get()
    assert again == {"reconciled": 0, "new_flags": 0, "overdue_manual_claims": 0}
    assert ReconciliationResult.objects.count() == 3
    assert ContractFactory._meta.model.objects.count() == 2
