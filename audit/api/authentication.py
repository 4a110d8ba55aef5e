"""`Authorization: Api-Key <prefix>.<secret>` for insurers' systems."""

import hmac

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from audit.models import ApiKey
from audit.scoping import has_model_permission

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


class HasModelPermission(permissions.BasePermission):
    """The model permission for the request's method (GET: view, POST: add, PUT/PATCH: change,
    DELETE: delete) on the view's `permission_model`; rows are then reached through `restrict`.
    A workflow move (answer a complaint) names the move's permission instead, as
    `move_permission = "app_label.codename"`; the move itself checks it again with its rule.
    A view names its model or declares `open_to_any_key = True` (who am I); a view that does
    neither is refused to everyone, so a new view cannot be open by omission."""

    ACTIONS = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
               "PATCH": "change", "DELETE": "delete"}  # fmt: skip
    message = _("您没有此操作的权限。")

    def has_permission(self, request, view):
        if getattr(view, "open_to_any_key", False):
            return True
        if request.method.lower() not in view.http_method_names or not hasattr(
            view, request.method.lower()
        ):
            return True  # no such operation: DRF answers 405, not a refused permission
        model = getattr(view, "permission_model", None)
        action = self.ACTIONS.get(request.method)
        move_permission = getattr(view, "move_permission", None)
        if move_permission and request.method == "POST":
            return model is not None and request.user.has_perm(move_permission)
        return (
            model is not None
            and action is not None
            and (has_model_permission(request.user, model, action))
        )


class HasApiScope(permissions.BasePermission):
    """Views name `required_scopes`; a key must carry all of them. Session users pass on roles."""

    message = _("接口密钥没有此操作的权限范围。")

    def has_permission(self, request, view):
        required = set(getattr(view, "required_scopes", ()))
        if not isinstance(request.auth, ApiKey):
            return True
        return required <= set(request.auth.scopes)
