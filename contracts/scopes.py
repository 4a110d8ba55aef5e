"""Row scopes of the contracts app, each model declared once (`audit.scoping.restrict`).

An insurer user (linked by `InsurerUser`) sees only contracts where his insurer is the lead or a
member, and what hangs off them; an insurer-role user without a link sees nothing; bureau staff
see everything (contracts are city-wide, no region scoping). Bureau reference data (the reserve
release table, the evaluation catalogue) is refused to the insurer side.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audit.models import Consent
from audit.roles import INSURER
from audit.scoping import row_scope
from contracts.choices import EvaluationStatus
from contracts.models import (
    AdministrativePenalty,
    Bid,
    BidCheck,
    BondDeduction,
    Contract,
    ContractDocument,
    ContractMember,
    Debarment,
    EligibilityCriterion,
    Evaluation,
    EvaluationIndicator,
    EvaluationScore,
    FundingCalculation,
    Insurer,
    InsurerBranch,
    InsurerContact,
    InsurerStaff,
    InsurerUser,
    LedgerEntry,
    PaymentPart,
    PerformanceBond,
    Reminder,
    ReserveRelease,
    ReserveReleaseBand,
    SettlementLine,
    StaffAssignment,
    StaffingCommitment,
    Tender,
    Transfer,
    YearEndSettlement,
)

BUREAU = object()  # the insurer scope of bureau staff: every insurer


def insurer_of(user):
    """The insurer the user works for, or None (bureau staff, anonymous, unlinked)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_contracts_insurer", False)
    if cached is not False:
        return cached
    link = InsurerUser.objects.select_related("insurer").filter(user_id=user.pk).first()
    user._contracts_insurer = link.insurer if link else None
    return user._contracts_insurer


def insurer_scope(user):
    """`BUREAU` for bureau staff, an insurer for an insurer user, None for nobody."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    insurer = insurer_of(user)
    if insurer is not None:
        return insurer
    if user.is_superuser:
        return BUREAU
    if INSURER in user.role_codes:
        return None  # an insurer user not yet linked to his insurer sees nothing
    return BUREAU


def is_insurer_side(user) -> bool:
    """A user working for an insurer: linked to one, or holding the insurer role (unlinked)."""
    return insurer_of(user) is not None or INSURER in getattr(user, "role_codes", ())


def contracts_of(insurer) -> QuerySet:
    """Ids of the contracts an insurer leads or is a member of."""
    return Contract.objects.filter(Q(lead_insurer=insurer) | Q(members__insurer=insurer)).values(
        "id"
    )


class InsurerSide:
    """Bureau staff: every row. An insurer user: `for_insurer`. Nobody else: no row."""

    dimension = "insurer"

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        scope = insurer_scope(user)
        if scope is BUREAU:
            return queryset
        if scope is None:
            return queryset.none()
        return self.for_insurer(queryset, scope)

    def for_insurer(self, queryset: QuerySet, insurer) -> QuerySet:
        raise NotImplementedError


class ByContract(InsurerSide):
    """An insurer user: rows of his insurer's contracts (through `path`)."""

    def __init__(self, path: str = "contract"):
        self.path = path

    def for_insurer(self, queryset: QuerySet, insurer) -> QuerySet:
        return queryset.filter(**{f"{self.path}__in": contracts_of(insurer)})


class ByInsurer(InsurerSide):
    """An insurer user: rows of his own insurer (through `path`)."""

    def __init__(self, path: str = "insurer"):
        self.path = path

    def for_insurer(self, queryset: QuerySet, insurer) -> QuerySet:
        return queryset.filter(**{self.path: insurer.pk})


class BureauOnly:
    """The bureau's own data: none on the insurer side."""

    dimension = "bureau"

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        return queryset if insurer_scope(user) is BUREAU else queryset.none()


class Linked:
    """Published rules (eligibility criteria): bureau staff and linked insurer users."""

    dimension = None

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        return queryset if insurer_scope(user) is not None else queryset.none()


class Both:
    """Two scopes at once (a co-insurer sees the contract, but only its own rows)."""

    def __init__(self, first, second):
        self.parts = (first, second)
        self.dimension = first.dimension if first.dimension else second.dimension

    @property
    def dimensions(self) -> set:
        return {p.dimension for p in self.parts if p.dimension}

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        for part in self.parts:
            queryset = part(queryset, user)
        return queryset


class ApprovedForInsurers(ByContract):
    """Evaluations: an insurer sees only approved ones of its contracts (a draft is the bureau's
    working paper)."""

    def __init__(self, path: str = "contract", status_path: str = "status"):
        super().__init__(path)
        self.status_path = status_path

    def for_insurer(self, queryset: QuerySet, insurer) -> QuerySet:
        queryset = super().for_insurer(queryset, insurer)
        return queryset.filter(**{self.status_path: EvaluationStatus.APPROVED})


class TendersBidIn(InsurerSide):
    """An insurer user: the tenders his insurer bid in."""

    def for_insurer(self, queryset: QuerySet, insurer) -> QuerySet:
        return queryset.filter(id__in=Bid.objects.filter(insurer=insurer).values("tender_id"))


class PaymentParts(InsurerSide):
    """A part belongs to a transfer or a reserve release; either's contract decides."""

    def for_insurer(self, queryset: QuerySet, insurer) -> QuerySet:
        visible = contracts_of(insurer)
        return queryset.filter(Q(transfer__contract__in=visible) | Q(release__contract__in=visible))


row_scope(Contract)(ByContract("id"))
row_scope(
    ContractMember, StaffingCommitment, StaffAssignment, ContractDocument, PerformanceBond,
    Reminder, FundingCalculation, Transfer, ReserveRelease, YearEndSettlement,
    LedgerEntry,
)(ByContract("contract"))  # fmt: skip
row_scope(BondDeduction)(ByContract("bond__contract"))
row_scope(SettlementLine)(ByContract("settlement__contract"))
row_scope(Insurer)(ByInsurer("pk"))
row_scope(InsurerBranch, InsurerContact, AdministrativePenalty, InsurerStaff, Debarment)(
    ByInsurer("insurer_id")
)
row_scope(InsurerUser, Bid)(ByInsurer("insurer_id"))
row_scope(BidCheck)(ByInsurer("bid__insurer_id"))
row_scope(Tender)(TendersBidIn())
row_scope(EligibilityCriterion)(Linked())
row_scope(Evaluation)(ApprovedForInsurers("contract"))
row_scope(EvaluationScore)(ApprovedForInsurers("evaluation__contract", "evaluation__status"))
row_scope(PaymentPart)(PaymentParts())
row_scope(ReserveReleaseBand, EvaluationIndicator)(BureauOnly())


# Consents (an audit model whose scope needs to know insurers): bureau staff all, an insurer's
# users those given to their insurer.
row_scope(Consent)(ByInsurer("insurer_id"))
