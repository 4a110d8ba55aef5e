"""Admin registrations of the claims app, one module per area."""

from claims.admin import batches  # noqa: F401
