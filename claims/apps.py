from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("结算与赔付监管")

    def ready(self) -> None:
        from claims import (
            scopes,  # noqa: F401  (each model's row scope, declared once)
            workflows,  # noqa: F401  (the workflows, registered with the machine)
        )

        # The register cannot import claims: it signals a cancellation, claims returns the
        # unused personal quota to the common pool (R-ENT-2,
        # claims/settlements/services/quota_pool.py).
        from claims.settlements.services.code_mappings import national_codes_after_migrate
        from claims.settlements.services.quota_pool import on_enrollment_cancelled
        from insurance.signals import enrollment_cancelled

        enrollment_cancelled.connect(on_enrollment_cancelled, dispatch_uid="claims.quota_pool")
        post_migrate.connect(
            national_codes_after_migrate, sender=self, dispatch_uid="claims.national_codes"
        )
