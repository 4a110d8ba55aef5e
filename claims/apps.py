from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("结算与赔付监管")

    def ready(self) -> None:
        from claims import scopes  # noqa: F401  (each model's row scope, declared once)
