"""Reads of the contracts app. Every queryset a user can reach goes through a `*_for_user`.

An insurer user (linked by `InsurerUser`) sees only contracts where his insurer is the lead or a
member, and what hangs off them; an insurer-role user without a link sees nothing; bureau staff
see everything (contracts are city-wide, no region scoping). Model permissions are checked by the
admin / API on top of this.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from audit.roles import INSURER
from contracts.choices import (
    ContractStatus,
    DeductionStatus,
    FundingCalcStatus,
    LedgerAccount,
    LedgerDirection,
    PaymentStatus,
)
from contracts.models import (
    Bid,
    BidCheck,
    BondDeduction,
    Contract,
    ContractDocument,
    ContractMember,
    ContractTransition,
    Debarment,
    EligibilityCriterion,
    FundingCalculation,
    Insurer,
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

_ALL = object()


def insurer_of(user):
    """The insurer the user works for, or None (bureau staff, anonymous, unlinked)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    link = InsurerUser.objects.select_related("insurer").filter(user_id=user.pk).first()
    return link.insurer if link else None


def _scope(user):
    """`_ALL` for bureau staff, an insurer for an insurer user, None for nobody."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    insurer = insurer_of(user)
    if insurer is not None:
        return insurer
    if user.is_superuser:
        return _ALL
    if INSURER in user.role_codes:
        return None  # an insurer user not yet linked to his insurer sees nothing
    return _ALL


def _contract_q(insurer, prefix: str = "") -> Q:
    return Q(**{f"{prefix}lead_insurer": insurer}) | Q(**{f"{prefix}members__insurer": insurer})


def contract_for_user(user) -> QuerySet[Contract]:
    scope = _scope(user)
    qs = Contract.objects.select_related("scheme", "lead_insurer")
    if scope is _ALL:
        return qs
    if scope is None:
        return qs.none()
    ids = Contract.objects.filter(_contract_q(scope)).values("id")
    return qs.filter(id__in=ids)


def _by_contract(model, user, path: str = "contract") -> QuerySet:
    scope = _scope(user)
    qs = model.objects.all()
    if scope is _ALL:
        return qs
    if scope is None:
        return qs.none()
    return qs.filter(**{f"{path}__in": contract_for_user(user).values("id")})


def contract_member_for_user(user) -> QuerySet[ContractMember]:
    return _by_contract(ContractMember, user).select_related("insurer", "contract")


def staffing_commitment_for_user(user) -> QuerySet[StaffingCommitment]:
    return _by_contract(StaffingCommitment, user).select_related("region", "contract")


def staff_assignment_for_user(user) -> QuerySet[StaffAssignment]:
    return _by_contract(StaffAssignment, user).select_related("staff", "region", "contract")


def contract_document_for_user(user) -> QuerySet[ContractDocument]:
    return _by_contract(ContractDocument, user).select_related("contract")


def contract_transition_for_user(user) -> QuerySet[ContractTransition]:
    return _by_contract(ContractTransition, user).select_related("contract", "actor")


def bond_for_user(user) -> QuerySet[PerformanceBond]:
    return _by_contract(PerformanceBond, user).select_related("contract")


def bond_deduction_for_user(user) -> QuerySet[BondDeduction]:
    return _by_contract(BondDeduction, user, "bond__contract").select_related(
        "bond", "bond__contract", "proposed_by", "decided_by"
    )


def reminder_for_user(user) -> QuerySet[Reminder]:
    return _by_contract(Reminder, user).select_related("contract", "content_type")


def insurer_for_user(user) -> QuerySet[Insurer]:
    """Bureau staff see every insurer; an insurer user sees his own."""
    scope = _scope(user)
    if scope is _ALL:
        return Insurer.objects.all()
    if scope is None:
        return Insurer.objects.none()
    return Insurer.objects.filter(pk=scope.pk)


def _by_insurer(model, user, path: str = "insurer") -> QuerySet:
    return model.objects.filter(**{f"{path}__in": insurer_for_user(user).values("id")})


def insurer_staff_for_user(user) -> QuerySet[InsurerStaff]:
    return _by_insurer(InsurerStaff, user).select_related("insurer")


def debarment_for_user(user) -> QuerySet[Debarment]:
    return _by_insurer(Debarment, user).select_related("insurer", "contract")


def insurer_user_for_user(user) -> QuerySet[InsurerUser]:
    return _by_insurer(InsurerUser, user).select_related("user", "insurer")


def tender_for_user(user) -> QuerySet[Tender]:
    """Bureau staff see every tender; an insurer user sees the tenders it bid in."""
    scope = _scope(user)
    qs = Tender.objects.select_related("scheme")
    if scope is _ALL:
        return qs
    if scope is None:
        return qs.none()
    return qs.filter(id__in=Bid.objects.filter(insurer=scope).values("tender_id"))


def bid_for_user(user) -> QuerySet[Bid]:
    return _by_insurer(Bid, user).select_related("tender", "insurer")


def bid_check_for_user(user) -> QuerySet[BidCheck]:
    return _by_insurer(BidCheck, user, "bid__insurer").select_related("bid", "criterion")


def criterion_for_user(user) -> QuerySet[EligibilityCriterion]:
    return (
        EligibilityCriterion.objects.all()
        if _scope(user) is not None
        else (EligibilityCriterion.objects.none())
    )


# --- business reads ---------------------------------------------------------------------------


def insurer_debarment_on(insurer, day: datetime.date) -> Debarment | None:
    return Debarment.objects.filter(insurer=insurer).active_on(day).order_by("starts_on").first()


def bond_balance(bond: PerformanceBond) -> Decimal:
    """Amount minus approved deductions (pending proposals do not reduce it)."""
    approved = bond.deductions.filter(status=DeductionStatus.APPROVED).aggregate(s=Sum("amount"))
    return bond.amount - (approved["s"] or Decimal("0.00"))


def bond_pending_total(bond: PerformanceBond) -> Decimal:
    pending = bond.deductions.filter(status=DeductionStatus.PROPOSED).aggregate(s=Sum("amount"))
    return pending["s"] or Decimal("0.00")


def bond_current(contract: Contract, day: datetime.date | None = None) -> PerformanceBond | None:
    """The bond valid on `day` (the latest one if several); without a day, the latest one."""
    qs = contract.bonds.order_by("-valid_until", "-id")
    if day is not None:
        qs = qs.filter(valid_from__lte=day, valid_until__gte=day)
    return qs.first()


def contract_current(*, scheme, day: datetime.date) -> Contract | None:
    """The contract in force for a scheme on a day (for transfers, claims, evaluations)."""
    return (
        Contract.objects.filter(
            scheme=scheme,
            coverage_from__lte=day,
            ends_on__gte=day,
            status__in=[
                ContractStatus.SIGNED,
                ContractStatus.ACTIVE,
                ContractStatus.RENEWAL_REQUESTED,
                ContractStatus.RENEWAL_ANSWERED,
            ],
        )
        .select_related("lead_insurer")
        .first()
    )


def contract_shares(contract: Contract) -> list[tuple[Insurer, Decimal]]:
    """Members and their shares, lead first (for splitting a transfer with `split_exact`)."""
    members = contract.members.select_related("insurer").order_by("-share", "insurer_id")
    rows = [(m.insurer, m.share) for m in members]
    rows.sort(key=lambda row: row[0].pk != contract.lead_insurer_id)
    return rows


CITY_STAFF_NORM = 10  # R-CON-4: at the city bureau
COUNTY_STAFF_NORM = 15  # R-CON-4: normally, per county (district) bureau


def staffing_norm(region) -> int:
    return CITY_STAFF_NORM if region.level in ("city", "province") else COUNTY_STAFF_NORM


def staffing_rows(contract: Contract, day: datetime.date) -> list[dict]:
    """Per committed region: committed, norm, stationed on `day`, and what is short."""
    on_duty = dict(
        StaffAssignment.objects.filter(contract=contract, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    rows = []
    for commitment in contract.commitments.select_related("region").order_by("region__code"):
        norm = staffing_norm(commitment.region)
        actual = on_duty.get(commitment.region_id, 0)
        rows.append(
            {
                "commitment": commitment,
                "region": commitment.region,
                "committed": commitment.committed,
                "norm": norm,
                "actual": actual,
                "below_norm": commitment.committed < norm,
                "below_commitment": actual < commitment.committed,
            }
        )
    return rows


def staffing_warnings(contract: Contract, day: datetime.date) -> list[str]:
    """R-CON-4 warnings (never blocking): commitments under the norm, roster under commitment."""
    from django.utils.translation import gettext as _

    messages = []
    for row in staffing_rows(contract, day):
        if row["below_norm"]:
            messages.append(
                _("%(region)s 承诺驻点 %(n)s 人，低于通常标准 %(norm)s 人。")
                % {"region": row["region"].name, "n": row["committed"], "norm": row["norm"]}
            )
        if row["below_commitment"]:
            messages.append(
                _("%(region)s 实际在岗 %(actual)s 人，低于承诺的 %(n)s 人。")
                % {"region": row["region"].name, "actual": row["actual"], "n": row["committed"]}
            )
    return messages


# --- fund flows (issue 8) -----------------------------------------------------------------------


def funding_calculation_for_user(user) -> QuerySet[FundingCalculation]:
    return _by_contract(FundingCalculation, user).select_related(
        "contract", "scheme_year", "computed_by", "approved_by"
    )


def transfer_for_user(user) -> QuerySet[Transfer]:
    return _by_contract(Transfer, user).select_related(
        "contract", "funding", "prepared_by", "approved_by", "paid_by"
    )


def payment_part_for_user(user) -> QuerySet[PaymentPart]:
    visible = contract_for_user(user).values("id")
    return PaymentPart.objects.filter(
        Q(transfer__contract__in=visible) | Q(release__contract__in=visible)
    ).select_related("insurer")


def reserve_release_for_user(user) -> QuerySet[ReserveRelease]:
    return _by_contract(ReserveRelease, user).select_related(
        "contract", "prepared_by", "approved_by", "paid_by"
    )


def reserve_band_for_user(user) -> QuerySet[ReserveReleaseBand]:
    """The release table is bureau reference data: insurer users do not see it."""
    return (
        ReserveReleaseBand.objects.all()
        if _scope(user) is _ALL
        else (ReserveReleaseBand.objects.none())
    )


def settlement_for_user(user) -> QuerySet[YearEndSettlement]:
    return _by_contract(YearEndSettlement, user).select_related(
        "contract", "funding", "prepared_by", "approved_by"
    )


def settlement_line_for_user(user) -> QuerySet[SettlementLine]:
    return _by_contract(SettlementLine, user, "settlement__contract")


def ledger_entry_for_user(user) -> QuerySet[LedgerEntry]:
    return _by_contract(LedgerEntry, user).select_related("contract", "posted_by", "source_type")


def funding_current(*, contract: Contract, year: int) -> FundingCalculation | None:
    """The approved funding calculation of a contract year (the one everything else uses)."""
    return FundingCalculation.objects.filter(
        contract=contract, year=year, status=FundingCalcStatus.APPROVED
    ).first()


def ledger_balances(*, contract: Contract, year: int | None = None) -> dict[tuple, Decimal]:
    """{(fund, year, account): balance} where balance = entries in − entries out."""
    qs = LedgerEntry.objects.filter(contract=contract)
    if year is not None:
        qs = qs.filter(year=year)
    balances: dict[tuple, Decimal] = {}
    rows = qs.values("fund", "year", "account", "direction").annotate(s=Sum("amount"))
    for row in rows:
        key = (row["fund"], row["year"], row["account"])
        sign = 1 if row["direction"] == LedgerDirection.IN else -1
        balances[key] = balances.get(key, Decimal("0.00")) + sign * row["s"]
    return balances


def ledger_account_balance(*, contract: Contract, year: int, account: str) -> Decimal:
    return sum(
        (
            v
            for (_f, _y, a), v in ledger_balances(contract=contract, year=year).items()
            if a == account
        ),
        Decimal("0.00"),
    )


def ledger_fund_balances(
    *, contract: Contract, year: int, account: str
) -> list[tuple[str, Decimal]]:
    return sorted(
        (f, v)
        for (f, _y, a), v in ledger_balances(contract=contract, year=year).items()
        if a == account and v != 0
    )


def fund_summary(*, contract: Contract, year: int) -> dict[str, Decimal]:
    """The year's figures for the dashboard and the evaluation: raised (approved funding),
    transferred (paid transfers), reserve held (still in RESERVE), released, returned."""
    funding = funding_current(contract=contract, year=year)
    paid = Transfer.objects.filter(contract=contract, year=year, status=PaymentStatus.PAID)
    release = ReserveRelease.objects.filter(
        contract=contract, year=year, status=PaymentStatus.PAID
    ).first()
    zero = Decimal("0.00")
    return {
        "raised": funding.result if funding else zero,
        "transferred": paid.aggregate(s=Sum("amount"))["s"] or zero,
        "held": ledger_account_balance(contract=contract, year=year, account=LedgerAccount.RESERVE),
        "released": release.released if release else zero,
        "returned": release.returned if release else zero,
    }


def payout_ratio(*, claims_paid: Decimal, premium: Decimal) -> Decimal | None:
    """Claims paid / premium in percent, to 0.01 (R-HZ-2); None without a premium."""
    from insurance.engine.money import quantize

    if not premium:
        return None
    return quantize(claims_paid * Decimal(100) / premium)


# --- annual evaluation (issue 9) -----------------------------------------------------------------


def evaluation_for_user(user):
    """Bureau staff see every evaluation; an insurer user sees only approved evaluations of its
    contracts (a draft is the bureau's working paper)."""
    from contracts.models import Evaluation
    from contracts.models.evaluation import EvaluationStatus

    qs = _by_contract(Evaluation, user).select_related(
        "contract", "contract__lead_insurer", "contract__scheme", "drafted_by", "approved_by"
    )
    if _scope(user) is not _ALL:
        qs = qs.filter(status=EvaluationStatus.APPROVED)
    return qs


def evaluation_score_for_user(user):
    from contracts.models import EvaluationScore

    return EvaluationScore.objects.filter(
        evaluation__in=evaluation_for_user(user).values("id")
    ).select_related("evaluation", "indicator", "scored_by")


def evaluation_indicator_for_user(user):
    """The catalogue is bureau reference data: insurer users do not see it."""
    from contracts.models import EvaluationIndicator

    if _scope(user) is not _ALL:
        return EvaluationIndicator.objects.none()
    return EvaluationIndicator.objects.select_related("scheme")


def evaluation_result(*, contract, year: int) -> dict | None:
    """The approved evaluation of a contract year for reports (disclosure): total score, pass
    mark, passed, renewal recommendation and per-indicator rows; None while not approved."""
    from contracts.models import Evaluation
    from contracts.models.evaluation import EvaluationStatus

    evaluation = Evaluation.objects.filter(
        contract=contract, year=year, status=EvaluationStatus.APPROVED
    ).first()
    if evaluation is None:
        return None
    return {
        "evaluation": evaluation,
        "total_score": evaluation.total_score,
        "pass_mark": evaluation.pass_mark,
        "passed": evaluation.passed,
        "renewal_recommendation": evaluation.renewal_recommendation,
        "rows": [
            {"name": row.name, "weight": row.weight, "value": row.value, "score": row.score}
            for row in evaluation.scores.all()
        ],
    }
