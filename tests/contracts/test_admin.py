"""Admin screens: pages render, querysets go through the selectors, moves are POST-only."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEntry, StatusChange
from contracts.choices import ContractStatus, DeductionStatus, ReminderStatus
from contracts.models import BondDeduction, Contract, Reminder
from contracts.services import bond_deduction_propose, insurer_user_link, reminders_generate
from tests.conftest import login_verified
from tests.contracts.factories import BondFactory, ContractFactory, InsurerFactory, SchemeFactory

MODELS = [
    "insurer",
    "insurerstaff",
    "debarment",
    "insureruser",
    "eligibilitycriterion",
    "tender",
    "bid",
    "contract",
    "performancebond",
    "bonddeduction",
    "reminder",
]


@pytest.fixture
def director_client(client, role_user):
    user = role_user("director")
    login_verified(client, user)
    client.user = user
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_changelists_render(director_client, model):
    BondFactory()
    response = director_client.get(reverse(f"admin:contracts_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_contract_page_offers_only_legal_moves(director_client):
    contract = ContractFactory(status=ContractStatus.ACTIVE)
    BondFactory(contract=contract)
    page = director_client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("admin:contracts_contract_move", args=[contract.pk, "terminate"]) in body
    assert reverse("admin:contracts_contract_move", args=[contract.pk, "sign"]) not in body
    illegal = director_client.get(
        reverse("admin:contracts_contract_move", args=[contract.pk, "sign"])
    )
    assert illegal.status_code == 403


@pytest.mark.django_db
def test_move_is_post_only_and_asks_reason(director_client):
    contract = ContractFactory(status=ContractStatus.ACTIVE)
    url = reverse("admin:contracts_contract_move", args=[contract.pk, "terminate"])
    assert director_client.get(url).status_code == 200
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    director_client.post(url, {"termination_reason": "mutual", "reason": ""})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE  # reason missing: refused
    response = director_client.post(url, {"termination_reason": "mutual", "reason": "协商一致"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert StatusChange.objects.get().reason == "协商一致"


@pytest.mark.django_db
def test_insurer_user_sees_only_own_contracts_in_admin(client, role_user):
    mine = ContractFactory()
    other = ContractFactory()
    user = role_user("insurer")
    insurer_user_link(user=user, insurer=mine.lead_insurer, actor=None)
    login_verified(client, user)
    page = client.get(reverse("admin:contracts_contract_changelist")).content.decode()
    assert mine.number in page and other.number not in page
    assert client.get(reverse("admin:contracts_contract_change", args=[other.pk])).status_code in (
        302,
        404,
    )


@pytest.mark.django_db
def test_deduction_decided_in_admin_by_another_person(client, role_user):
    bond = BondFactory()
    deduction = bond_deduction_propose(
        contract=bond.contract, amount=Decimal("100"), reason="违规", actor=role_user("finance")
    )
    checker = role_user("director")
    checker.user_permissions.add(Permission.objects.get(codename="approve_bond_deduction"))
    login_verified(client, checker)
    url = reverse("admin:contracts_bonddeduction_move", args=[deduction.pk, "approve"])
    assert client.post(url, {"reason": "同意"}).status_code == 302
    assert BondDeduction.objects.get().status == DeductionStatus.APPROVED


@pytest.mark.django_db
def test_reminder_mark_done_action(director_client):
    contract = ContractFactory(status=ContractStatus.ACTIVE, ends_on=datetime.date(2026, 12, 31))
    reminders_generate(on=datetime.date(2026, 7, 1))
    reminder = Reminder.objects.get(contract=contract)
    response = director_client.post(
        reverse("admin:contracts_reminder_changelist"),
        {"action": "mark_done", "_selected_action": [reminder.pk]},
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DONE
    assert reminder.done_by == director_client.user


@pytest.mark.django_db
def test_dashboard_shows_reminder_tile(director_client):
    ContractFactory(status=ContractStatus.ACTIVE, ends_on=datetime.date(2026, 12, 31))
    reminders_generate(on=datetime.date(2026, 7, 1))
    page = director_client.get(reverse("admin:index")).content.decode()
    assert "待处理提醒" in page


@pytest.mark.django_db
def test_draft_contract_added_through_admin(client, role_user):
    login_verified(client, role_user("finance"))

    scheme, insurer = SchemeFactory(), InsurerFactory()
    data = {
        "number": "HT-ADMIN",
        "scheme": scheme.pk,
        "lead_insurer": insurer.pk,
        "starts_on": "2025-01-01",
        "ends_on": "2026-12-31",
        "coverage_from": "2025-01-01",
        "transfer_share": "80.00",
        "reserve_share": "20.00",
        "settlement_rule": "profit_cap",
        "profit_cap": "5.00",
        "loss_sharing": "all",
        "loss_share_insurer": "50.00",
        "surplus_rule": "carry_over",
        "payout_threshold": "95.00",
        "staff_cost_allowance": "4.00",
        "adjustment_band_low": "95.00",
        "adjustment_band_high": "105.00",
        "platform_fee_kind": "none",
        "claim_time_limit_days": "7",
    }
    for prefix in ("members", "commitments", "assignments", "documents", "history"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:contracts_contract_add"), data)
    assert response.status_code == 200  # term too short: the form shows the error
    assert "2027-12-31" in response.content.decode()
    data["ends_on"] = "2027-12-31"
    response = client.post(reverse("admin:contracts_contract_add"), data)
    assert response.status_code == 302
    contract = Contract.objects.get(number="HT-ADMIN")
    assert contract.members.get().share == Decimal("100.00")  # lead at 100% by default
    assert AuditEntry.objects.filter(object_id=str(contract.pk), action="create").exists()


@pytest.mark.django_db
def test_change_pages_render(director_client, role_user):
    from contracts.models import Bid, Debarment, EligibilityCriterion, InsurerStaff
    from contracts.services import bid_submit, insurer_debar
    from tests.contracts.factories import CriterionFactory, InsurerStaffFactory, TenderFactory

    bond = BondFactory()
    tender = TenderFactory()
    tender.criteria.add(CriterionFactory())
    bid_submit(
        tender=tender,
        insurer=bond.contract.lead_insurer,
        payment_ratio=Decimal("90"),
        profit_rate=Decimal("3"),
        actor=director_client.user,
    )
    InsurerStaffFactory()
    insurer_debar(
        insurer=bond.contract.lead_insurer,
        reason="breach",
        starts_on=datetime.date(2020, 1, 1),
        actor=None,
    )
    deduction = bond_deduction_propose(
        contract=bond.contract, amount=Decimal("1"), reason="x", actor=role_user("finance")
    )
    objects = {
        "insurer": bond.contract.lead_insurer,
        "insurerstaff": InsurerStaff.objects.first(),
        "debarment": Debarment.objects.first(),
        "eligibilitycriterion": EligibilityCriterion.objects.first(),
        "tender": tender,
        "bid": Bid.objects.first(),
        "contract": bond.contract,
        "performancebond": bond,
        "bonddeduction": deduction,
    }
    for model, obj in objects.items():
        response = director_client.get(reverse(f"admin:contracts_{model}_change", args=[obj.pk]))
        assert response.status_code == 200, model
    page = director_client.get(reverse("admin:contracts_tender_change", args=[tender.pk]))
    assert reverse("admin:contracts_tender_award", args=[tender.pk]) in page.content.decode()
