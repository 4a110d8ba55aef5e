from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("结算与赔付监管")

    def ready(self) -> None:
        from claims.services.code_mappings import national_codes_after_migrate

        post_migrate.connect(
            national_codes_after_migrate, sender=self, dispatch_uid="claims.national_codes"
        )
