"""Admin of the insurance register, one module per area.

Every queryset goes through `audit.scoping.restrict`; writes go through the services; personal
data is masked, revealed only with a stated reason."""

from insurance.admin import enrollment, people, plans, records, registry  # noqa: F401
