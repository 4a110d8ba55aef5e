"""A compensation's explanation, step by step, whichever way it was stored.

Bulk runs store the engine's trace; the steps are rebuilt here from trace + record + plan
version + the reference figures the batch was computed with, by the same engine code that
computed them. The rebuilt amounts are compared with the stored ones: should they ever differ
(a plan row edited in the database, figures of a batch computed before they were recorded),
the explanation opens with a warning and the stored amount stands.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.utils.translation import gettext as _

from claims.settlements.models import Compensation, SettlementBatch, SettlementRecord
from claims.settlements.services.compute import RECORD_FIELDS, scheme_year_of, settlement_of
from insurance.engine import (
    EngineError,
    PlanError,
    Step,
    compile_plan,
    explain_trace,
    step_from_dict,
    trace_from_json,
)
from insurance.models import BenefitPlan, SchemeYear

logger = logging.getLogger(__name__)


def plan_lines_in_words(comp: Compensation) -> tuple[str, list[tuple[str, Decimal]]]:
    """The plan by its name and version, and each line's amount by the line's name (the ids
    "over-max", "burden" are the plan file's, not the reader's)."""
    plan = BenefitPlan.objects.filter(code=comp.plan_code, version=comp.plan_version).first()
    if plan is None:
        return comp.plan_code or "-", list((comp.lines or {}).items())
    names = {line.id: line.name for line in plan.parsed.lines}
    title = _("%(name)s（第%(version)s版）") % {"name": plan.name, "version": plan.version}
    return title, [(names.get(line, line), amount) for line, amount in (comp.lines or {}).items()]


def compensation_steps(comp: Compensation) -> list[Step]:
    """Every step of `comp`'s computation, labels restored from its plan version."""
    plan = BenefitPlan.objects.filter(code=comp.plan_code, version=comp.plan_version).first()
    parsed = plan.parsed if plan is not None else None
    if comp.trace is None or plan is None:
        return [step_from_dict(s, plan=parsed) for s in comp.steps or []]
    try:
        rebuilt = _rebuild(comp, parsed)
    except (EngineError, PlanError, SchemeYear.DoesNotExist) as exc:
        logger.warning("compensation %s: explanation not rebuilt: %s", comp.pk, exc)
        return [Step("unreproducible", "", {"rebuilt": "-", "stored": comp.total})]
    steps = list(rebuilt.steps)
    stored = {k: str(v) for k, v in (comp.lines or {}).items()}
    again = {k: str(v) for k, v in rebuilt.lines.items()}
    if stored != again:
        steps.insert(
            0, Step("unreproducible", "", {"rebuilt": rebuilt.total, "stored": comp.total})
        )
    return steps


def _rebuild(comp: Compensation, parsed):
    row = (
        SettlementRecord.objects.filter(pk=comp.record_id)
        .values(*RECORD_FIELDS, "contract__scheme_id")
        .get()
    )
    scheme_id = row.pop("contract__scheme_id")
    record = settlement_of(row)
    year = scheme_year_of(list(SchemeYear.objects.filter(scheme_id=scheme_id)), record)
    if year is None:
        raise SchemeYear.DoesNotExist("no scheme year holds the day of treatment")
    used = (
        SettlementBatch.objects.filter(pk=comp.batch_id)
        .values_list("compute_references", flat=True)
        .first()
        or {}
    )
    figures = used.get(str(year.pk))
    references = (
        {k: Decimal(v) for k, v in figures.items()} if figures is not None
        else year.reference_figures()
    )  # fmt: skip
    compiled = compile_plan(plan=parsed, references=references)
    return explain_trace(plan=compiled, record=record, trace=trace_from_json(comp.trace))
