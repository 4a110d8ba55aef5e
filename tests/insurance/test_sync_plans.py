"""`manage.py sync_plans`: the shipped plans come from a command run after migrate, not from a
data migration; it is idempotent and adds a newer shipped version as the active one."""

import copy
import io

import pytest
from django.core.management import call_command

from insurance.choices import PlanStatus
from insurance.models import BenefitPlan
from insurance.plans import load_shipped_plans
from insurance.services import plans as plan_services

pytestmark = pytest.mark.django_db


def _sync() -> str:
    out = io.StringIO()
    call_command("sync_plans", stdout=out)
    return out.getvalue()


def test_an_empty_database_gets_every_shipped_plan_and_a_second_run_changes_nothing():
    BenefitPlan.objects.all().delete()
    first = _sync()
    shipped = load_shipped_plans()
    active = BenefitPlan.objects.filter(status=PlanStatus.ACTIVE)
    assert set(active.values_list("code", flat=True)) == set(shipped)
    for code, document in shipped.items():
        plan = BenefitPlan.objects.get(code=code)
        assert plan.version == document["version"] and plan.document == document
        assert plan.plain_words and plan.activated_at
        assert f"plan {code} v{document['version']} added as active" in first
    before = list(BenefitPlan.objects.order_by("id").values())
    assert _sync().strip() == "plans: no change"
    assert list(BenefitPlan.objects.order_by("id").values()) == before


def test_a_newer_shipped_version_becomes_active_and_retires_the_old_one(monkeypatch):
    shipped = load_shipped_plans()
    code = "ordos-2018"
    old = BenefitPlan.objects.get(code=code, status=PlanStatus.ACTIVE)
    newer = copy.deepcopy(shipped[code])
    newer["version"] = old.version + 1
    monkeypatch.setattr("insurance.plans.load_shipped_plans", lambda: {**shipped, code: newer})
    out = _sync()
    assert f"plan {code} v{old.version + 1} added as active (retired v{old.version})" in out
    old.refresh_from_db()
    assert old.status == PlanStatus.RETIRED
    assert BenefitPlan.objects.get(code=code, status=PlanStatus.ACTIVE).version == old.version + 1
    assert plan_services.shipped_plans_sync() == []


def test_a_code_the_bureau_moved_past_the_shipped_version_is_left_alone(monkeypatch):
    code = "qingdao-2017"
    plan = BenefitPlan.objects.get(code=code, status=PlanStatus.ACTIVE)
    shipped = load_shipped_plans()
    older = copy.deepcopy(shipped[code])
    older["version"] = plan.version - 1
    monkeypatch.setattr("insurance.plans.load_shipped_plans", lambda: {**shipped, code: older})
    assert plan_services.shipped_plans_sync() == []
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
