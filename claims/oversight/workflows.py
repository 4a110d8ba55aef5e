"""The oversight's workflows, as data, run by the one machine (`audit.workflow.perform_move`) and
registered when the app is ready (`claims.apps`). Their models live in lower apps; their guards
read claims data, so they are declared here.

evaluations    the annual evaluation (contracts.Evaluation): submitted, returned, approved
disclosure     the public report (audit.DisclosureReport): checked, returned, published (R-SUP-4)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.choices import AuditAction
from audit.choices import DisclosureStatus as R
from audit.workflow import Maker, Move, Workflow, register
from claims.oversight.services import disclosure, evaluation
from claims.permissions import CHECK_DISCLOSURE, PUBLISH_DISCLOSURE
from contracts.choices import EvaluationStatus as E
from contracts.permissions import APPROVE_EVALUATION, SCORE_EVALUATION

# --- the annual evaluation ----------------------------------------------------------------------

EVALUATION = Workflow(
    "contracts.Evaluation",
    moves=(
        Move(
            "submit", _("提交审批"), {E.DRAFT}, E.SCORED, SCORE_EVALUATION,
            guard=evaluation.guard_submit, warn=evaluation.evaluation_warnings,
        ),
        Move(
            "return", _("退回重新评分"), {E.SCORED}, E.DRAFT, APPROVE_EVALUATION,
            needs_reason=True, guard=evaluation.guard_total,
        ),
        Move(
            "approve", _("审批通过"), {E.SCORED}, E.APPROVED, APPROVE_EVALUATION,
            makers=(
                Maker(_("起草人"), "drafted_by"),
                Maker(_("参与评分的人"), ids=evaluation.scorer_ids),
                Maker(_("提交人"), ids=evaluation.submitter_ids),
            ),
            stamp="approved", guard=evaluation.guard_approve, then=evaluation.after_approval,
            action=AuditAction.APPROVE, warn=evaluation.evaluation_warnings,
        ),
    ),
    audit_fields=("status", "total_score", "passed", "renewal_recommendation"),
)  # fmt: skip

# --- public disclosure reports ----------------------------------------------------------------

DISCLOSURE = Workflow(
    "audit.DisclosureReport",
    moves=(
        Move(
            "check", _("复核通过"), {R.DRAFT}, R.CHECKED, CHECK_DISCLOSURE,
            makers=(Maker(_("起草人"), "drafted_by"),), stamp="checked",
        ),
        Move("return", _("退回修改"), {R.CHECKED}, R.DRAFT, CHECK_DISCLOSURE, clear="checked"),
        Move(
            "publish", _("发布"), {R.CHECKED}, R.PUBLISHED, PUBLISH_DISCLOSURE,
            makers=(Maker(_("复核人"), "checked_by"),), stamp="published",
            guard=disclosure.guard_publish, action=AuditAction.PUBLISH,
            warn=disclosure.disclosure_warnings,
        ),
    ),
    audit_fields=("status", "version", "content_sha256"),
)  # fmt: skip

register(EVALUATION, DISCLOSURE)
