"""Roles are Django groups. This module is the one table of who may do what.

A grant names an app, a model pattern (`*` for every model of the app) and the actions
(`view`, `add`, `change`, `delete`), or an explicit `app_label.codename` for custom permissions.
Syncing only adds what is missing, so an administrator's extra grants in the admin survive; it runs
by `manage.py sync_roles` (a deploy's step) and again after every migrate, so permissions of later
models join the roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch

from django.utils.translation import gettext_lazy as _

DOMAIN_APPS = ("insurance", "contracts", "claims")
ALL_ACTIONS = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class Grant:
    app_label: str
    model: str = "*"
    actions: tuple[str, ...] = ("view",)


@dataclass(frozen=True)
class Role:
    code: str
    name: str  # the group's name, in Chinese: the bureau's own word for the job
    description: str
    grants: tuple[Grant, ...] = ()
    codenames: tuple[str, ...] = field(default=())  # "app_label.codename"


def _view_all() -> tuple[Grant, ...]:
    return tuple(Grant(app) for app in DOMAIN_APPS)


OPERATOR = "operator"
REVIEWER = "reviewer"
FINANCE = "finance"
DIRECTOR = "director"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"
INSURER = "insurer"

ROLES: dict[str, Role] = {
    role.code: role
    for role in (
        Role(
            OPERATOR,
            "经办员",
            _("登记参保人员、参保登记、结算数据和投诉，日常经办"),
            grants=(
                *_view_all(),
                Grant("insurance", "*", ("view", "add", "change")),
                Grant("claims", "*", ("view", "add", "change")),
                Grant("audit", "consent", ("view", "add", "change")),
            ),
        ),
        Role(
            REVIEWER,
            "审核员",
            _("复核保险机构的赔付、审核抽查与考核评分"),
            grants=(*_view_all(), Grant("claims", "*", ("view", "change"))),
            codenames=(
                "claims.review_claimstatement",
                "contracts.score_evaluation",
                "claims.decide_complaint",
            ),
        ),
        Role(
            FINANCE,
            "财务",
            _("筹资、季度拨付、预留款与年度清算的制单"),
            grants=(*_view_all(), Grant("contracts", "*", ("view", "add", "change"))),
            codenames=("contracts.prepare_transfer",),
        ),
        Role(
            DIRECTOR,
            "主管",
            _("审批拨付、考核、信息公开与保函扣款"),
            grants=(
                *_view_all(),
                Grant("contracts", "*", ("view", "change")),
                Grant("audit", "consent", ("view",)),
                Grant("audit", "auditconclusion", ("view",)),
                Grant("audit", "auditfollowup", ("view",)),
            ),
            codenames=(
                "contracts.approve_transfer",
                "contracts.approve_evaluation",
                "contracts.approve_bond_deduction",
                "claims.approve_claimstatement",
                "claims.decide_complaint",
                "audit.publish_disclosure",
                "audit.reveal_personal_data",
            ),
        ),
        Role(
            AUDITOR,
            "审计",
            _("只读查阅全部业务数据与审计日志"),
            grants=(
                *_view_all(),
                Grant("audit", "*", ("view",)),
                Grant("audit", "auditconclusion", ("view", "add")),
                Grant("audit", "auditfollowup", ("view", "add", "delete")),
            ),
            codenames=(
                "audit.reveal_personal_data",
                "audit.draft_auditconclusion",
                "audit.sign_auditconclusion",
            ),
        ),
        Role(
            ADMINISTRATOR,
            "系统管理员",
            _("管理用户、角色和定时任务；不处理业务数据"),
            grants=(
                Grant("audit", "user", ALL_ACTIONS),
                Grant("auth", "group", ALL_ACTIONS),
                Grant("django_celery_beat", "*", ALL_ACTIONS),
                Grant("axes", "*", ("view", "delete")),
                Grant("audit", "apikey", ("view", "add", "change")),
                Grant("otp_totp", "*", ("view", "delete")),
            ),
        ),
        Role(
            INSURER,
            "保险机构用户",
            _("保险机构员工：上传结算数据、答复投诉，只能看到本机构的合同数据"),
            grants=(
                Grant("claims", "*", ("view",)),
                Grant("claims", "settlementbatch", ("view", "add")),
                Grant("contracts", "contract", ("view",)),
                Grant("audit", "consent", ("view",)),
            ),
            codenames=(
                "claims.add_claimstatement",
                "claims.add_manualclaim",
                "claims.change_manualclaim",
                "claims.answer_complaint",
                "claims.answer_statementadjustment",
            ),
        ),
    )
}
ROLE_BY_GROUP_NAME = {role.name: role for role in ROLES.values()}


def role_codes_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    names = user.groups.values_list("name", flat=True)
    return {ROLE_BY_GROUP_NAME[name].code for name in names if name in ROLE_BY_GROUP_NAME}


def _matching_permissions(role: Role, permission_model, content_type_model):
    wanted = set()
    content_types = list(content_type_model.objects.all())
    for grant in role.grants:
        for ct in content_types:
            if ct.app_label == grant.app_label and fnmatch(ct.model, grant.model):
                wanted.update((ct.id, f"{action}_{ct.model}") for action in grant.actions)
    found = [
        perm.id
        for perm in permission_model.objects.only("id", "codename", "content_type_id")
        if (perm.content_type_id, perm.codename) in wanted
    ]
    for dotted in role.codenames:
        app_label, codename = dotted.split(".", 1)
        found.extend(
            permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).values_list("id", flat=True)
        )
    return found


def sync_roles(
    *, group_model, permission_model, content_type_model, exact: bool = False
) -> list[tuple[str, bool, list[str], list[str]]]:
    """Create every role's group and add the permissions it lacks (idempotent). With `exact`,
    also take away the permissions a role does not declare (an administrator's extra grants).
    Returns what changed: (group name, created, codenames added, codenames removed)."""
    changes = []
    for role in ROLES.values():
        group, created = group_model.objects.get_or_create(name=role.name)
        wanted = set(_matching_permissions(role, permission_model, content_type_model))
        held = set(group.permissions.values_list("id", flat=True))
        added, removed = wanted - held, (held - wanted) if exact else set()
        group.permissions.add(*added)
        group.permissions.remove(*removed)
        if created or added or removed:
            names = dict(
                permission_model.objects.filter(id__in=added | removed).values_list(
                    "id", "codename"
                )
            )
            changes.append(
                (
                    role.name,
                    created,
                    sorted(names[i] for i in added),
                    sorted(names[i] for i in removed),
                )
            )
    return changes


def sync_roles_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    # post_migrate fires once per app, after that app's permissions exist: sync after the last one.
    if sender.label != list(global_apps.get_app_configs())[-1].label:
        return
    sync_roles(group_model=Group, permission_model=Permission, content_type_model=ContentType)


# --- public disclosure reports (issue 11): drafted by anyone with add, checked by a reviewer,
# published by the director (a different person); everyone on the bureau side may read them.
def _extend(code: str, grants: tuple[Grant, ...] = (), codenames: tuple[str, ...] = ()) -> None:
    from dataclasses import replace

    role = ROLES[code]
    ROLES[code] = replace(
        role, grants=(*role.grants, *grants), codenames=(*role.codenames, *codenames)
    )


_extend(OPERATOR, (Grant("audit", "disclosurereport", ("view",)),))
_extend(FINANCE, (Grant("audit", "disclosurereport", ("view",)),))
_extend(
    REVIEWER,
    (Grant("audit", "disclosurereport", ("view", "add", "change")),),
    ("audit.check_disclosurereport",),
)
_extend(DIRECTOR, (Grant("audit", "disclosurereport", ("view", "add", "change")),))
ROLE_BY_GROUP_NAME = {role.name: role for role in ROLES.values()}
