"""The contracts app's dashboard tile: open reminders, linking to the filtered list."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext as _

from config.dashboard import Tile, selected_month
from insurance.engine.money import grouped


def reminder_tiles(request) -> list[Tile]:
    from audit.scoping import restrict
    from contracts.choices import ReminderStatus
    from contracts.models import Reminder

    user = request.user
    if not user.has_perm("contracts.view_reminder"):
        return []
    count = restrict(Reminder, user, "view").filter(status=ReminderStatus.OPEN).count()
    link = reverse("admin:contracts_reminder_changelist") + f"?status__exact={ReminderStatus.OPEN}"
    return [
        Tile(
            title=_("待处理提醒"),
            value=str(count),
            link=link,
            note=_("合同续签、保函到期、驻点人员"),
        )
    ]


# --- fund flows (issue 8) -----------------------------------------------------------------------

# Claims paid live in the claims app, which contracts must not import. Claims hands over the
# function giving a contract year's payout ratio when it is ready (`claims.apps`:
# `payout_ratio_provide(payout_ratio_for)`): dependency inversion without an import by name.
# Without it the tile shows "—".
_PAYOUT_RATIO: list[Callable] = []


def payout_ratio_provide(provider: Callable) -> None:
    """Set the function `(contract=, year=) -> Decimal | None` the fund tiles ask."""
    _PAYOUT_RATIO[:] = [provider]


def _payout_ratio(contract, year):
    if not _PAYOUT_RATIO:
        return None
    return _PAYOUT_RATIO[0](contract=contract, year=year)


def fund_tiles(request) -> list[Tile]:
    """Per live contract, the insurance year of the dashboard's month: raised, transferred,
    reserve held, released, payout ratio so far. Only for users who may view contracts;
    insurer users see only their contracts."""
    from contracts.periods import year_on
    from contracts.selectors import contract_for_user, fund_summary
    from contracts.services.transfers import LIVE_STATUSES

    user = request.user
    if not user.has_perm("contracts.view_contract"):
        return []
    month = selected_month(request)
    tiles = []
    for contract in contract_for_user(user).filter(status__in=LIVE_STATUSES)[:12]:
        year = year_on(contract, month)  # the insurance year running in the chosen month
        figures = fund_summary(contract=contract, year=year)
        ratio = _payout_ratio(contract, year)
        tiles.append(
            Tile(
                title=_("%(n)s %(y)s年资金") % {"n": contract.number, "y": year},
                value=_("已筹 %(r)s / 已拨 %(t)s")
                % {
                    "r": grouped(figures["raised"]),
                    "t": grouped(figures["transferred"]),
                },
                link=reverse("admin:contracts_ledgerentry_changelist")
                + f"?contract__id__exact={contract.pk}&year={year}",
                note=_("预留 %(h)s，已释放 %(rel)s，赔付率 %(p)s")
                % {
                    "h": grouped(figures["held"]),
                    "rel": grouped(figures["released"]),
                    "p": "—" if ratio is None else f"{ratio}%",
                },
            )
        )
    return tiles
