from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("承办机构与合同")

    def ready(self) -> None:
        from config.dashboard import TILE_PROVIDERS
        from contracts import (
            scopes,  # noqa: F401  (each model's row scope, declared once)
            workflows,  # noqa: F401  (the workflows, registered with the machine)
        )
        from contracts.dashboard import fund_tiles, reminder_tiles

        if reminder_tiles not in TILE_PROVIDERS:
            TILE_PROVIDERS.append(reminder_tiles)
        if fund_tiles not in TILE_PROVIDERS:
            TILE_PROVIDERS.append(fund_tiles)
