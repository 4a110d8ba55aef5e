"""Admin registrations of the claims app: each capability's admin modules, imported here so that
Django's admin autodiscovery finds them."""

from claims.oversight.admin import disclosure, evaluation, surveys, year_end  # noqa: F401
from claims.settlements.admin import batches, code_mappings, quota_pool  # noqa: F401
from claims.supervision.admin import (  # noqa: F401
    complaints,
    fraud,
    manual_claims,
    reconciliation,
    spot_checks,
    statements,
    supervision,
)
