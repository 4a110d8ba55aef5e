"""A compensation's explanation, step by step, whichever way it was stored.

Bulk runs store the engine's trace; the steps are rebuilt here from trace + record + plan
version + the scheme year's reference figures, by the same engine code that computed them.
The rebuilt amounts are compared with the stored ones, so a changed reference figure can never
pass unnoticed: the explanation then says so.
"""

from __future__ import annotations

from claims.models import Compensation, SettlementRecord
from claims.services.compute import RECORD_FIELDS, scheme_year_of, settlement_of
from insurance.engine import Step, compile_plan, explain_trace, step_from_dict, trace_from_json
from insurance.models import BenefitPlan, SchemeYear


def compensation_steps(comp: Compensation) -> list[Step]:
    """Every step of `comp`'s computation, labels restored from its plan version."""
    plan = BenefitPlan.objects.filter(code=comp.plan_code, version=comp.plan_version).first()
    parsed = plan.parsed if plan is not None else None
    if comp.trace is None or plan is None:
        return [step_from_dict(s, plan=parsed) for s in comp.steps or []]
    records = SettlementRecord.objects.filter(pk=comp.record_id)
    row = records.values(*RECORD_FIELDS).get()
    scheme_id = records.values_list("contract__scheme_id", flat=True).get()
    years = list(SchemeYear.objects.filter(scheme_id=scheme_id))
    record = settlement_of(row)
    year = scheme_year_of(years, record)
    references = year.reference_figures() if year is not None else {}
    compiled = compile_plan(plan=parsed, references=references)
    rebuilt = explain_trace(plan=compiled, record=record, trace=trace_from_json(comp.trace))
    steps = list(rebuilt.steps)
    stored = {k: str(v) for k, v in (comp.lines or {}).items()}
    again = {k: str(v) for k, v in rebuilt.lines.items()}
    if rebuilt.status != "reversed" and stored != again:
        steps.insert(
            0, Step("unreproducible", "", {"rebuilt": rebuilt.total, "stored": comp.total})
        )
    return steps
