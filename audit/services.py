"""Writes of the audit app: accounts and roles."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.db import transaction

from audit.models import User
from audit.roles import ROLES


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
