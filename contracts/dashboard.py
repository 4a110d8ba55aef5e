"""The contracts app's dashboard tile: open reminders, linking to the filtered list."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from config.dashboard import Tile


def reminder_tiles(request) -> list[Tile]:
    from contracts.choices import ReminderStatus
    from contracts.selectors import reminder_for_user

    user = request.user
    if not user.has_perm("contracts.view_reminder"):
        return []
    count = reminder_for_user(user).filter(status=ReminderStatus.OPEN).count()
    link = reverse("admin:contracts_reminder_changelist") + f"?status__exact={ReminderStatus.OPEN}"
    return [
        Tile(
            title=_("待处理提醒"),
            value=str(count),
            link=link,
            note=_("合同续签、保函到期、驻点人员"),
        )
    ]
