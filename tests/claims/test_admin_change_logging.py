"""Direct admin writes in the claims app leave an audit entry with the changed fields
(`audit.admin.mixins.AuditedAdminMixin`, or the service for settlement uploads)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from claims.models import CalendarOverride, SettlementBatch, SupervisionConfig
from contracts.services.insurers import insurer_user_link
from tests.claims.files import settlement_row, write_csv

pytestmark = pytest.mark.django_db


def _entries(label: str, pk):
    return AuditEntry.objects.filter(object_type=label, object_id=str(pk)).order_by("id")


@pytest.fixture
def operator_client(client, role_user):
    client.force_login(role_user("operator"))  # claims: view, add, change
    return client


def test_calendar_override_added_changed_and_deleted_in_the_admin(operator_client):
    response = operator_client.post(
        reverse("admin:claims_calendaroverride_add"),
        {"day": "2027-02-10", "kind": "holiday", "name": "春节"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarOverride.objects.get(day=dt.date(2027, 2, 10))
    created = _entries("claims.calendaroverride", day.pk).get()
    assert created.action == "create" and created.actor_name == "t_operator"
    assert created.changes["after"] == {
        "id": day.pk, "day": "2027-02-10", "kind": "holiday", "name": "春节",
    }  # fmt: skip

    response = operator_client.post(
        reverse("admin:claims_calendaroverride_change", args=[day.pk]),
        {"day": "2027-02-10", "kind": "holiday", "name": "春节假期"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = _entries("claims.calendaroverride", day.pk).last()
    assert changed.action == "update"
    assert changed.changes == {"before": {"name": "春节"}, "after": {"name": "春节假期"}}


def test_calendar_override_deleted_in_the_admin_is_audited(client, role_user):
    from django.contrib.auth.models import Permission

    user = role_user("operator")
    user.user_permissions.add(Permission.objects.get(codename="delete_calendaroverride"))
    client.force_login(user)
    day = CalendarOverride.objects.create(day=dt.date(2027, 10, 1), kind="holiday", name="国庆")
    response = client.post(
        reverse("admin:claims_calendaroverride_delete", args=[day.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    deleted = _entries("claims.calendaroverride", day.pk).get()
    assert deleted.action == "delete" and deleted.changes["before"]["name"] == "国庆"


def test_supervision_config_change_records_only_the_changed_fields(operator_client, covered_city):
    contract = covered_city["contract"]
    config = SupervisionConfig.objects.create(contract=contract)
    data = {
        "contract": contract.pk, "tolerance": "0.01",
        "sample_size": "35", "review_threshold": "50000.00", "outlier_factor": "3.00",
        "outlier_min_group": "5",
    }  # fmt: skip
    response = operator_client.post(
        reverse("admin:claims_supervisionconfig_change", args=[config.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = _entries("claims.supervisionconfig", config.pk).get()
    assert entry.action == "update"
    assert entry.changes == {"before": {"sample_size": 20}, "after": {"sample_size": 35}}

    # Saved again without a change: nothing more to record.
    operator_client.post(reverse("admin:claims_supervisionconfig_change", args=[config.pk]), data)
    assert _entries("claims.supervisionconfig", config.pk).count() == 1


def test_settlement_upload_in_the_admin_is_audited_with_the_new_batch(
    client, role_user, covered_city, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    contract = covered_city["contract"]
    clerk = role_user("insurer", username="ins_clerk")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    client.force_login(clerk)
    path = write_csv(tmp_path / "march.csv", [settlement_row(1, psn_no="P0001")])
    with path.open("rb") as fh:
        response = client.post(
            reverse("admin:claims_settlementbatch_add"),
            {"contract": contract.pk, "upload": fh, "encoding": ""},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = SettlementBatch.objects.get()
    entry = _entries("claims.settlementbatch", batch.pk).get()  # one: the service's, not twice
    assert entry.action == "create" and entry.actor_name == "ins_clerk"
    after = entry.changes["after"]
    assert after["contract_id"] == contract.pk and after["insurer_id"] == contract.lead_insurer_id
    assert after["filename"] == "march.csv" and after["sha256"] == batch.sha256
