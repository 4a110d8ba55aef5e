"""`Authorization: Api-Key <prefix>.<secret>` for insurers' systems."""

import hmac

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from audit.models import ApiKey

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(f"{KEYWORD} "):
            return None
        prefix, _sep, secret = header[len(KEYWORD) + 1 :].strip().partition(".")
        key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
        if key is None or not hmac.compare_digest(key.secret_hash, ApiKey.hash_secret(secret)):
            raise exceptions.AuthenticationFailed(_("接口密钥无效。"))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("接口密钥已被吊销。"))
        if key.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("接口密钥已过期，请向医保部门申请新密钥。"))
        if not key.user.is_active:
            raise exceptions.AuthenticationFailed(_("密钥所属用户已停用。"))
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key.user, key

    def authenticate_header(self, request):
        return KEYWORD


class HasApiScope(permissions.BasePermission):
    """Views name `required_scopes`; a key must carry all of them. Session users pass on roles."""

    message = _("接口密钥没有此操作的权限范围。")

    def has_permission(self, request, view):
        required = set(getattr(view, "required_scopes", ()))
        if not isinstance(request.auth, ApiKey):
            return True
        return required <= set(request.auth.scopes)
