"""Figures a person should look at twice before they are scored, approved or published: a
payout ratio outside a plausible range, a negative amount, a figure far from last year's.

A move declares `warn=` (a function of the document returning these warnings, in words); the
workflow machine then requires a stated reason to go on and records the warnings with the reason
in the move's audit entry (`audit.workflow.perform_move`), and the move page shows them above
the reason (`audit.admin.workflow`). The ranges are settings (MEDSUPP_PLAUSIBLE_*).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

HUNDRED = Decimal(100)


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _shown(value: Decimal) -> str:
    """A figure as people write it: no trailing zeros (674.9500 -> 674.95), never rounded."""
    return format(value.normalize(), "f")


def payout_ratio_warning(ratio, *, label: str | None = None) -> str | None:
    """A payout ratio (percent) outside MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MIN..MAX."""
    ratio = _number(ratio)
    low, high = (
        settings.MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MIN,
        settings.MEDSUPP_PLAUSIBLE_PAYOUT_RATIO_MAX,
    )
    if ratio is None or low <= ratio <= high:
        return None
    return _("%(what)s %(v)s%% 超出合理范围 %(low)s%%～%(high)s%%") % {
        "what": label or _("赔付率"),
        "v": _shown(ratio),
        "low": _shown(low),
        "high": _shown(high),
    }


def negative_warning(label: str, amount) -> str | None:
    amount = _number(amount)
    if amount is None or amount >= 0:
        return None
    return _("%(what)s为负数（%(v)s 元）") % {"what": label, "v": _shown(amount)}


def change_warning(label: str, value, last, *, unit: str = "") -> str | None:
    """`value` more than MEDSUPP_PLAUSIBLE_CHANGE_PERCENT above or below last year's `last`."""
    value, last = _number(value), _number(last)
    if value is None or last is None or last == 0:
        return None
    change = (value - last) / abs(last) * HUNDRED
    if abs(change) <= settings.MEDSUPP_PLAUSIBLE_CHANGE_PERCENT:
        return None
    return _("%(what)s %(v)s%(u)s 与上年 %(last)s%(u)s 相差超过 %(max)s%%") % {
        "what": label,
        "v": _shown(value),
        "last": _shown(last),
        "u": unit,
        "max": _shown(settings.MEDSUPP_PLAUSIBLE_CHANGE_PERCENT),
    }


def found(*warnings: str | None) -> list[str]:
    """The warnings that apply, in order."""
    return [w for w in warnings if w]
