"""Public disclosure reports (信息公开, R-SUP-4): build the figures of a scheme year, and move a
report through draft -> checked (reviewer) -> published (director, not the checker): the
workflow `claims.oversight.workflows.DISCLOSURE`. A published
report is frozen; a correction is a new version (`disclosure_correct`). Every write is audited;
publishing records the content's SHA-256 in the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit import events
from audit.choices import AuditAction, DisclosureStatus
from audit.errors import NotPermitted, RuleError
from audit.models import DisclosureReport
from audit.models.disclosure import content_sha256
from audit.plausibility import change_warning, found, negative_warning, payout_ratio_warning
from audit.workflow import perform_move
from claims.oversight.services import disclosure_figures as figures
from claims.permissions import DRAFT_DISCLOSURE
from insurance.models import Scheme, SchemeYear

SCHEMA_VERSION = 1


def disclosure_build(*, scheme: Scheme, year: int) -> dict:
    """The report's content: aggregates only, small cells suppressed (see disclosure_figures)."""
    contracts = figures.contracts_for(scheme.pk, year)
    scheme_year = SchemeYear.objects.select_related("plan").filter(scheme=scheme, year=year).first()
    paid = figures.paid_in_year(contracts, year)
    finance = figures.finance_section(contracts, year, paid)
    return {
        "schema": SCHEMA_VERSION,
        "scheme": {
            "code": scheme.code,
            "name": scheme.name,
            "kind": str(scheme.get_kind_display()),
            "region": scheme.region.name,
        },
        "year": year,
        "min_cell": figures.min_cell(),
        "contracts": figures.contract_section(contracts),
        "funding": figures.funding_section(scheme_year),
        "benefits": figures.benefits_section(scheme_year),
        "process": figures.process_section(contracts),
        "efficiency": figures.efficiency_section(contracts, year),
        "finance": finance,
        "payout_ratio": finance["payout_ratio"],
        "beneficiaries": figures.beneficiaries_section(paid),
        "monthly": figures.monthly_section(contracts, year, paid),
        "complaints": figures.complaints_total(contracts, year),
    }


def _fill(report: DisclosureReport, scheme: Scheme) -> None:
    report.content = disclosure_build(scheme=scheme, year=report.year)
    report.content_sha256 = content_sha256(report.content)
    report.built_at = timezone.now()
    report.scheme_code, report.scheme_name = scheme.code, scheme.name


def _scheme(report: DisclosureReport) -> Scheme:
    return Scheme.objects.select_related("region").get(pk=report.scheme_id)


def _permitted(actor, permission: str) -> bool:
    """No actor is the system (the beat job); a user needs the permission."""
    return actor is None or actor.has_perm(permission)


def _require(actor, permission: str, what: str) -> None:
    if not _permitted(actor, permission):
        raise NotPermitted(_("您没有「%(w)s」的权限。") % {"w": what})


@transaction.atomic
def disclosure_draft(*, scheme: Scheme, year: int, actor=None) -> DisclosureReport | None:
    """Draft (or refresh the draft of) a scheme year's report. Idempotent: a report already
    checked or published is left alone (a correction is `disclosure_correct`); None then."""
    _require(actor, DRAFT_DISCLOSURE, _("起草信息公开报告"))
    latest = (
        DisclosureReport.objects.select_for_update()
        .filter(scheme_id=scheme.pk, year=year)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.status != DisclosureStatus.DRAFT:
        return None
    created = latest is None
    report = latest or DisclosureReport(scheme_id=scheme.pk, year=year, version=1)
    before = report.content_sha256
    _fill(report, scheme)
    if actor is not None and getattr(actor, "is_authenticated", False):
        report.drafted_by = actor
    report.save()
    if created or before != report.content_sha256:
        events.record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            actor=actor,
            obj=report,
            summary=f"{'起草' if created else '更新'}信息公开报告：{report}",
            extra={"content_sha256": report.content_sha256},
        )
    return report


# --- the report's workflow (declared in `claims.oversight.workflows.DISCLOSURE`) ------------------


# the amounts of a report's finance section that are never negative (the balance may be)
NON_NEGATIVE = {
    "raised": gettext_noop("筹集资金"),
    "transferred": gettext_noop("已拨付"),
    "claims_paid": gettext_noop("赔付支出"),
    "reserve_held": gettext_noop("预留款"),
    "reserve_released": gettext_noop("预留款拨付"),
    "reserve_returned": gettext_noop("预留款返还"),
}


def disclosure_warnings(report: DisclosureReport) -> list[str]:
    """Before publishing: a payout ratio outside the plausible range, a negative amount, the
    payout ratio or claims paid far from last year's published report."""
    content = report.content or {}
    finance = content.get("finance", {})
    last = (
        DisclosureReport.objects.filter(
            scheme_id=report.scheme_id, year=report.year - 1, status=DisclosureStatus.PUBLISHED
        )
        .order_by("-version")
        .first()
    )
    last_content = last.content if last is not None else {}
    last_finance = last_content.get("finance", {})
    return found(
        payout_ratio_warning(content.get("payout_ratio")),
        change_warning(
            _("赔付率"), content.get("payout_ratio"), last_content.get("payout_ratio"), unit="%"
        ),
        change_warning(
            _("赔付支出"), finance.get("claims_paid"), last_finance.get("claims_paid"), unit=_("元")
        ),
        *(negative_warning(_(label), finance.get(key)) for key, label in NON_NEGATIVE.items()),
    )


