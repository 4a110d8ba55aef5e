"""Third-party apps under Chinese names: their own AppConfigs give "Axes" and "Otp_Totp", and
django-otp's device model has an untranslated verbose name ("TOTP device")."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as BaseTOTPConfig


class AxesConfig(BaseAxesConfig):
    verbose_name = _("登录保护")


class TOTPConfig(BaseTOTPConfig):
    verbose_name = _("双因素认证")

    def ready(self):
        super().ready()
        # Only the displayed names: migrations read the model's declared options, not these.
        meta = self.get_model("TOTPDevice")._meta
        meta.verbose_name = _("动态口令设备")
        meta.verbose_name_plural = _("动态口令设备")
