"""Writes of benefit plans: drafts, new versions, activation. Active versions are never edited."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from insurance.choices import PlanStatus
from insurance.models import BenefitPlan


@transaction.atomic
def plan_save_draft(*, plan: BenefitPlan, actor, request=None) -> BenefitPlan:
    """Validate and save a new or draft plan (its metadata comes from the document)."""
    if plan.pk and BenefitPlan.objects.filter(pk=plan.pk).exclude(status=PlanStatus.DRAFT).exists():
        raise ValidationError(_("已启用或停用的方案版本不能修改，请复制为新版本。"))
    creating = plan.pk is None
    plan.status = PlanStatus.DRAFT
    plan.full_clean()
    if creating:
        plan.created_by = actor
    plan.save()
    events.change(
        actor=actor,
        obj=plan,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        after={"code": plan.code, "version": plan.version, "status": plan.status},
        summary="保存待遇方案草稿",
        request=request,
    )
    return plan


@transaction.atomic
def plan_new_version(*, plan: BenefitPlan, actor, request=None) -> BenefitPlan:
    """Copy a plan as the next draft version of its code."""
    latest = BenefitPlan.objects.filter(code=plan.code).order_by("-version").first()
    document = copy.deepcopy(plan.document)
    document["version"] = latest.version + 1
    draft = BenefitPlan(document=document, created_by=actor)
    draft.fill_from_document()
    draft.save()
    events.change(
        actor=actor,
        obj=draft,
        action=AuditAction.CREATE,
        after={"code": draft.code, "version": draft.version, "copied_from": plan.version},
        summary="复制为新版本",
        request=request,
    )
    return draft


@transaction.atomic
def plan_activate(*, plan: BenefitPlan, actor, request=None) -> BenefitPlan:
    """Make a draft the active version of its code; the previous active version retires."""
    plan = BenefitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("只有草稿可以启用（当前状态：%(s)s）。") % {"s": plan.get_status_display()}
        )
    plan.full_clean()
    retired = list(
        BenefitPlan.objects.select_for_update()
        .filter(code=plan.code, status=PlanStatus.ACTIVE)
        .values_list("version", flat=True)
    )
    BenefitPlan.objects.filter(code=plan.code, status=PlanStatus.ACTIVE).update(
        status=PlanStatus.RETIRED
    )
    plan.status = PlanStatus.ACTIVE
    plan.activated_at = timezone.now()
    plan.save(update_fields=["status", "activated_at"])
    events.change(
        actor=actor,
        obj=plan,
        action=AuditAction.TRANSITION,
        before={"status": PlanStatus.DRAFT, "active_versions": retired},
        after={"status": PlanStatus.ACTIVE},
        summary="启用待遇方案版本",
        request=request,
    )
    return plan


def plan_for_code(code: str) -> BenefitPlan | None:
    """The active version of a plan code, else its latest version."""
    plans = BenefitPlan.objects.filter(code=code)
    return (
        plans.filter(status=PlanStatus.ACTIVE).order_by("-version").first()
        or plans.order_by("-version").first()
    )


@transaction.atomic
def shipped_plans_sync() -> list[str]:
    """Load the shipped plan documents (insurance/plans/*.json) as active versions: a code not in
    the database gets its shipped version; a code holding only older versions gets the shipped
    one as its active version, the active older one retired. Scheme years keep the version they
    point at (the bureau moves a year to a new version in the admin), and a code that already
    holds the shipped version or a newer one is left as it is. Idempotent; what changed."""
    from insurance.engine import parse_plan, render_plan
    from insurance.plans import load_shipped_plans

    changes = []
    for code, document in load_shipped_plans().items():
        plan = parse_plan(document)
        latest = BenefitPlan.objects.filter(code=code).order_by("-version").first()
        if latest is not None and latest.version >= plan.version:
            continue
        retired = BenefitPlan.objects.select_for_update().filter(
            code=code, status=PlanStatus.ACTIVE
        )
        retired_versions = sorted(retired.values_list("version", flat=True))
        retired.update(status=PlanStatus.RETIRED)
        BenefitPlan.objects.create(
            code=code,
            version=plan.version,
            name=plan.name,
            status=PlanStatus.ACTIVE,
            document=document,
            effective_from=plan.effective_from,
            effective_to=plan.effective_to,
            example=plan.example,
            source=f"{plan.source_seed} {'、'.join(plan.source_rules)}"[:300],
            plain_words=render_plan(plan=plan, lang="zh"),
            activated_at=timezone.now(),
        )
        note = f" (retired v{', v'.join(map(str, retired_versions))})" if retired_versions else ""
        changes.append(f"plan {code} v{plan.version} added as active{note}")
    return changes
