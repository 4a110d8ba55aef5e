"""Audit conclusions (R-SUP-3): drafted and signed by auditors, read by directors, then frozen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.choices import ConclusionStatus
from audit.models import AuditConclusion, AuditEntry, AuditFollowUp
from audit.services import (
    conclusion_create,
    conclusion_sign,
    conclusion_update,
    followup_delete,
    followup_save,
)

pytestmark = pytest.mark.django_db


def _draft(actor, **kw):
    fields = {
        "title": "2024年度大病保险基金审计",
        "subject": "城乡居民大病保险2024年度基金",
        "contract_id": 12,
        "period_from": dt.date(2024, 1, 1),
        "period_to": dt.date(2024, 12, 31),
        "findings": "赔付台账与结算数据有3笔差异。",
        "opinion": "qualified",
        "conclusion": "基金使用基本合规，差异需整改。",
    }
    return conclusion_create(actor=actor, **{**fields, **kw})


def _entries(obj):
    return AuditEntry.objects.filter(
        object_type=f"audit.{obj._meta.model_name}", object_id=str(obj.pk)
    ).order_by("id")


def test_an_auditor_drafts_and_signs_and_both_are_audited(role_user):
    auditor = role_user("auditor")
    conclusion = _draft(auditor)
    assert conclusion.auditor == auditor and conclusion.status == ConclusionStatus.DRAFT
    conclusion_sign(conclusion=conclusion, actor=auditor)
    conclusion.refresh_from_db()
    assert conclusion.is_signed and conclusion.signed_by == auditor and conclusion.signed_at
    actions = list(_entries(conclusion).values_list("action", flat=True))
    assert actions == ["create", "approve"]


def test_the_subject_and_a_sane_period_are_required(role_user):
    auditor = role_user("auditor")
    with pytest.raises(ValidationError) as exc:
        _draft(auditor, subject="", contract_id=None)
    assert "subject" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _draft(auditor, period_to=dt.date(2023, 1, 1))
    assert not AuditConclusion.objects.exists()


def test_only_the_auditor_role_signs(role_user):
    conclusion = _draft(role_user("auditor"))
    with pytest.raises(PermissionDenied):
        conclusion_sign(conclusion=conclusion, actor=role_user("director"))
    conclusion.refresh_from_db()
    assert not conclusion.is_signed


def test_a_signed_conclusion_is_frozen_but_follow_ups_progress(role_user):
    auditor = role_user("auditor")
    conclusion = _draft(auditor)
    followup = followup_save(
        followup=AuditFollowUp(
            conclusion=conclusion,
            action="补录3笔结算差异",
            owner="待遇科",
            due_on=dt.date(2025, 3, 31),
        ),
        actor=auditor,
    )
    conclusion_update(conclusion=conclusion, actor=auditor, changes={"title": "改标题"})
    conclusion_sign(conclusion=conclusion, actor=auditor)

    with pytest.raises(ValidationError):
        conclusion_update(conclusion=conclusion, actor=auditor, changes={"title": "再改"})
    with pytest.raises(ValidationError):
        conclusion_sign(conclusion=conclusion, actor=auditor)
    with pytest.raises(ValidationError):
        followup_save(
            followup=AuditFollowUp(
                conclusion=conclusion, action="新事项", owner="x", due_on=dt.date(2025, 1, 1)
            ),
            actor=auditor,
        )
    followup.owner = "别的科室"
    with pytest.raises(ValidationError):
        followup_save(followup=followup, actor=auditor)
    with pytest.raises(ValidationError):
        followup_delete(followup=AuditFollowUp.objects.get(pk=followup.pk), actor=auditor)

    followup = AuditFollowUp.objects.get(pk=followup.pk)
    followup.status = "done"
    with pytest.raises(ValidationError):
        followup_save(followup=followup, actor=auditor)  # done needs its date
    followup.done_on = dt.date(2025, 3, 1)
    followup_save(followup=followup, actor=auditor)
    assert AuditFollowUp.objects.get(pk=followup.pk).status == "done"
    last = _entries(followup).last()
    assert last.changes == {
        "before": {"status": "open", "done_on": None},
        "after": {"status": "done", "done_on": "2025-03-01"},
    }
    assert AuditConclusion.objects.get(pk=conclusion.pk).title == "改标题"


def _admin_post(conclusion=None, **extra):
    data = {
        "title": "2025年度基金审计",
        "scheme_id": "",
        "contract_id": "7",
        "subject": "",
        "period_from": "2025-01-01",
        "period_to": "2025-12-31",
        "findings": "无重大问题",
        "opinion": "unqualified",
        "conclusion": "合规",
        "followups-TOTAL_FORMS": "1",
        "followups-INITIAL_FORMS": "0",
        "followups-MIN_NUM_FORMS": "0",
        "followups-MAX_NUM_FORMS": "1000",
        "followups-0-action": "完善台账",
        "followups-0-owner": "财务科",
        "followups-0-due_on": "2026-03-31",
        "followups-0-status": "open",
        "followups-0-done_on": "",
        "followups-0-note": "",
    }
    data.update(extra)
    return data


def test_the_auditor_creates_in_the_admin_and_signs_with_the_action(role_user, verified_client):
    auditor = role_user("auditor")
    client = verified_client(auditor)
    response = client.post(reverse("admin:audit_auditconclusion_add"), _admin_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    conclusion = AuditConclusion.objects.get()
    assert conclusion.auditor == auditor and conclusion.followups.count() == 1
    assert _entries(conclusion.followups.get()).filter(action="create").exists()

    response = client.post(
        reverse("admin:audit_auditconclusion_changelist"),
        {"action": "sign_conclusions", "_selected_action": [conclusion.pk]},
    )
    assert response.status_code == 302
    conclusion.refresh_from_db()
    assert conclusion.is_signed

    change_url = reverse("admin:audit_auditconclusion_change", args=[conclusion.pk])
    assert client.get(change_url).status_code == 200  # view only
    response = client.post(change_url, _admin_post(title="篡改"))
    assert response.status_code == 403
    conclusion.refresh_from_db()
    assert conclusion.title == "2025年度基金审计"


def test_the_admin_shows_the_missing_subject_on_the_form(role_user, verified_client):
    client = verified_client(role_user("auditor"))
    response = client.post(
        reverse("admin:audit_auditconclusion_add"), _admin_post(contract_id="", subject="")
    )
    assert response.status_code == 200 and "请写明审计对象" in response.content.decode()
    assert not AuditConclusion.objects.exists()


def test_the_director_reads_but_does_not_write(role_user, verified_client):
    conclusion = _draft(role_user("auditor"))
    client = verified_client(role_user("director"))
    assert client.get(reverse("admin:audit_auditconclusion_changelist")).status_code == 200
    change_url = reverse("admin:audit_auditconclusion_change", args=[conclusion.pk])
    assert client.get(change_url).status_code == 200
    assert client.get(reverse("admin:audit_auditconclusion_add")).status_code == 403
    assert client.post(change_url, _admin_post(title="主管改")).status_code == 403


def test_operators_do_not_see_conclusions(role_user, client):
    client.force_login(role_user("operator"))
    assert client.get(reverse("admin:audit_auditconclusion_changelist")).status_code == 403
