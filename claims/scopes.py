"""Row scopes of the claims app, each model declared once (`audit.scoping.restrict`).

Insurer users: rows of their contracts, and where a row names an insurer (batches, statements,
adjustments, reconciliation, complaints) only their own insurer's; bureau staff: every row, and a
county clerk only rows of people in his region. The bureau's own settings and the staging table
are refused to the insurer side; the calendar and the code mapping are read by everyone.
"""

from __future__ import annotations

from django.db.models import QuerySet

from audit.scoping import Everyone, row_scope
from claims.models import (
    CalendarOverride,
    Change,
    ClaimStatement,
    CodeMapping,
    Compensation,
    CompensationAdjustment,
    Complaint,
    FollowUpAction,
    FraudFlag,
    ManualClaim,
    MonthFigure,
    QuotaPoolEntry,
    ReconciliationResult,
    SatisfactionSurvey,
    SettlementBatch,
    SettlementRecord,
    SettlementStage,
    SpotCheck,
    SpotCheckFinding,
    StatementAdjustment,
    StatementItem,
    SupervisionConfig,
)
from contracts.scopes import Both, BureauOnly, ByContract, ByInsurer, is_insurer_side
from insurance.scopes import StaffRegion


class BureauRegion(StaffRegion):
    """A county clerk: rows of people in his region. The insurer side is left to the contract
    scope it is combined with."""

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        return queryset if is_insurer_side(user) else super().__call__(queryset, user)


def _own(contract: str, insurer: str) -> Both:
    return Both(ByContract(contract), ByInsurer(insurer))


row_scope(SettlementBatch)(_own("contract", "insurer_id"))
row_scope(SettlementRecord)(Both(ByContract("contract"), BureauRegion("person__region_id")))
# the records' own scope, by the summary's contract and people's region
row_scope(MonthFigure)(Both(ByContract("contract"), BureauRegion("region_id")))
row_scope(Compensation, CompensationAdjustment)(
    Both(ByContract("record__contract"), BureauRegion("record__person__region_id"))
)
row_scope(ReconciliationResult)(
    Both(_own("contract", "insurer_id"), BureauRegion("record__person__region_id"))
)
row_scope(ClaimStatement, StatementAdjustment)(_own("contract", "insurer_id"))
row_scope(StatementItem)(_own("statement__contract", "statement__insurer_id"))
row_scope(ManualClaim, FraudFlag)(Both(ByContract("contract"), BureauRegion("person__region_id")))
row_scope(Complaint)(Both(_own("contract", "insurer_id"), BureauRegion("person__region_id")))
row_scope(SpotCheck, SatisfactionSurvey)(ByContract("contract"))
row_scope(SpotCheckFinding)(ByContract("spot_check__contract"))
row_scope(FollowUpAction)(ByContract("finding__spot_check__contract"))
row_scope(SupervisionConfig, SettlementStage)(BureauOnly())
row_scope(CalendarOverride)(Everyone())
row_scope(CodeMapping)(Everyone())  # which codes a file may carry: insurers read it too
# The common pool's entries are personal data of the register: bureau staff only, by region.
row_scope(QuotaPoolEntry)(Both(BureauOnly(), BureauRegion("person__region_id")))
row_scope(Change)(_own("contract", "insurer_id"))
