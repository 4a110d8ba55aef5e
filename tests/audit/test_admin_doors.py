"""Issue 19, points 4 and 5, as the issue reported them (the generated walk covers every door)."""

import pytest
from django.urls import reverse

from tests.audit.walk_world import MARK_A, build, make_world
from tests.conftest import with_perms


@pytest.mark.django_db
def test_the_payment_voucher_answers_403_where_the_change_page_does(client, django_user_model):
    world = make_world()
    transfer = build("contracts.Transfer", world)
    transfer.parts.create(insurer=world.insurer_a, share=100, amount=transfer.amount)
    change = reverse("admin:contracts_transfer_change", args=[transfer.pk])
    voucher = reverse("admin:contracts_transfer_voucher", args=[transfer.pk])
    staff = django_user_model.objects.create_user("staff", password="pw-1-tests", is_staff=True)
    client.force_login(staff)
    assert client.get(change).status_code == 403
    assert client.get(voucher).status_code == 403
    client.force_login(with_perms(staff, "contracts.view_transfer"))
    assert client.get(voucher).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["reconciliationresult", "claimstatement", "statementadjustment"])
def test_list_filters_name_no_other_insurer(client, role_user, model):
    from contracts.models import InsurerUser

    world = make_world()
    label = {"reconciliationresult": "claims.ReconciliationResult",
             "claimstatement": "claims.ClaimStatement",
             "statementadjustment": "claims.StatementAdjustment"}[model]  # fmt: skip
    build(label, world)
    intruder = role_user("insurer", username="of_b")
    InsurerUser.objects.create(user=intruder, insurer=world.insurer_b)
    client.force_login(intruder)
    page = client.get(f"/admin/claims/{model}/")
    assert page.status_code == 200
    assert MARK_A not in page.content.decode()  # insurer A's name is not among the filters
