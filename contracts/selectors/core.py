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
    Insurer,
    InsurerStaff,
    InsurerUser,
    PerformanceBond,
    Reminder,
    StaffAssignment,
    StaffingCommitment,
    Tender,
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
