"""django-axes' database handler with a second, per-name cap.

Axes locks a user name and an address together (`AXES_LOCKOUT_PARAMETERS`): behind the shared
proxy, invented names lock nobody else out. But an attacker rotating addresses then guesses one
account's password without limit, `AXES_FAILURE_LIMIT` tries per address. This handler also
locks a user name, from every address, once it has `MEDSUPP_LOCKOUT_USERNAME_LIMIT` failures
within the cool-off (`AXES_COOLOFF_HOURS`), counted over all addresses. It locks that one
account only (never an address, never the bureau); an administrator clears it in the admin, and
it ends with the cool-off. 0 switches the cap off.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def username_failures(username: str) -> int:
    """Failures of `username` from every address within the cool-off."""
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _name_locked(request, credentials) -> bool:
    limit = settings.MEDSUPP_LOCKOUT_USERNAME_LIMIT
    username = get_client_username(request, credentials)
    return bool(limit and username and username_failures(username) >= limit)


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or _name_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The lockout page (axes' middleware) rather than a wrong-password message, also when
        # the name's cap, not the name-and-address limit, refused it.
        if (
            request is not None
            and not request.axes_locked_out
            and _name_locked(request, credentials)
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
