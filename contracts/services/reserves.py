"""The evaluation reserve (考核预留款, R-ORD-2): released after the evaluation by its score.

`reserve_release` is what the annual evaluation calls once its result is approved. It prepares
the release (the caller is the maker), which then follows the payment workflow: approved by
another person (director), paid with a bank reference. Paying posts what is released
(RESERVE → INSURER) and what is not (RESERVE → FUND, back to the fund).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from audit.errors import RuleError
from audit.plausibility import found, negative_warning
from audit.workflow import require_permission, workflow_start
from contracts.choices import LedgerAccount, LedgerKind, PaymentStatus
from contracts.models import Contract, PaymentPart, ReserveRelease, ReserveReleaseBand, Transfer
from contracts.models.reserve import DEFAULT_RELEASE_BANDS
from contracts.permissions import PREPARE
from contracts.selectors import ledger_fund_balances
from contracts.services.ledger import ledger_post
from contracts.services.transfers import member_parts, payment_move
from insurance.engine.money import quantize, split_exact, to_decimal


def release_percent_for(score: Decimal) -> Decimal:
    """Percent of the reserve released for a score: the band with the highest `min_score` not
    above the score (the table in the database; the default table when it is empty)."""
    bands = list(ReserveReleaseBand.objects.values_list("min_score", "release_percent"))
    for min_score, percent in sorted(bands or DEFAULT_RELEASE_BANDS, reverse=True):
        if score >= min_score:
            return percent
    return Decimal("0.00")


@transaction.atomic
def release_bands_seed() -> list[str]:
    """Fill an empty release table with the default bands (>=90 all, 80-90 80%, ...), for staff
    to edit in the admin. A table holding any band is the bureau's: left as it is. Idempotent;
    what changed."""
    if ReserveReleaseBand.objects.select_for_update().exists():
        return []
    ReserveReleaseBand.objects.bulk_create(
        ReserveReleaseBand(min_score=min_score, release_percent=percent)
        for min_score, percent in DEFAULT_RELEASE_BANDS
    )
    return [f"release band >= {m}: {p}%" for m, p in DEFAULT_RELEASE_BANDS]


@transaction.atomic
def reserve_release(
    *, contract: Contract, year: int, score, evaluation_ref: str, actor, request=None
) -> ReserveRelease:
    """Prepare the release of a contract year's reserve after the evaluation (maker = actor,
    needs `contracts.prepare_transfer`). Refused while a transfer of the year is unpaid, or when
    the year's release exists already."""
    require_permission(actor, PREPARE, _("预留款拨付制单"))
    try:
        score = to_decimal(score)
    except ValueError:
        raise RuleError(_("考核得分格式不正确：%(s)s。") % {"s": score}) from None
    if not Decimal(0) <= score <= Decimal(100):
        raise RuleError(_("考核得分必须在 0 到 100 之间。"))
    if not (evaluation_ref or "").strip():
        raise RuleError(_("请填写考核单据编号。"))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if ReserveRelease.objects.filter(contract=contract, year=year).exists():
        raise RuleError(
            _("合同 %(n)s %(y)s 年度的预留款拨付已经生成。") % {"n": contract.number, "y": year}
        )
    unpaid = Transfer.objects.filter(contract=contract, year=year).exclude(
        status=PaymentStatus.PAID
    )
    if unpaid.exists():
        quarters = "、".join(f"Q{q}" for q in unpaid.values_list("quarter", flat=True))
        raise RuleError(
            _("%(y)s 年度仍有未支付的季度拨付（%(q)s），预留款尚未全部计提。")
            % {"y": year, "q": quarters}
        )
    held = sum(
        (a for _f, a in ledger_fund_balances(contract=contract, year=year, account="reserve")),
        Decimal("0.00"),
    )
    percent = release_percent_for(score)
    released = quantize(held * percent / Decimal(100))
    release = ReserveRelease.objects.create(
        contract=contract,
        year=year,
        score=score,
        evaluation_ref=evaluation_ref.strip(),
        held=held,
        release_percent=percent,
        released=released,
        returned=held - released,
        status=PaymentStatus.PREPARED,
        prepared_by=actor,
        prepared_at=timezone.now(),
    )
    if released > 0:
        PaymentPart.objects.bulk_create(
            PaymentPart(release=release, insurer=insurer, share=share, amount=part)
            for insurer, share, part in member_parts(contract, released)
        )
    events.change(
        actor=actor,
        obj=release,
        action=AuditAction.CREATE,
        after={
            "score": str(score),
            "held": str(held),
            "percent": str(percent),
            "released": str(released),
            "returned": str(release.returned),
        },
        summary=f"预留款拨付制单 {release}",
        reason=evaluation_ref,
        request=request,
    )
    workflow_start(doc=release, move="prepare", actor=actor)
    return release


def post_release(step) -> None:
    release, actor = step.doc, step.actor
    held = ledger_fund_balances(contract=release.contract, year=release.year, account="reserve")
    if not held:
        return
    if sum(a for _f, a in held) != release.held:
        raise RuleError(_("预留款余额与制单时不一致，请退回重新制单。"))
    released = split_exact(total=release.released, weights=[a for _f, a in held])
    common = dict(contract=release.contract, year=release.year, source=release, actor=actor)
    ledger_post(
        kind=LedgerKind.RESERVE_RELEASED,
        by_fund=[(f, r) for (f, _a), r in zip(held, released, strict=True)],
        from_account=LedgerAccount.RESERVE,
        to_account=LedgerAccount.INSURER,
        on=release.paid_on,
        memo=f"考核得分 {release.score}，拨付 {release.release_percent}%",
        **common,
    )
    ledger_post(
        kind=LedgerKind.RESERVE_RETURNED,
        by_fund=[(f, a - r) for (f, a), r in zip(held, released, strict=True)],
        from_account=LedgerAccount.RESERVE,
        to_account=LedgerAccount.FUND,
        on=release.paid_on,
        memo="未拨付部分返还基金",
        **common,
    )


def reserve_release_move(*, release: ReserveRelease, move: str, actor, **kwargs) -> ReserveRelease:
    """approve (director, not the maker) / send_back / prepare again / pay, as for transfers.
    A release of nothing (score below the lowest band) is 'paid' with the return reference."""
    return payment_move(doc=release, move=move, actor=actor, **kwargs)


def release_warnings(release: ReserveRelease) -> list[str]:
    """Before approval: a negative amount held, released or returned."""
    return found(
        negative_warning(_("预留款总额"), release.held),
        negative_warning(_("拨付保险机构"), release.released),
        negative_warning(_("返还基金"), release.returned),
    )
