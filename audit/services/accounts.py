"""Writes of the audit app: accounts, roles and API keys."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit import events
from audit.choices import ApiScope, AuditAction
from audit.models import ApiKey, User
from audit.roles import ROLES
from audit.security import may_receive_key_from


def _new_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_ensure(
    *, username: str, role_code: str | None = None, superuser: bool = False, password: str = ""
) -> tuple[User, str | None]:
    """Create the account if it is missing; return it and the password only when it was created."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, None
    password = password or _new_password()
    user = User(username=username, is_staff=True, is_superuser=superuser)
    user.set_password(password)
    user.save()
    if role_code:
        user.groups.add(Group.objects.get(name=ROLES[role_code].name))
    return user, password


@transaction.atomic
def api_key_create(
    *, user: User, name: str, scopes: list[str], days_valid: int = 365, actor=None
) -> tuple[ApiKey, str]:
    """Make a key; return it and the plain `prefix.secret`, which is never stored or shown again."""
    if actor is not None and not may_receive_key_from(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("不能为该账户创建接口密钥 / may not make a key for this account")
    unknown = set(scopes) - set(ApiScope.values)
    if unknown:
        raise ValueError(f"未知的权限范围 / unknown scopes: {sorted(unknown)}")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=ApiKey.hash_secret(secret),
        scopes=sorted(scopes),
        expires_at=timezone.now() + timedelta(days=days_valid),
    )
    events.change(
        actor=actor,
        obj=key,
        action=AuditAction.CREATE,
        after={
            "user": user.get_username(),
            "scopes": key.scopes,
            "expires_at": str(key.expires_at),
        },
        summary="创建接口密钥",
    )
    return key, f"{prefix}.{secret}"


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor, reason: str = "") -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        events.change(
            actor=actor,
            obj=key,
            action=AuditAction.UPDATE,
            before={"revoked_at": None},
            after={"revoked_at": str(key.revoked_at)},
            summary="吊销接口密钥",
            reason=reason,
        )
    return key
