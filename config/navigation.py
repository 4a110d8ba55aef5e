"""The admin sidebar, grouped by task: daily work, approvals, supervision, reports and setup.

`TASK_GROUPS` places every admin model in the group of the work it serves (a model registered
later and not placed here lands in 其他 at the end, so it is never lost). Each entry carries a
permission callback (`may_open`) asking the admin itself whether the user may open it: the same
door as the admin's own app list, so a user sees only what he may open, and a group left
without entries is not shown. Setup (rules, code tables, accounts, schedules) is shown only to
the roles that maintain or check it (`SETUP_ROLES`), never to a clerk, even one who may read the
tables.
"""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.roles import ADMINISTRATOR, AUDITOR, DIRECTOR, ROLE_BY_GROUP_NAME

# (title, [(model label, icon)]) in the order shown
TASK_GROUPS = (
    (
        _("日常工作"),
        [
            ("insurance.Person", "person"),
            ("insurance.Enrollment", "how_to_reg"),
            ("insurance.FamilyLink", "family_restroom"),
            ("insurance.SpecialStatus", "accessible"),
            ("insurance.Employer", "business"),
            ("insurance.ImportJob", "upload_file"),
            ("claims.SettlementBatch", "upload"),
            ("claims.SettlementRecord", "receipt_long"),
            ("claims.Complaint", "support_agent"),
            ("claims.ManualClaim", "request_quote"),
            ("audit.Consent", "verified_user"),
            ("claims.SatisfactionSurvey", "sentiment_satisfied"),
            ("claims.QuotaPoolEntry", "savings"),
            ("contracts.Reminder", "notifications"),
        ],
    ),
    (
        _("审批"),
        [
            ("contracts.FundingCalculation", "calculate"),
            ("contracts.Transfer", "payments"),
            ("contracts.ReserveRelease", "account_balance_wallet"),
            ("contracts.YearEndSettlement", "event_available"),
            ("contracts.BondDeduction", "money_off"),
            ("claims.ClaimStatement", "fact_check"),
            ("claims.StatementAdjustment", "rule"),
        ],
    ),
    (
        _("监管"),
        [
            ("contracts.Contract", "handshake"),
            ("contracts.Insurer", "apartment"),
            ("contracts.InsurerStaff", "badge"),
            ("contracts.PerformanceBond", "gpp_good"),
            ("contracts.Tender", "gavel"),
            ("contracts.Bid", "description"),
            ("contracts.Debarment", "block"),
            ("contracts.Evaluation", "grading"),
            ("claims.ReconciliationResult", "compare_arrows"),
            ("claims.FraudFlag", "report"),
            ("claims.SpotCheck", "plagiarism"),
            ("claims.FollowUpAction", "task_alt"),
            ("audit.AuditConclusion", "policy"),
            ("audit.AuditFollowUp", "checklist"),
            ("audit.AuditEntry", "history"),
        ],
    ),
    (
        _("报表与公开"),
        [
            ("audit.DisclosureReport", "campaign"),
            ("contracts.LedgerEntry", "account_balance"),
        ],
    ),
    (
        _("设置"),
        [
            ("insurance.Region", "map"),
            ("insurance.Scheme", "health_and_safety"),
            ("insurance.SchemeYear", "calendar_month"),
            ("insurance.BenefitPlan", "tune"),
            ("contracts.EligibilityCriterion", "checklist_rtl"),
            ("contracts.EvaluationIndicator", "leaderboard"),
            ("contracts.ReserveReleaseBand", "percent"),
            ("claims.SupervisionConfig", "settings"),
            ("claims.CodeMapping", "code"),
            ("claims.CalendarOverride", "calendar_today"),
            ("audit.User", "manage_accounts"),
            ("auth.Group", "groups"),
            ("insurance.StaffProfile", "location_city"),
            ("contracts.InsurerUser", "person_pin"),
            ("audit.ApiKey", "key"),
            ("otp_totp.TOTPDevice", "phonelink_lock"),
            ("django_celery_beat.PeriodicTask", "schedule"),
            ("django_celery_beat.CrontabSchedule", "schedule"),
            ("django_celery_beat.IntervalSchedule", "timer"),
            ("django_celery_beat.ClockedSchedule", "alarm"),
            ("django_celery_beat.SolarSchedule", "wb_sunny"),
            ("axes.AccessAttempt", "lock"),
            ("axes.AccessFailureLog", "lock"),
            ("axes.AccessLog", "lock"),
        ],
    ),
)
SETUP = TASK_GROUPS[-1][0]
OTHER = _("其他")
# The roles that maintain the setup (accounts, schedules) or its rules, or check them.
SETUP_ROLES = frozenset({ADMINISTRATOR, DIRECTOR, AUDITOR})


def openable(request) -> dict[str, dict]:
    """label_lower -> the admin's own app-list entry, for the models the user may open (the
    admin's permission checks, asked once per request)."""
    if not hasattr(request, "_medsupp_openable"):
        request._medsupp_openable = {
            f"{app['app_label']}.{model['object_name']}".lower(): model
            for app in admin.site.get_app_list(request)
            for model in app["models"]
        }
    return request._medsupp_openable


def sees_setup(user) -> bool:
    if user.is_superuser:
        return True
    roles = {ROLE_BY_GROUP_NAME.get(name) for name in user.groups.values_list("name", flat=True)}
    return any(role is not None and role.code in SETUP_ROLES for role in roles)


def may_open(label: str, request, *, setup: bool = False) -> bool:
    """The entry's permission callback: the admin lets the user open the model (and, for the
    setup group, the user holds a role that maintains setup)."""
    if label.lower() not in openable(request):
        return False
    if not setup:
        return True
    if not hasattr(request, "_medsupp_sees_setup"):  # one query per page, not one per entry
        request._medsupp_sees_setup = sees_setup(request.user)
    return request._medsupp_sees_setup


def _item(label: str, icon: str, request, *, setup: bool) -> dict | None:
    model = openable(request).get(label.lower())
    if model is None:
        return None
    return {
        "title": model["name"],
        "icon": icon,
        "link": model["admin_url"] or model.get("add_url") or "#",
        "permission": partial(may_open, label, setup=setup),
    }


def sidebar_navigation(request) -> list[dict]:
    groups = [
        {
            "title": _("首页"),
            "items": [
                {"title": _("工作台"), "icon": "dashboard", "link": reverse("admin:index")},
            ],
        }
    ]
    placed = {label.lower() for _title, items in TASK_GROUPS for label, _icon in items}
    others = [(label, "folder") for label in openable(request) if label not in placed]
    for title, items in (*TASK_GROUPS, (OTHER, others)):
        setup = title == SETUP
        entries = [_item(label, icon, request, setup=setup) for label, icon in items]
        entries = [e for e in entries if e is not None and e["permission"](request)]
        if entries:
            groups.append(
                {"title": title, "collapsible": True, "separator": True, "items": entries}
            )
    return groups
