from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "insurance"
    verbose_name = _("参保与待遇")

    def ready(self) -> None:
        from audit.insured import insured_register_set
        from insurance import scopes  # noqa: F401  (each model's row scope, declared once)
        from insurance.models import Person

        insured_register_set(Person)  # audit finds a person's entries by ID number through it
