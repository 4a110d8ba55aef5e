from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计与权限")

    def ready(self) -> None:
        from audit import (
            scopes,  # noqa: F401  (each model's row scope, declared once)
            signals,  # noqa: F401  (connects the login receivers)
        )
        from audit.api import schema  # noqa: F401  (the API-key scheme in the OpenAPI schema)
        from audit.roles import sync_roles_after_migrate
        from audit.schedules import seed_periodic_tasks_after_migrate

        # Later migrations add models; their permissions join the roles on every migrate.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="audit.sync_roles")
        # The periodic jobs declared in config/celery.py, ready for beat (audit/schedules.py).
        post_migrate.connect(seed_periodic_tasks_after_migrate, dispatch_uid="audit.schedules")