def guard_publish(step) -> None:
    """Publishing freezes the report: its content must be what was checked, and the audit entry
    records the content's SHA-256."""
    report = step.doc
    if content_sha256(report.content) != report.content_sha256:
        raise RuleError(_("报告内容与复核时的哈希不一致，请重新生成并复核。"))


def disclosure_move(
    *, report: DisclosureReport, move: str, actor, reason: str = "", request=None
) -> DisclosureReport:
    """check (a reviewer, not the drafter) / return / publish (the director, not the checker)."""
    return perform_move(doc=report, move=move, actor=actor, reason=reason, request=request)


def disclosure_extra_steps(report: DisclosureReport, user) -> list[str]:
    """The steps besides the moves that `user` may take on the report now (its page's other
    buttons): rebuild a draft's figures, start the correction of a published version."""
    if user is None or not _permitted(user, DRAFT_DISCLOSURE):
        return []
    if report.status == DisclosureStatus.DRAFT:
        return ["rebuild"]
    if (
        report.status == DisclosureStatus.PUBLISHED
        and not DisclosureReport.objects.filter(supersedes=report).exists()
    ):
        return ["correct"]
    return []


@transaction.atomic
def disclosure_correct(*, report: DisclosureReport, actor, change_note: str) -> DisclosureReport:
    """Start a correction of a published report: a new draft version, rebuilt from today's
    data, that supersedes it and says what changed."""
    _require(actor, DRAFT_DISCLOSURE, _("更正信息公开报告"))
    if not (change_note or "").strip():
        raise RuleError(_("请说明更正的内容（更正说明）。"))
    report = DisclosureReport.objects.select_for_update().get(pk=report.pk)
    if report.status != DisclosureStatus.PUBLISHED:
        raise RuleError(_("只有已发布的报告才能更正；草稿可直接重新生成。"))
    if DisclosureReport.objects.filter(supersedes=report).exists():
        raise RuleError(_("该版本已有更正版本。"))
    latest = (
        DisclosureReport.objects.filter(scheme_id=report.scheme_id, year=report.year)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    correction = DisclosureReport(
        scheme_id=report.scheme_id,
        year=report.year,
        version=latest + 1,
        supersedes=report,
        change_note=change_note.strip(),
        drafted_by=actor,
    )
    _fill(correction, _scheme(report))
    correction.save()
    events.record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=correction,
        summary=f"新建更正版本：{correction}",
        reason=correction.change_note,
        extra={"supersedes": report.pk, "content_sha256": correction.content_sha256},
    )
    return correction


@transaction.atomic
def disclosure_rebuild(*, report: DisclosureReport, actor) -> DisclosureReport:
    """Recompute a draft's figures (e.g. after late data)."""
    _require(actor, DRAFT_DISCLOSURE, _("重新生成信息公开报告"))
    report = DisclosureReport.objects.select_for_update().get(pk=report.pk)
    if report.status != DisclosureStatus.DRAFT:
        raise RuleError(_("只有草稿可以重新生成。"))
    before = report.content_sha256
    _fill(report, _scheme(report))
    report.drafted_by = actor
    report.save()
    events.record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=report,
        summary=f"重新生成信息公开报告：{report}",
        changes={"content_sha256": [before, report.content_sha256]},
    )
    return report


# Data of a year keeps arriving for a while (late uploads, the year-end settlement).
DRAFT_AFTER = dt.timedelta(days=19)
DRAFT_WITHIN = dt.timedelta(days=366)


def disclosures_draft_due(*, today: dt.date | None = None) -> list[int]:
    """For the beat job: draft the report of every scheme year that ended between a year and 19
    days ago and has a contract (calendar years in late January, Huizhou's July-June years in
    late July). Idempotent (see `disclosure_draft`). Returns the ids drafted or refreshed."""
    today = today or timezone.localdate()
    drafted = []
    years = SchemeYear.objects.filter(
        coverage_end__gte=today - DRAFT_WITHIN, coverage_end__lte=today - DRAFT_AFTER
    ).select_related("scheme__region")
    for scheme_year in years:
        if not figures.contracts_for(scheme_year.scheme_id, scheme_year.year):
            continue
        report = disclosure_draft(scheme=scheme_year.scheme, year=scheme_year.year)
        if report is not None:
            drafted.append(report.pk)
    return drafted


def published_reports():
    """The public door: published reports only, newest year first."""
    return DisclosureReport.objects.filter(status=DisclosureStatus.PUBLISHED).order_by(
        "scheme_code", "-year", "-version"
    )


def latest_published():
    """Per scheme and year, the newest published version."""
    seen, rows = set(), []
    for report in published_reports():
        key = (report.scheme_id, report.year)
        if key not in seen:
            seen.add(key)
            rows.append(report)
    return rows
