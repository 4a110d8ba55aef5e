"""The annual evaluation's indicator catalogue in the admin (reference data, audited). The
evaluations themselves are computed from claims data: their admin is
`claims.oversight.admin.evaluation`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from contracts.admin.common import ScopedAdmin
from contracts.models import EvaluationIndicator


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
