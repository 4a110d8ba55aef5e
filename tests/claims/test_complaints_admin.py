"""Complaint admin flows with the test client, in Chinese, and the insurer's door (404)."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.choices import ComplaintStatus
from claims.models import Complaint
from contracts.services.insurers import insurer_user_link
from tests.contracts.factories import ContractFactory, InsurerFactory


@pytest.fixture
def setup(covered_city, role_user):
    contract = covered_city["contract"]
    clerk = role_user("insurer", username="ins_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    return {
        "contract": contract,
        "person": covered_city["people"][0],
        "operator": role_user("operator"),
        "reviewer": role_user("reviewer"),
        "clerk": clerk,
    }


def test_register_assign_answer_decide_in_the_admin(setup, client):
    client.force_login(setup["operator"])
    page = client.get("/admin/claims/complaint/add/")
    assert page.status_code == 200 and "登记投诉" in page.text and "投诉类别" in page.text
    response = client.post(
        "/admin/claims/complaint/add/",
        {
            "contract": setup["contract"].pk,
            "psn_no": setup["person"].psn_no,
            "channel": "window",
            "category": "pre_existing",
            "received_on": "2025-09-29",
            "content": "以既往病史为由拒赔",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    change = client.get(f"/admin/claims/complaint/{complaint.pk}/change/")
    assert "转保险机构办理" in change.text
    assert setup["person"].name not in change.text  # the person is shown masked
    assert setup["person"].name_masked in change.text
    client.post(f"/admin/claims/complaint/{complaint.pk}/move/assign/", {"on": "2025-09-30"})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ASSIGNED and complaint.due_on == dt.date(
        2025, 10, 14
    )

    client.force_login(setup["clerk"])
    form = client.get(f"/admin/claims/complaint/{complaint.pk}/move/answer/")
    assert "答复内容" in form.text
    client.post(f"/admin/claims/complaint/{complaint.pk}/move/answer/", {"answer": "已补付"})
    # the insurer may not decide: refused with a message, nothing written
    refused = client.post(
        f"/admin/claims/complaint/{complaint.pk}/move/decide/",
        {"decision": "unjustified"},
        follow=True,
    )
    assert refused.status_code == 403
    assert "您没有此操作的权限" in refused.text and "作出投诉处理决定" in refused.text
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED

    client.force_login(setup["reviewer"])
    client.post(
        f"/admin/claims/complaint/{complaint.pk}/move/decide/",
        {"decision": "partly", "required_action": "书面致歉并补付差额"},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.DECIDED and complaint.decision == "partly"


def test_insurer_gets_404_on_another_insurers_complaint(setup, client):
    other_contract = ContractFactory(lead_insurer=InsurerFactory())
    other = Complaint.objects.create(
        number="TS-OTHER",
        contract=other_contract,
        insurer=other_contract.lead_insurer,
        person=setup["person"],
        channel="hotline",
        category="delay",
        received_on=dt.date(2025, 5, 1),
        content="拖延",
    )
    client.force_login(setup["clerk"])
    listing = client.get("/admin/claims/complaint/")
    assert listing.status_code == 200 and "TS-OTHER" not in listing.text
    assert client.get(f"/admin/claims/complaint/{other.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/claims/complaint/{other.pk}/move/answer/").status_code == 404
    assert client.get("/admin/claims/complaint/add/").status_code == 403


def test_dashboard_tile_counts_open_and_overdue(setup, client):
    Complaint.objects.create(
        number="TS-LATE",
        contract=setup["contract"],
        insurer=setup["contract"].lead_insurer,
        person=setup["person"],
        channel="hotline",
        category="delay",
        received_on=dt.date(2025, 5, 1),
        content="拖延",
        status=ComplaintStatus.ASSIGNED,
        assigned_on=dt.date(2025, 5, 6),
        due_on=dt.date(2025, 5, 13),
    )
    client.force_login(setup["operator"])
    page = client.get("/admin/")
    assert "未办结投诉" in page.text and "其中超期未答复 1 件" in page.text
