"""The evaluation's pages that read claims code, served by the claims admin (the contracts admin
may not import it; its buttons link here by URL name): score an indicator, recompute, prepare the
reserve release, print the PDF. Its moves (submit, return, approve) are the one move page of the
evaluation's own admin (`audit.admin.workflow`)."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.admin.doors import admin_door
from audit.admin.workflow import ConfirmForm, bound, form_page
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
        path("evaluation/draft/", draft, name="claims_evaluation_draft"),
        path("evaluation/<int:pk>/step/<str:step>/", step, name="claims_evaluation_step"),
        path("evaluation/score/<int:pk>/", score, name="claims_evaluation_score"),
        path("evaluation/<int:pk>/pdf/", pdf, name="claims_evaluation_pdf"),
    ]
