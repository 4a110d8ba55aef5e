"""Accounts, roles, API keys, the audit log and authenticators in the admin."""

import secrets

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.forms import UserChangeForm, UserCreationForm

from audit import events
from audit.admin.changes import changes_html
from audit.admin.doors import ACTION_LABELS, RestrictedAdminMixin
from audit.admin.forms import UnfoldFormMixin
from audit.choices import ApiScope, AuditAction
from audit.insured import insured_register
from audit.models import ApiKey, AuditEntry, User
from audit.roles import ADMINISTRATOR, ROLES
from audit.security import may_manage_privileges_of, may_receive_key_from, two_factor_required
from audit.services import api_key_create, api_key_revoke

admin.site.unregister(Group)

_PRIVILEGE_FIELDS = ("is_superuser", "user_permissions")


def _user_privileges(user) -> dict:
    if user is None or user.pk is None:
        return {}
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{p.content_type.app_label}.{p.codename}"
            for p in user.user_permissions.select_related("content_type")
        ),
    }


class PrivilegeAuditMixin:
    """One audit entry per save or delete of an account, a role or an authenticator, with the
    privileges before and after (many-to-many fields are saved after the object: `save_related`)."""

    def privileges(self, obj) -> dict:
        raise NotImplementedError

    def _stored_privileges(self, obj):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        return self.privileges(stored) if stored is not None else {}

    def save_model(self, request, obj, form, change):
        request.medsupp_privileges_before = self._stored_privileges(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "medsupp_privileges_before", {})
        after = self.privileges(obj)
        changed = [k for k in after if before.get(k) != after[k]]
        if changed:
            events.change(
                actor=request.user,
                obj=obj,
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                before={k: before.get(k) for k in changed},
                after={k: after[k] for k in changed},
                summary=f"权限变更：{obj._meta.verbose_name} {obj}"[:500],
                request=request,
            )

    def delete_model(self, request, obj):
        events.change(
            actor=request.user,
            obj=obj,
            action=AuditAction.DELETE,
            before=self.privileges(obj),
            summary=f"权限变更（删除）：{obj._meta.verbose_name} {obj}"[:500],
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def permission_choice_label(permission) -> str:
    """A permission in the selection widget: 审计与权限 | 新增「接口密钥」, not Django's stored
    English "Can add 接口密钥" (permission names are written once, untranslated)."""
    content_type = permission.content_type
    action, _sep, _model = permission.codename.partition("_")
    model = content_type.model_class()
    app = apps.get_app_config(content_type.app_label).verbose_name
    if action in ACTION_LABELS:
        # a model gone from the code keeps its permissions: name it as Django stored it
        name = model._meta.verbose_name if model else permission.name.removeprefix(f"Can {action} ")
        return f"{app} | {ACTION_LABELS[action]}「{name}」"
    return f"{app} | {permission.name}"


class PermissionLabelsMixin:
    """The permission widgets of users and groups list permissions in Chinese."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_choice_label
        return field


@admin.register(User)
class UserAdmin(
    PermissionLabelsMixin, PrivilegeAuditMixin, RestrictedAdminMixin, BaseUserAdmin, ModelAdmin
):
    """Privileges (superuser status, direct permissions) are a superuser's to give; an account
    manager gives roles to others, never to himself, never the administrator role, and does not
    touch a superuser's or another administrator's account. Every change is audited."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "groups")

    def privileges(self, obj) -> dict:
        return _user_privileges(obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage_privileges_of(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage_privileges_of(request.user, obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [*_PRIVILEGE_FIELDS, *(("groups",) if obj == request.user else ())]
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(name=ROLES[ADMINISTRATOR].name)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        """A password set by someone else takes the account over: a non-superuser sets none for
        an account that signs in with a second factor (whose owner might not have enrolled his
        device yet, so the new password alone would let the setter enrol one)."""
        target = self.get_object(request, unquote(id))
        if target is not None and not request.user.is_superuser and two_factor_required(target):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def delete_queryset(self, request, queryset):
        # "Delete selected" asks for the model permission only: each account is checked here.
        if any(not may_manage_privileges_of(request.user, user) for user in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def get_urls(self):
        # Django's own password page, behind the same door as every custom admin view.
        urls = [u for u in super().get_urls() if u.name != "auth_user_password_change"]
        door = self.door(self.user_change_password, "change")
        return [path("<id>/password/", door, name="auth_user_password_change"), *urls]


@admin.register(Group)
class GroupAdmin(
    PermissionLabelsMixin, PrivilegeAuditMixin, RestrictedAdminMixin, BaseGroupAdmin, ModelAdmin
):
    """A role's permissions are a superuser's to change (and `audit/roles.py` re-adds what a
    role is granted after every migrate); others read them."""

    def privileges(self, obj) -> dict:
        return {
            "name": obj.name,
            "permissions": sorted(
                f"{p.content_type.app_label}.{p.codename}"
                for p in obj.permissions.select_related("content_type")
            ),
        }

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


AUDIT_FOUND_PARAM = "found"
AUDIT_FOUND_SESSION_KEY = "medsupp_audit_found"


class AuditFindForm(forms.Form):
    certno = forms.CharField(label=_("身份证号"), max_length=18, min_length=15)


@admin.register(AuditEntry)
class AuditEntryAdmin(RestrictedAdminMixin, ModelAdmin):
    """Read-only for everyone, superusers included: the log is evidence, not data to edit.

    The entries about one insured person are found by his ID number without the number in any
    URL: the small form above the list POSTs it to `find/`, which keeps the matching person
    ids in the session under a random token and redirects to `?found=<token>`."""

    finds_by_id_number = True
    list_before_template = "insurance/admin/find_by_certno.html"

    list_display = ("id", "at", "actor_name", "action", "object_type", "object_repr", "summary")
    list_filter = ("action", ("at", RangeDateTimeFilter), "object_type")
    list_filter_submit = True
    search_fields = ("=actor_name", "=object_id", "=object_type")
    search_help_text = _("按操作人用户名、对象ID或对象类型精确查找")
    date_hierarchy = None
    show_full_result_count = False
    readonly_fields = [
        "changes_table" if f.name == "changes" else f.name for f in AuditEntry._meta.fields
    ]
    exclude = ("changes",)  # shown in words by changes_table
    ordering = ("-id",)

    @admin.display(description=_("变更（前/后）"))
    def changes_table(self, obj):
        return changes_html(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        find = path("find/", self.door(self.find_view), name="audit_auditentry_find")
        return [find, *super().get_urls()]

    def find_view(self, request):
        from audit.crypto import blind_index, normalise_identifier

        changelist = reverse("admin:audit_auditentry_changelist")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = AuditFindForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请输入 18 位身份证号。"))
            return HttpResponseRedirect(changelist)
        person = insured_register()
        bidx = blind_index(normalise_identifier(form.cleaned_data["certno"]))
        ids = [
            str(pk) for pk in person.objects.filter(certno_bidx=bidx).values_list("pk", flat=True)
        ]
        token = secrets.token_urlsafe(12)
        found = dict(list(request.session.get(AUDIT_FOUND_SESSION_KEY, {}).items())[-19:])
        found[token] = ids
        request.session[AUDIT_FOUND_SESSION_KEY] = found
        return HttpResponseRedirect(f"{changelist}?{AUDIT_FOUND_PARAM}={token}")

    def changelist_view(self, request, extra_context=None):
        token = request.GET.get(AUDIT_FOUND_PARAM)
        if token is not None:
            request.GET = request.GET.copy()
            del request.GET[AUDIT_FOUND_PARAM]  # not a field lookup: the admin would refuse it
            found = request.session.get(AUDIT_FOUND_SESSION_KEY, {})
            request.medsupp_found_ids = found.get(token, [])
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = getattr(request, "medsupp_found_ids", None)
        if ids is not None:
            label = insured_register()._meta.label_lower
            queryset = queryset.filter(object_type=label, object_id__in=ids)
        return queryset


class ApiKeyCreateForm(UnfoldFormMixin, forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    days_valid = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=730, initial=365)

    class Meta:
        model = ApiKey
        fields = ("user", "name")


@admin.register(ApiKey)
class ApiKeyAdmin(RestrictedAdminMixin, ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "scopes",
        "expires_at",
        "status_label",
        "last_used_at",
    )
    list_filter = (("expires_at", RangeDateTimeFilter),)
    list_select_related = ("user",)
    search_fields = ("=prefix", "user__username")
    raw_id_fields = ("user",)
    actions = ["revoke_keys"]
    readonly_fields = (
        "user",
        "prefix",
        "scopes",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_at",
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # A key acts as its user: none for oneself or for an account one may not manage.
            kwargs["queryset"] = may_receive_key_from(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "scopes", "days_valid")
        return ("name", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, plain = api_key_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            days_valid=form.cleaned_data["days_valid"],
            actor=request.user,
        )
        obj.pk = key.pk
        messages.warning(
            request,
            _("接口密钥（只显示这一次，请立即复制并安全交付）：%(key)s") % {"key": plain},
        )

    @admin.action(description=_("吊销所选密钥"), permissions=["change"])
    def revoke_keys(self, request, queryset):
        for key in queryset:
            api_key_revoke(key=key, actor=request.user, reason="admin action")
        messages.success(request, _("已吊销 %(n)d 个密钥。") % {"n": queryset.count()})


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(PrivilegeAuditMixin, RestrictedAdminMixin, BaseTOTPDeviceAdmin):
    """django-otp's device admin behind the same doors, without the secret: no key field, no
    QR code page (each user enrols his own device at /account/2fa/). Removing a device lets its
    owner's password alone enrol a new one, so only a superuser does it, audited."""

    # django-otp's fields have no translatable names ("Last used at"): the columns name them
    list_display = ["device_user", "device_name", "device_created", "device_used", "device_ready"]
    readonly_fields = [
        "device_user",
        "device_name",
        "device_ready",
        "device_created",
        "device_used",
    ]

    @admin.display(description=_("用户"), ordering="user__username")
    def device_user(self, obj):
        return obj.user

    @admin.display(description=_("设备名称"), ordering="name")
    def device_name(self, obj):
        return obj.name

    @admin.display(description=_("创建时间"), ordering="created_at")
    def device_created(self, obj):
        return obj.created_at

    @admin.display(description=_("最近使用时间"), ordering="last_used_at")
    def device_used(self, obj):
        return obj.last_used_at

    @admin.display(description=_("已启用"), boolean=True, ordering="confirmed")
    def device_ready(self, obj):
        return obj.confirmed

    def privileges(self, obj) -> dict:
        return {"user": obj.user.get_username(), "name": obj.name, "confirmed": obj.confirmed}

    def get_list_display(self, request):
        return self.list_display

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.readonly_fields})]

    def get_urls(self):
        secret_pages = {"otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"}
        return [url for url in super().get_urls() if url.name not in secret_pages]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
