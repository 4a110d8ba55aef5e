"""The claims app's dashboard tiles: compensations this month with a 12-month bar chart,
reconciliation discrepancies, the last ingest batches and disclosure reports waiting for a step.
Every figure is read through `audit.scoping.restrict` (permission and row scope)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.dashboard import Bar, Tile

ZERO = Decimal("0.00")


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _monthly_owed(records, since: dt.date) -> dict[tuple[int, int], Decimal]:
    from claims.models import Compensation, CompensationAdjustment

    scoped = records.filter(setl_time__date__gte=since)
    totals: dict[tuple[int, int], Decimal] = {}
    for model in (Compensation, CompensationAdjustment):
        rows = (
            model.objects.filter(record__in=scoped.values("id"))
            .annotate(m=TruncMonth("record__setl_time"))
            .values("m")
            .annotate(s=Sum("total"))
        )
        for row in rows:
            key = (row["m"].year, row["m"].month)
            totals[key] = totals.get(key, ZERO) + (row["s"] or ZERO)
    return totals


def compensation_tiles(request) -> list[Tile]:
    from claims.selectors import settlement_record_for_user

    user = request.user
    if not user.has_perm("claims.view_compensation"):
        return []
    today = timezone.localdate()
    records = settlement_record_for_user(user)
    totals = _monthly_owed(records, _month_start(today, 11))
    months = [_month_start(today, back) for back in range(11, -1, -1)]
    this_month = totals.get((today.year, today.month), ZERO)
    count = records.filter(setl_time__date__gte=_month_start(today)).count()
    chart = tuple(
        Bar(
            label=f"{m.month}月",
            value=totals.get((m.year, m.month), ZERO),
            display=str(totals.get((m.year, m.month), ZERO)),
        )
        for m in months
    )
    return [
        Tile(
            title=_("本月应赔付"),
            value=f"{this_month} 元",
            link=reverse("admin:claims_settlementrecord_changelist"),
            note=_("本月结算 %(n)s 笔；下图为近 12 个月按结算月份的应赔付金额") % {"n": count},
            section="claims",
            chart=chart,
        )
    ]


def discrepancy_tiles(request) -> list[Tile]:
    from audit.scoping import restrict
    from claims.choices import DISCREPANCIES, Outcome
    from claims.models import ReconciliationResult

    user = request.user
    if not user.has_perm("claims.view_reconciliationresult"):
        return []
    since = dt.date(timezone.localdate().year, 1, 1)
    rows = (
        restrict(ReconciliationResult, user, "view")
        .filter(outcome__in=DISCREPANCIES, period__gte=since)
        .values("outcome")
        .annotate(n=Count("id"))
    )
    by_outcome = {row["outcome"]: row["n"] for row in rows}
    return [
        Tile(
            title=_("本年对账差异"),
            value=str(sum(by_outcome.values())),
            link=reverse("admin:claims_reconciliationresult_changelist"),
            note="；".join(f"{Outcome(k).label} {n}" for k, n in sorted(by_outcome.items()))
            or _("没有差异"),
            section="supervision",
        )
    ]


def batch_tiles(request) -> list[Tile]:
    from claims.selectors import settlement_batch_for_user

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
    from claims.services.calendar import years_without_holidays

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


PROVIDERS = (compensation_tiles, discrepancy_tiles, batch_tiles, disclosure_tiles, calendar_tiles)
