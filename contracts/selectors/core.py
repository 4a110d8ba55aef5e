"""Reads of the contracts app. Every queryset a user can reach goes through
`audit.scoping.restrict` (permission and row scope in one call); the row scopes are declared in
`contracts/scopes.py`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from audit.scoping import restrict
from contracts.choices import (
    ContractStatus,
    DeductionStatus,
)
from contracts.models import (
    Contract,
    Debarment,
    Insurer,
    PerformanceBond,
    StaffAssignment,
)
from contracts.scopes import insurer_of  # noqa: F401  (re-exported: the user's insurer)


def contract_for_user(user, action: str = "view") -> QuerySet[Contract]:
    """The contracts `user` may reach for `action`, with the joins every caller needs."""
    return restrict(Contract.objects.select_related("scheme", "lead_insurer"), user, action)


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
