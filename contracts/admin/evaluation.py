"""The annual evaluation in the admin: the indicator catalogue (reference data, audited) and the
evaluations (read-only here; their moves through the one move page, their other steps and the PDF
served by the claims admin and linked by URL name, because contracts may not import claims)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import Sum, Value
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action

from audit.admin.doors import RestrictedInlineMixin
from audit.admin.workflow import WorkflowAdminMixin, links_html
from contracts.admin.common import ScopedAdmin
from contracts.choices import EvaluationStatus
from contracts.models import Evaluation, EvaluationIndicator, EvaluationScore
from contracts.permissions import PREPARE, SCORE_EVALUATION


@admin.register(EvaluationIndicator)
class EvaluationIndicatorAdmin(ScopedAdmin):
    list_display = ("scheme", "position", "name", "code", "method", "weight", "floor", "target",
                    "unit", "active")  # fmt: skip
    list_filter = ("method", "active", "scheme")
    list_select_related = ("scheme",)
    ordering = ("scheme", "position", "id")
    search_fields = ("name", "=code")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        total = EvaluationIndicator.objects.filter(scheme=obj.scheme, active=True).aggregate(
            s=Sum("weight")
        )["s"] or Decimal("0")
        if total != Decimal(100):
            messages.warning(
                request,
                _("方案「%(s)s」启用指标的权重合计为 %(t)s，必须等于 100，否则无法起草考核。")
                % {"s": obj.scheme, "t": total},
            )

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        obj.full_clean()
        return obj


class ScoreInline(RestrictedInlineMixin, TabularInline):
    model = EvaluationScore
    extra = 0
    can_delete = False
    fields = ("name", "weight", "value", "unit", "computed_score", "manual_score", "comment",
              "scored_by", "score_link")  # fmt: skip
    readonly_fields = fields
    verbose_name_plural = _("考核指标得分")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # whether this request's user may score, on the rows (the inline is shared by threads)
        may_score = request.user.has_perm(SCORE_EVALUATION)
        return super().get_queryset(request).annotate(viewer_may_score=Value(may_score))

    @admin.display(description=_("评分"))
    def score_link(self, row):
        if row.evaluation.status != EvaluationStatus.DRAFT or not getattr(
            row, "viewer_may_score", False
        ):
            return "-"
        return links_html([(_("评分"), reverse("admin:claims_evaluation_score", args=[row.pk]))])


@admin.register(Evaluation)
class EvaluationAdmin(WorkflowAdminMixin, ScopedAdmin):
    list_display = ("contract", "year", "status", "total_score", "passed",
                    "renewal_recommendation", "approved_by")  # fmt: skip
    list_filter = ("status", "year", "passed")
    list_select_related = ("contract", "approved_by")
    search_fields = ("=contract__number",)
    ordering = ("-year", "contract")
    inlines = [ScoreInline]
    fields = ("contract", "year", "status", "pass_mark", "total_score", "passed",
              "renewal_recommendation", "conclusion", "drafted_by", "drafted_at", "approved_by",
              "approved_at", "reserve_release", "reserve_note")  # fmt: skip
    readonly_fields = fields
    actions_list = ["draft_evaluations"]

    def has_add_permission(self, request):
        return False  # drafted by the year-end job (or `evaluation_draft`)

    def has_draft_evaluations_permission(self, request):
        return request.user.has_perm(SCORE_EVALUATION)

    @action(description=_("起草年度考核"), url_path="draft", permissions=["draft_evaluations"])
    def draft_evaluations(self, request):
        """The year-end job's drafting, started by a person: the page reads claims data, so the
        claims admin serves it (`claims.oversight.admin.evaluation`), linked by URL name."""
        return redirect("admin:claims_evaluation_draft")

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def workflow_links(self, request, obj):
        """The moves the user may make, the steps served by the claims admin (it reads claims
        data; linked by URL name) and the PDF."""
        user, step = request.user, "admin:claims_evaluation_step"
        links = super().workflow_links(request, obj)
        if obj.status == EvaluationStatus.DRAFT and user.has_perm(SCORE_EVALUATION):
            links.append((_("重新计算指标"), reverse(step, args=[obj.pk, "recompute"])))
        if (
            obj.status == EvaluationStatus.APPROVED
            and not obj.reserve_release_id
            and user.has_perm(PREPARE)  # what `reserve_release` requires
        ):
            links.append((_("生成预留款拨付单"), reverse(step, args=[obj.pk, "reserve"])))
        links.append((_("打印PDF"), reverse("admin:claims_evaluation_pdf", args=[obj.pk])))
        return links
