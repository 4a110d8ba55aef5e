"""The claims app's dashboard tiles: overdue manual claims, open complaints, compensations of the
selected month with a 12-month bar chart, reconciliation discrepancies of its year, the last
ingest batches, disclosure reports waiting for a step and the working calendar. Every figure is
read through the permission and the row scope (`restrict`, `month_figures_for_user`); the money
comes from the small month summary (`MonthFigure`), never summed from the records on a page view."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.dashboard import Bar, Tile, month_back, month_label, selected_month
from insurance.engine.money import quantize

ZERO = Decimal("0.00")


def latest_claims_month(request) -> dt.date | None:
    """The dashboard's default period: the latest month with settlements the user may see."""
    from claims.settlements.selectors import month_figures_for_user
    from claims.settlements.services.month_figures import latest_month

    return latest_month(month_figures_for_user(request.user))


def compensation_tiles(request) -> list[Tile]:
    from claims.settlements.selectors import month_figures_for_user

    user = request.user
    if not user.has_perm("claims.view_compensation"):
        return []
    month = selected_month(request)
    months = [month_back(month, back) for back in range(11, -1, -1)]
    rows = (
        month_figures_for_user(user)
        .filter(month__gte=months[0], month__lte=month)
        .values_list("month")
        .annotate(owed=Sum("owed"), n=Sum("settlements"))
        .order_by()
    )
    totals = {m: (quantize(owed or ZERO), n or 0) for m, owed, n in rows}
    owed, count = totals.get(month, (ZERO, 0))
    chart = tuple(Bar(label=month_label(m), value=totals.get(m, (ZERO, 0))[0]) for m in months)
    return [
        Tile(
            title=_("%(m)s应赔付") % {"m": month_label(month)},
            value=f"{owed} 元",
            link=reverse("admin:claims_settlementrecord_changelist"),
            note=_("当月结算 %(n)s 笔；下图为截至当月的近 12 个月按结算月份的应赔付金额")
            % {"n": count},
            section="claims",
            chart=chart,
        )
    ]


def discrepancy_tiles(request) -> list[Tile]:
    from audit.scoping import restrict
    from claims.choices import DISCREPANCIES, Outcome
    from claims.supervision.models import ReconciliationResult

    user = request.user
    if not user.has_perm("claims.view_reconciliationresult"):
        return []
    year = selected_month(request).year
    rows = (
        restrict(ReconciliationResult, user, "view")
        .filter(
            outcome__in=sorted(DISCREPANCIES),  # as claims_recon_discrepancy_idx names them
            period__gte=dt.date(year, 1, 1),
            period__lte=dt.date(year, 12, 1),
        )
        .values("outcome")
        .annotate(n=Count("id"))
    )
    by_outcome = {row["outcome"]: row["n"] for row in rows}
    return [
        Tile(
            title=_("%(y)s年对账差异") % {"y": year},
            value=str(sum(by_outcome.values())),
            link=reverse("admin:claims_reconciliationresult_changelist"),
            note="；".join(f"{Outcome(k).label} {n}" for k, n in sorted(by_outcome.items()))
            or _("没有差异"),
            section="supervision",
        )
    ]


def batch_tiles(request) -> list[Tile]:
    from claims.settlements.selectors import settlement_batch_for_user

    user = request.user
    if not user.has_perm("claims.view_settlementbatch"):
        return []
    batches = list(settlement_batch_for_user(user).order_by("-received_at")[:5])
    rows = tuple(
        (
            f"{timezone.localtime(b.received_at):%m-%d %H:%M} {b.contract.number}",
            f"{b.get_status_display()}（{b.rows_good}/{b.rows_total}）",
        )
        for b in batches
    )
    return [
        Tile(
            title=_("最近上传的结算批次"),
            value=str(batches[0].get_status_display()) if batches else _("暂无"),
            link=reverse("admin:claims_settlementbatch_changelist"),
            note=_("最近 5 批：时间、合同、状态（正确行/总行）"),
            section="claims",
            rows=rows,
        )
    ]


def disclosure_tiles(request) -> list[Tile]:
    from audit.choices import DisclosureStatus
    from audit.models import DisclosureReport
    from audit.scoping import restrict

    user = request.user
    if not user.has_perm("audit.view_disclosurereport"):
        return []
    qs = restrict(DisclosureReport, user, "view")
    drafts = qs.filter(status=DisclosureStatus.DRAFT).count()
    checked = qs.filter(status=DisclosureStatus.CHECKED).count()
    link = reverse("admin:audit_disclosurereport_changelist")
    return [
        Tile(
            title=_("信息公开报告待办"),
            value=str(drafts + checked),
            link=link + (f"?status__exact={DisclosureStatus.CHECKED}" if checked else ""),
            note=_("待复核 %(d)s 份，待发布 %(c)s 份") % {"d": drafts, "c": checked},
            section="supervision",
        )
    ]


def calendar_tiles(request) -> list[Tile]:
    """A warning, only while a year's holidays are missing (see years_without_holidays)."""
    from claims.supervision.services.calendar import years_without_holidays

    if not request.user.has_perm("claims.add_calendaroverride"):
        return []
    month = min(12, max(1, settings.MEDSUPP_CALENDAR_WARN_FROM_MONTH))
    missing = years_without_holidays(timezone.localdate(), warn_from_month=month)
    if not missing:
        return []
    return [
        Tile(
            title=_("节假日与调休未录入"),
            value=_("、").join(_("%(y)s年") % {"y": year} for year in missing),
            link=reverse("admin:claims_calendaroverride_changelist"),
            note=_(
                "请按国务院办公厅的节假日安排通知录入节假日与调休。未录入前只按周末计算工作日，"
                "零星报销、投诉等时限会算错。"
            ),
            section="supervision",
        )
    ]


def overdue_manual_claim_tiles(request) -> list[Tile]:
    user = request.user
    if not user.has_perm("claims.view_manualclaim"):
        return []
    from audit.scoping import restrict
    from claims.supervision.models import ManualClaim

    count = restrict(ManualClaim, user, "view").filter(overdue=True).count()
    link = reverse("admin:claims_manualclaim_changelist") + "?overdue__exact=1"
    return [
        Tile(
            title=str(_("超期零星报销")),
            value=str(count),
            link=link,
            note=str(_("材料齐全后超过合同约定工作日仍未办结")),
        )
    ]


def complaint_tiles(request) -> list[Tile]:
    user = request.user
    if not user.has_perm("claims.view_complaint"):
        return []
    from audit.scoping import restrict
    from claims.choices import ComplaintStatus
    from claims.supervision.models import Complaint
    from claims.supervision.models.complaint import OPEN_COMPLAINT_STATES

    qs = restrict(Complaint, user, "view")
    open_count = qs.filter(status__in=OPEN_COMPLAINT_STATES).count()
    overdue = qs.filter(status=ComplaintStatus.ASSIGNED, due_on__lt=timezone.localdate()).count()
    link = reverse("admin:claims_complaint_changelist")
    return [
        Tile(
            title=str(_("未办结投诉")),
            value=str(open_count),
            link=link,
            note=str(_("其中超期未答复 %(n)s 件") % {"n": overdue}),
        )
    ]


# Registered when the app is ready (`claims.apps`), in this order.
PROVIDERS = (
    overdue_manual_claim_tiles,
    complaint_tiles,
    compensation_tiles,
    discrepancy_tiles,
    batch_tiles,
    disclosure_tiles,
    calendar_tiles,
)
