"""Validation of contract terms (R-CON-1, R-CON-6, money terms). Returns errors, raises nothing.

Errors are `{field: [message, ...]}` so that a form shows each one where it belongs.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from contracts.choices import ContractStatus, LossSharing, PlatformFeeKind, SettlementRule
from contracts.dates import DAY, min_term_end
from contracts.models.contract import MAX_MEMBERS

HUNDRED = Decimal("100.00")
MIN_TERM_YEARS = 3
PLATFORM_FEE_MAX_RATE = Decimal("5.00")


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def previous_end(previous) -> object:
    """The last day the previous contract covered: its end, or its early termination date."""
    if previous.status == ContractStatus.TERMINATED and previous.ended_on:
        return previous.ended_on
    return previous.ends_on


def term_errors(contract) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (contract.starts_on and contract.ends_on):
        return errors
    earliest_end = min_term_end(contract.starts_on, MIN_TERM_YEARS)
    if contract.ends_on < earliest_end:
        _add(
            errors,
            "ends_on",
            _("合同期限至少 %(years)s 年：开始于 %(start)s 的合同最早于 %(end)s 结束。")
            % {"years": MIN_TERM_YEARS, "start": contract.starts_on, "end": earliest_end},
        )
    coverage_from = contract.coverage_from or contract.starts_on
    if coverage_from > contract.starts_on:
        _add(errors, "coverage_from", _("保障追溯起始日不能晚于合同开始日期。"))
    previous = contract.previous
    if previous is not None:
        if previous.pk == contract.pk:
            _add(errors, "previous", _("上一期合同不能是本合同。"))
            return errors
        if previous.scheme_id != contract.scheme_id:
            _add(errors, "previous", _("上一期合同必须属于同一保险方案。"))
        join = previous_end(previous) + DAY
        if contract.starts_on != join:
            _add(
                errors,
                "starts_on",
                _("续期合同必须在上一期合同结束次日（%(day)s）开始，当前为 %(start)s。")
                % {"day": join, "start": contract.starts_on},
            )
        if coverage_from != join:
            _add(
                errors,
                "coverage_from",
                _("续期合同的保障必须追溯至上一期结束次日（%(day)s）。") % {"day": join},
            )
    return errors


def share_errors(lead_insurer_id, members: Iterable[tuple[int, Decimal]]) -> dict[str, list[str]]:
    """R-CON-6: at most 10 insurers, the lead among them, shares > 0 adding up to exactly 100%."""
    members = list(members)
    errors: dict[str, list[str]] = {}
    if not members:
        _add(errors, "members", _("合同至少要有主承保机构一家成员，份额合计 100%。"))
        return errors
    insurer_ids = [insurer_id for insurer_id, _share in members]
    if len(set(insurer_ids)) != len(insurer_ids):
        _add(errors, "members", _("同一保险机构在共保体中只能出现一次。"))
    if len(members) > MAX_MEMBERS:
        _add(
            errors,
            "members",
            _("共保体最多 %(max)s 家（主承保 1 家 + 共保 9 家），当前 %(count)s 家。")
            % {"max": MAX_MEMBERS, "count": len(members)},
        )
    if lead_insurer_id not in insurer_ids:
        _add(errors, "members", _("主承保机构必须是共保体成员并持有份额。"))
    if any(share is None or share <= 0 for _id, share in members):
        _add(errors, "members", _("每家成员的份额必须大于 0。"))
    total = sum((share or Decimal(0) for _id, share in members), Decimal(0))
    if total != HUNDRED:
        _add(
            errors,
            "members",
            _("共保体份额合计必须恰好为 100%%，当前合计为 %(total)s%%。") % {"total": total},
        )
    return errors


def money_term_errors(contract) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if contract.transfer_share + contract.reserve_share != HUNDRED:
        _add(
            errors,
            "reserve_share",
            _("季度拨付比例与考核预留比例之和必须为 100%%，当前为 %(total)s%%。")
            % {"total": contract.transfer_share + contract.reserve_share},
        )
    if contract.profit_cap is not None and contract.profit_cap > settings.MEDSUPP_PROFIT_CAP_MAX:
        _add(
            errors,
            "profit_cap",
            _("保险机构利润率不得高于 %(m)s%%（R-ORD-3、R-IM-4）。")
            % {"m": settings.MEDSUPP_PROFIT_CAP_MAX},
        )
    rule = contract.settlement_rule
    if rule in (SettlementRule.PAYOUT_RATIO, SettlementRule.SELF_FUNDED) and contract.reserve_share:
        _add(
            errors,
            "reserve_share",
            _("「%(r)s」的合同不设考核预留款：预留比例必须为 0，季度拨付比例为 100%%。")
            % {"r": SettlementRule(rule).label},
        )
    if rule == SettlementRule.SELF_FUNDED and contract.loss_sharing != LossSharing.NONE:
        _add(errors, "loss_sharing", _("保险机构自负盈亏的合同，基金不分担亏损（R-JN）。"))
    if contract.adjustment_band_low > contract.adjustment_band_high:
        _add(errors, "adjustment_band_high", _("保费调整区间上限不能低于下限。"))
    if contract.platform_fee_kind == PlatformFeeKind.RATE:
        if contract.platform_fee_rate is None:
            _add(errors, "platform_fee_rate", _("按比例收取平台费时必须填写比例。"))
        elif contract.platform_fee_rate > PLATFORM_FEE_MAX_RATE:
            _add(errors, "platform_fee_rate", _("第三方平台费不得超过保费收入的 5%。"))
    if contract.platform_fee_kind == PlatformFeeKind.FIXED and contract.platform_fee_amount is None:
        _add(errors, "platform_fee_amount", _("固定金额平台费必须填写金额。"))
    return errors


def contract_errors(contract, members=None) -> dict[str, list[str]]:
    """Every problem that stops a contract from being signed."""
    if members is None:
        members = list(contract.members.values_list("insurer_id", "share"))
    errors = term_errors(contract)
    for source in (share_errors(contract.lead_insurer_id, members), money_term_errors(contract)):
        for field, messages in source.items():
            errors.setdefault(field, []).extend(messages)
    return errors
