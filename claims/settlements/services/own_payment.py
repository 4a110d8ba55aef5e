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

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast

from insurance.engine import OWN_PAYMENT_FIELDS
from insurance.fields import MoneyField
from insurance.models import BenefitPlan, SchemeYear

_MONEY = MoneyField()


def plan_fields() -> dict[tuple[str, int], str]:
    """(plan code, version) -> its own-payment field, for every stored plan version. Read as
    the document's key, not by parsing it: a stored version that a later release's checks
    would refuse still says where its money is."""
    rows = BenefitPlan.objects.values_list("code", "version", "document")
    return {
        (code, version): document["own_payment_field"]
        for code, version, document in rows
        if isinstance(document, dict) and document.get("own_payment_field") in OWN_PAYMENT_FIELDS
    }


def scheme_field(scheme_id: int, fields: dict[tuple[str, int], str]) -> str | None:
    """The field of the scheme's current plan: its latest year that has one."""
    current = (
        SchemeYear.objects.filter(scheme_id=scheme_id, plan__isnull=False)
        .order_by("-year")
        .values_list("plan__code", "plan__version")
        .first()
    )
    return fields.get(current) if current is not None else None


def own_payment(scheme_id: int) -> tuple[Expression, Expression]:
    """(amount, field name) of the scheme's own payment on a settlement record, as SQL
    expressions over `SettlementRecord`. Both are NULL where no plan says which field it is."""
    fields = plan_fields()
    by_field: dict[str, Q] = defaultdict(Q)
    for (code, version), field in fields.items():
        by_field[field] |= Q(compensation__plan_code=code, compensation__plan_version=version)
    fallback = scheme_field(scheme_id, fields)
    amount = Case(
        *(When(condition, then=F(field)) for field, condition in by_field.items()),
        # Cast: with no plan at all the CASE has no branch and is only its default, and an
        # untyped NULL makes PostgreSQL refuse SUM(NULL) ("function sum(unknown) is not unique").
        default=F(fallback) if fallback else Cast(Value(None), output_field=_MONEY),
        output_field=_MONEY,
    )
    name = Case(
        *(When(condition, then=Value(field)) for field, condition in by_field.items()),
        default=Value(fallback),
        output_field=CharField(),
    )
    return amount, name
