"""Admin registrations of the claims app, one module per area."""

from claims.settlements.admin import (
    batches,  # noqa: F401
    code_mappings,  # noqa: F401
)

# isort: split
from claims.supervision.admin import (
    fraud,  # noqa: F401
    manual_claims,  # noqa: F401
    reconciliation,  # noqa: F401
    statements,  # noqa: F401
    supervision,  # noqa: F401
)

# isort: split
from claims.settlements.admin import quota_pool  # noqa: F401

# isort: split
from claims.admin import consents  # noqa: F401

# isort: split
from claims.oversight.admin import surveys  # noqa: F401
from claims.supervision.admin import (
    complaints,  # noqa: F401
    spot_checks,  # noqa: F401
)

# isort: split
from claims.oversight.admin import disclosure  # noqa: F401
