from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("结算与赔付监管")

    def ready(self) -> None:
        # Each model's row scope (declared once), and the workflows, registered with the machine.
        from claims import scopes  # noqa: F401
        from claims.oversight import workflows as oversight_workflows  # noqa: F401
        from claims.oversight.dashboard import PROVIDERS, latest_claims_month
        from claims.oversight.services.year_end import payout_ratio_for
        from claims.settlements.services.code_mappings import national_codes_after_migrate
        from claims.settlements.services.partitions import partitions_after_migrate
        from claims.settlements.services.quota_pool import on_enrollment_cancelled
        from claims.settlements.signals import batch_computed
        from claims.supervision import workflows as supervision_workflows  # noqa: F401
        from claims.supervision.tasks import on_batch_computed
        from config.dashboard import PERIOD_PROVIDERS, TILE_PROVIDERS
        from contracts.dashboard import payout_ratio_provide
        from insurance.signals import enrollment_cancelled

        # The dashboard's claims tiles, and its default month: the latest with settlements.
        TILE_PROVIDERS.extend(p for p in PROVIDERS if p not in TILE_PROVIDERS)
        if latest_claims_month not in PERIOD_PROVIDERS:
            PERIOD_PROVIDERS.append(latest_claims_month)
        # The contracts dashboard's fund tiles show the payout ratio, computed from claims data
        # that contracts may not import: claims hands the function over.
        payout_ratio_provide(payout_ratio_for)
        # The register cannot import claims: it signals a cancellation, claims returns the
        # unused personal quota to the common pool (R-ENT-2, settlements/services/quota_pool.py).
        enrollment_cancelled.connect(on_enrollment_cancelled, dispatch_uid="claims.quota_pool")
        # A computed batch is reconciled and screened in its own task (settlements cannot
        # import supervision: it signals).
        batch_computed.connect(on_batch_computed, dispatch_uid="claims.batch_supervise")
        post_migrate.connect(
            national_codes_after_migrate, sender=self, dispatch_uid="claims.national_codes"
        )
        post_migrate.connect(
            partitions_after_migrate, sender=self, dispatch_uid="claims.partitions"
        )
