"""Admin registrations of the claims app, one module per area."""

from claims.admin import batches, code_mappings  # noqa: F401

# isort: split
from claims.admin import fraud, manual_claims, reconciliation, statements, supervision  # noqa: F401

# isort: split
from claims.admin import quota_pool  # noqa: F401

# isort: split
from claims.admin import consents  # noqa: F401

# isort: split
from claims.admin import complaints, spot_checks, surveys  # noqa: F401

# isort: split
from claims.admin import disclosure  # noqa: F401
