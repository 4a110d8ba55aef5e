"""Reconciliation in the admin: the summary per insurer and month, drill-down to the records
and the engine's explanation of what was owed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from claims.choices import Outcome
from claims.settlements.admin.common import ReadOnlyScopedAdmin, explanation_html
from claims.settlements.admin.record_search import RecordSearchMixin
from claims.supervision.models import ReconciliationResult
from claims.supervision.selectors import reconciliation_summary
from insurance.admin.support import BigTableAdminMixin

OUTCOME_COLOURS = {
    Outcome.MATCHED: "success",
    Outcome.UNDERPAID: "danger",
    Outcome.OVERPAID: "warning",
    Outcome.PAID_WITHOUT_ENTITLEMENT: "warning",
    Outcome.ENTITLED_UNPAID: "danger",
}


@admin.register(ReconciliationResult)
class ReconciliationResultAdmin(RecordSearchMixin, BigTableAdminMixin, ReadOnlyScopedAdmin):
    list_display = (
        "record", "insurer", "period", "outcome_badge", "expected", "paid", "difference",
    )  # fmt: skip
    list_filter = ("outcome", "period", "insurer")
    list_select_related = ("record", "insurer")
    search_fields = ("=record__setl_id",)  # the search itself: RecordSearchMixin
    record_prefix = "record__"
    record_search_mdtrt = False
    search_help_text = _("按结算ID或人员编号精确查找")
    ordering = ("-period", "-id")
    list_before_template = "claims/admin/reconciliation_links.html"
    fields = (
        "record", "contract", "insurer", "period", "paid_field", "expected", "paid", "difference",
        "outcome", "computed_at", "record_amounts", "compensation_status", "explanation",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @display(description=_("对账结果"), label=OUTCOME_COLOURS)
    def outcome_badge(self, obj):
        return obj.outcome, obj.get_outcome_display()

    @admin.display(description=_("结算金额"))
    def record_amounts(self, obj):
        r = obj.record
        return _("医疗费总额 %(t)s，基金支付 %(f)s，个人负担 %(p)s") % {
            "t": r.medfee_sumamt,
            "f": r.fund_pay_sumamt,
            "p": r.psn_part_amt,
        }

    @admin.display(description=_("引擎计算状态"))
    def compensation_status(self, obj):
        comp = getattr(obj.record, "compensation", None)
        return "-" if comp is None else f"{comp.get_status_display()} {comp.reason}".strip()

    @admin.display(description=_("应赔付计算过程"))
    def explanation(self, obj):
        comp = getattr(obj.record, "compensation", None)
        return explanation_html(comp)

    def get_urls(self):
        view = self.door(self.summary_view)
        return [
            path("summary/", view, name="claims_reconciliationresult_summary"),
            *super().get_urls(),
        ]

    def summary_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        list_url = reverse("admin:claims_reconciliationresult_changelist")
        labels = dict(Outcome.choices)
        rows = reconciliation_summary(self.get_queryset(request))
        for row in rows:
            row["outcome_label"] = labels.get(row["outcome"], row["outcome"])
            query = {
                "insurer__id__exact": row["insurer_id"],
                "period": row["period"].isoformat(),
                "outcome__exact": row["outcome"],
            }
            row["link"] = f"{list_url}?{urlencode(query)}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("对账汇总"),
            "rows": rows,
            "list_url": list_url,
        }
        return TemplateResponse(request, "claims/admin/reconciliation_summary.html", context)
