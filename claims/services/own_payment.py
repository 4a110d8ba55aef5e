"""Which settlement field carries a scheme's own payment: the plan declares it.

A plan's `own_payment_field` (docs/plans.md) is the one source: the engine adds it back to the
burden bases (R-ORD-6), and reconciliation and the monthly statements read it as what the insurer
paid. A settlement's field is the one of the plan version its compensation was computed with; a
settlement not computed with a plan (none yet, or its year had none) reads the field of the
scheme's current plan (the latest scheme year that has one). Expressed in SQL, one CASE over the
few plan versions there are, so the reads stay set-based.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Case, CharField, DecimalField, F, Q, Value, When
from django.db.models.expressions import Expression

from insurance.models import BenefitPlan, SchemeYear

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def plan_fields() -> dict[tuple[str, int], str]:
    """(plan code, version) -> its own-payment field, for every stored plan version."""
    return {
        (plan.code, plan.version): plan.own_payment_field
        for plan in BenefitPlan.objects.only("code", "version", "document")
    }


def scheme_field(scheme_id: int) -> str | None:
    """The field of the scheme's current plan: its latest year that has one."""
    year = (
        SchemeYear.objects.filter(scheme_id=scheme_id, plan__isnull=False)
        .select_related("plan")
        .order_by("-year")
        .first()
    )
    return year.plan.own_payment_field if year is not None else None


def own_payment(scheme_id: int, *, prefix: str = "") -> tuple[Expression, Expression]:
    """(amount, field name) of the scheme's own payment on a settlement record, as SQL
    expressions; `prefix` leads from the queried model to the record ("record__"). Both are
    NULL where no plan says which field it is."""
    by_field: dict[str, Q] = defaultdict(Q)
    for (code, version), field in plan_fields().items():
        by_field[field] |= Q(
            **{f"{prefix}compensation__plan_code": code,
               f"{prefix}compensation__plan_version": version}
        )  # fmt: skip
    fallback = scheme_field(scheme_id)
    amount = Case(
        *(When(condition, then=F(f"{prefix}{field}")) for field, condition in by_field.items()),
        default=F(f"{prefix}{fallback}") if fallback else Value(None),
        output_field=_MONEY,
    )
    name = Case(
        *(When(condition, then=Value(field)) for field, condition in by_field.items()),
        default=Value(fallback),
        output_field=CharField(),
    )
    return amount, name
