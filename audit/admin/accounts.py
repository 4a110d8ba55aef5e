"""Accounts, roles, API keys, the audit log and authenticators in the admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.forms import UserChangeForm, UserCreationForm

from audit.admin.doors import RestrictedAdminMixin
from audit.choices import ApiScope
from audit.models import ApiKey, AuditEntry, User
from audit.services import api_key_create, api_key_revoke

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(RestrictedAdminMixin, BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "groups")

    def get_urls(self):
        # Django's own password page, behind the same door as every custom admin view.
        urls = [u for u in super().get_urls() if u.name != "auth_user_password_change"]
        door = self.door(self.user_change_password, "change")
        return [path("<id>/password/", door, name="auth_user_password_change"), *urls]


@admin.register(Group)
class GroupAdmin(RestrictedAdminMixin, BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(AuditEntry)
class AuditEntryAdmin(RestrictedAdminMixin, ModelAdmin):
    """Read-only for everyone, superusers included: the log is evidence, not data to edit."""

    list_display = ("id", "at", "actor_name", "action", "object_type", "object_repr", "summary")
    list_filter = ("action", ("at", RangeDateTimeFilter), "object_type")
    list_filter_submit = True
    search_fields = ("=actor_name", "=object_id", "=object_type")
    search_help_text = _("按操作人用户名、对象ID或对象类型精确查找")
    date_hierarchy = None
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    ordering = ("-id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyCreateForm(forms.ModelForm):
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
class TOTPDeviceAdmin(RestrictedAdminMixin, BaseTOTPDeviceAdmin):
    """django-otp's device admin (its QR code page shows the secret) behind the same doors."""
