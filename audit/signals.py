"""Logins, logouts and failed logins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit import events
from audit.choices import AuditAction


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    events.record(action=AuditAction.LOGIN, actor=user, ip=events.client_ip(request))


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        events.record(action=AuditAction.LOGOUT, actor=user, ip=events.client_ip(request))


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the username is kept: never the password that was tried.
    events.record(
        action=AuditAction.LOGIN_FAILED,
        summary=str(credentials.get("username", ""))[:150],
        extra={"username": str(credentials.get("username", ""))[:150]},
        ip=events.client_ip(request),
    )
