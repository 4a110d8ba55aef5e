"""The site's 403 pages: Chinese, in the admin's own style for signed-in staff, for a
PermissionDenied raised anywhere (`handler403`; a door's refusal renders the same template itself)
and for a form sent from a stale page (`CSRF_FAILURE_VIEW`).

Refusals are not written to the audit log: the log records what was done and seen, and a refused
request did neither (docs/security.md).
"""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def default_message() -> str:
    return _("您没有此操作的权限。如需办理，请联系系统管理员分配相应角色。")


def permission_denied(request, exception=None):
    message = str(exception) if exception is not None and str(exception) else default_message()
    return _refusal_page(request, _("没有权限"), message)


def csrf_failure(request, reason=""):
    """A form whose security token no longer matches (a page left open past sign-out, another
    tab signed in again): nothing was done; reload and send again."""
    message = _("页面已过期或无法确认来源，本次提交未执行。请刷新页面后重新提交。")
    return _refusal_page(request, _("提交未执行"), message)


def _refusal_page(request, title, message):
    context = {"title": title, "message": message}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        context = {**admin.site.each_context(request), **context}
        template = "admin/medsupp_refused.html"
    else:
        template = "medsupp_403.html"
    return TemplateResponse(request, template, context, status=403).render()
