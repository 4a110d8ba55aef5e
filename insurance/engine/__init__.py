"""The benefit engine: pure Python, standard library only (no Django, nothing of ours).

    plan = parse_plan(document)                      # or validate_plan(document) -> [PlanIssue]
    result = compute_person(plan=plan, person=facts, settlements=records,
                            references={"disposable_income_urban": Decimal("30594")},
                            already_paid={"S1": {"line-a": Decimal("12.00")}})
    for r in result.settlements: r.lines, r.total, r.steps, r.text("zh")
    result.adjustments                               # on settlements already paid

See docs/plans.md for the plan format and the rules of computation.
"""

from .compiled import CompiledPlan, compile_plan
from .compute import compute_many, compute_person, explain_trace
from .explain import Step, explain_text, step_from_dict, step_text, step_to_dict, steps_json
from .facts import (
    AMOUNT_FIELDS,
    NET_OF_FUNDS_FIELDS,
    Enrolment,
    PersonFacts,
    Settlement,
    SpecialStatus,
    StatusPeriod,
    benefits_start,
)
from .money import CENT, ZERO, MoneyError, quantize, split_exact, to_money
from .plan import OWN_PAYMENT_FIELDS, WAITING_FROM, Eligibility, Plan, PlanError, PlanIssue
from .planparse import parse_plan, validate_plan
from .render import render_eligibility, render_plan
from .results import Adjustment, EngineError, PersonResult, SettlementResult
from .trace import Trace, trace_from_json, trace_json

__all__ = [
    "AMOUNT_FIELDS",
    "CENT",
    "NET_OF_FUNDS_FIELDS",
    "OWN_PAYMENT_FIELDS",
    "WAITING_FROM",
    "ZERO",
    "Adjustment",
    "CompiledPlan",
    "Eligibility",
    "EngineError",
    "Enrolment",
    "MoneyError",
    "PersonFacts",
    "PersonResult",
    "Plan",
    "PlanError",
    "PlanIssue",
    "Settlement",
    "SettlementResult",
    "SpecialStatus",
    "StatusPeriod",
    "Step",
    "Trace",
    "benefits_start",
    "compile_plan",
    "compute_many",
    "compute_person",
    "explain_text",
    "explain_trace",
    "parse_plan",
    "quantize",
    "render_eligibility",
    "render_plan",
    "split_exact",
    "step_from_dict",
    "step_text",
    "step_to_dict",
    "steps_json",
    "to_money",
    "trace_from_json",
    "trace_json",
    "validate_plan",
]
