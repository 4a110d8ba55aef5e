"""The annual evaluation (contracts.Evaluation) in the admin, in one place: the list and the
read-only change page, its moves (submit, return, approve) through the one move page
(`audit.admin.workflow`), and its steps that read claims data: draft, score an indicator,
recompute, prepare the reserve release, print the PDF. The model is in contracts, which may not
import claims; its admin lives here, above both. The indicator catalogue stays in
`contracts.admin.evaluation`."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.db.models import Value
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action

from audit.admin.doors import RestrictedInlineMixin, admin_door
from audit.admin.workflow import ConfirmForm, WorkflowAdminMixin, bound, form_page, links_html
from audit.replica import reports
from audit.scoping import restrict
from claims.oversight.reports.evaluation_pdf import evaluation_pdf
from claims.oversight.services.evaluation import (
    evaluation_recompute,
    evaluation_reserve_prepare,
    evaluation_score,
    evaluations_draft_due,
    evaluations_draft_year,
    score_warnings,
)
from contracts.admin.common import ScopedAdmin
from contracts.choices import EvaluationStatus
from contracts.models import Evaluation, EvaluationScore
from contracts.permissions import PREPARE, SCORE_EVALUATION


class ScoreForm(forms.Form):
    manual_score = forms.DecimalField(
        label=_("人工评分(百分制)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("留空表示采用系统计算得分"),
    )
    comment = forms.CharField(
        label=_("评分说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DraftForm(forms.Form):
    year = forms.IntegerField(
        label=_("考核年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("方案的保险年度；留空与每日定时任务相同：起草刚结束的合同年度"),
    )


DRAFT_TITLE = _("起草年度考核")
DRAFTED = _(
    "新起草 %(created)s 份，已存在 %(existing)s 份，因指标权重不正确未能起草 %(refused)s 份。"
)

EXTRA_STEPS = {"recompute": _("重新计算指标"), "reserve": _("生成预留款拨付单")}


def _host(admin_site):
    return SimpleNamespace(admin_site=admin_site, model=Evaluation)


def _back(evaluation) -> str:
    return reverse("admin:contracts_evaluation_change", args=[evaluation.pk])


def evaluation_urls(admin_site):
    def step_view(request, pk, step):
        evaluation = get_object_or_404(restrict(Evaluation, request.user, "view"), pk=pk)
        title, form = EXTRA_STEPS[step], ConfirmForm(bound(request))

        def perform(d):
            if step == "recompute":
                evaluation_recompute(evaluation=evaluation, actor=request.user)
            else:
                evaluation_reserve_prepare(
                    evaluation=evaluation, actor=request.user, request=request
                )

        details = [
            (_("状态"), evaluation.get_status_display()),
            (_("总得分"), evaluation.total_score if evaluation.total_score is not None else "-"),
            (_("合格分数线"), evaluation.pass_mark),
        ]
        return form_page(
            request,
            admin=_host(admin_site),
            obj=evaluation,
            title=title,
            form=form,
            perform=perform,
            back_url=_back(evaluation),
            details=details,
        )

    def score_view(request, pk):
        scores = restrict(EvaluationScore, request.user, "view").select_related("indicator")
        row = get_object_or_404(scores, pk=pk)
        initial = {"manual_score": row.manual_score, "comment": row.comment}
        form = ScoreForm(bound(request), initial=initial)

        def perform(d):
            evaluation_score(
                row=row, manual_score=d["manual_score"], comment=d["comment"], actor=request.user
            )

        details = [
            (_("指标"), row.name),
            (_("权重(分)"), row.weight),
            (_("计算值"), row.value if row.value is not None else _("无数据")),
            (_("计算得分(百分制)"), row.computed_score if row.computed_score is not None else "-"),
            (_("数据来源"), row.source or "-"),
        ]
        return form_page(
            request,
            admin=_host(admin_site),
            obj=row.evaluation,
            title=_("评分：%(n)s") % {"n": row.name},
            form=form,
            perform=perform,
            back_url=_back(row.evaluation),
            details=details,
            warnings=score_warnings(row),
        )

    def draft_view(request):
        """What the daily job does (`claims.tasks.evaluations_draft`), started by a person: the
        same idempotent services, so a second press (or the job after it) adds nothing."""

        def perform(d):
            if d["year"] is None:
                counts = evaluations_draft_due(on=timezone.localdate(), actor=request.user)
            else:
                counts = evaluations_draft_year(year=d["year"], actor=request.user)
            messages.info(request, DRAFTED % counts)
            return reverse("admin:contracts_evaluation_changelist")

        return form_page(
            request,
            admin=_host(admin_site),
            obj=None,
            title=DRAFT_TITLE,
            form=DraftForm(bound(request)),
            perform=perform,
            back_url=reverse("admin:contracts_evaluation_changelist"),
        )

    def pdf_view(request, pk):
        evaluation = get_object_or_404(restrict(Evaluation, request.user, "view"), pk=pk)
        with reports():
            response = HttpResponse(evaluation_pdf(evaluation), content_type="application/pdf")
        filename = f"evaluation-{evaluation.contract.number}-{evaluation.year}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    steps = {"recompute": (SCORE_EVALUATION,), "reserve": (PREPARE,)}
    step = admin_door(admin_site, step_view, model=Evaluation, choices={"step": steps})
    score = admin_door(
        admin_site, score_view, model=EvaluationScore, perms=("view", SCORE_EVALUATION)
    )
    pdf = admin_door(admin_site, pdf_view, model=Evaluation)
    draft = admin_door(admin_site, draft_view, model=Evaluation, perms=("view", SCORE_EVALUATION))
    return [
        path("drafting/", draft, name="claims_evaluation_draft"),
        path("<int:pk>/step/<str:step>/", step, name="claims_evaluation_step"),
        path("score/<int:pk>/", score, name="claims_evaluation_score"),
        path("<int:pk>/pdf/", pdf, name="claims_evaluation_pdf"),
    ]


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
        """The year-end job's drafting, started by a person (`evaluation_urls`)."""
        return redirect("admin:claims_evaluation_draft")

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def get_urls(self):
        return [*evaluation_urls(self.admin_site), *super().get_urls()]

    def has_delete_permission(self, request, obj=None):
        return False

    def workflow_links(self, request, obj):
        """The moves the user may make, the steps that read claims data and the PDF."""
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
