"""The reader behind plan validation: typed getters that record located, bilingual errors.

Each getter returns a usable value (or None) and never raises, so one pass finds every problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from .facts import AMOUNT_FIELDS, TRT_CATEGORIES, SpecialStatus
from .money import MoneyError, quantize, to_decimal
from .plan import PlanIssue

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")

# code -> (Chinese, English); {field} and friends are filled from keyword arguments.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填项缺失", "is required"),
    "type_object": ("必须是对象（键值对）", "must be an object"),
    "type_list": ("必须是列表", "must be a list"),
    "type_string": ("必须是文本", "must be text"),
    "type_bool": ("必须是 true 或 false", "must be true or false"),
    "type_int": ("必须是整数", "must be a whole number"),
    "type_number": ('必须是数字（建议写成文本，如 "0.8"）', 'must be a number (text, e.g. "0.8")'),
    "float_number": (
        '不接受浮点数，请写成文本，如 "0.8"',
        'floats are not accepted; write the number as text, e.g. "0.8"',
    ),
    "type_reference": ("必须是参考数据键名或 {urban, rural}", "must be a key or {urban, rural}"),
    "empty": ("不能为空", "must not be empty"),
    "range": ("必须在 {lo} 到 {hi} 之间", "must be between {lo} and {hi}"),
    "minimum": ("不能小于 {lo}", "must be at least {lo}"),
    "fen": ("金额最多两位小数（精确到分）", "amounts have at most 2 decimals (the fen)"),
    "date": ("必须是日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "month_day": ("必须是月-日 MM-DD", "must be a month-day MM-DD"),
    "choice": ("必须是以下之一：{choices}", "must be one of: {choices}"),
    "slug": ("只能用小写字母、数字、- 和 _", "only lowercase letters, digits, - and _"),
    "unknown_key": ("未知字段（是否拼写错误？）", "unknown field (a typo?)"),
    "unknown_amount_field": ("不是已知的金额字段：{value}", "not a known amount field: {value}"),
    "unknown_status": ("不是已知的特殊身份：{value}", "not a known special status: {value}"),
    "unknown_category": ("不是已知的治疗类别：{value}", "not a known treatment category: {value}"),
    "unknown_line": (
        "引用的责任 {value} 不存在或不在本责任之前",
        "line {value} does not exist or does not come earlier",
    ),
    "duplicate": ("重复：{value}", "duplicate: {value}"),
    "ascending": ("各段起点必须严格递增", "tier starts must strictly increase"),
    "date_order": ("不能早于 {after}", "must not be before {after}"),
    "not_after": ("不能晚于 {other}", "must not be after {other}"),
    "amount_or_reference": (
        "须且只能给出 amount（固定金额）或 reference（参考数据）之一",
        "give exactly one of amount (fixed) or reference (reference figure)",
    ),
    "rate_or_tiers": ("须且只能给出 rate 或 tiers 之一", "give exactly one of rate or tiers"),
    "not_for_top_up": ("补足型责任不使用此字段", "not used by a top_up line"),
    "only_for_top_up": ("仅补足型责任（kind=top_up）使用此字段", "only for kind top_up"),
    "empty_condition": ("须给出 statuses 或 cvlserv", "give statuses or cvlserv"),
    "quota_needs_cap": (
        "个人限额报销责任须设封顶线（cap）",
        "a personal quota line needs a cap (the quota)",
    ),
    "one_quota": (
        "一个方案只能有一项个人限额报销责任",
        "a plan has at most one personal quota line",
    ),
    # Seed rules a plan declares in source.rules (planrules.py)
    "lowest_band_below_half": (
        "R-IM-2：最低一段支付比例不得低于50%",
        "R-IM-2: the lowest band must pay at least 50%",
    ),
    "rate_falls": (
        "R-IM-2：支付比例应逐段递增，不得低于上一段",
        "R-IM-2: a band must not pay less than the band below it",
    ),
    "deductible_below_reference": (
        "R-IM-2：起付线不得低于上年度城镇居民人均可支配收入（农村居民：人均纯收入），"
        "须写成 reference（{references}），factor 不小于 1",
        "R-IM-2: the deductible must not be below last year's urban disposable income (rural: "
        "net income): give it as a reference ({references}) with a factor of at least 1",
    ),
    "lower_deductible_not_poor": (
        "R-IM-2：只有困难群众（{statuses}）可以降低起付线",
        "R-IM-2: only poor groups ({statuses}) may have a lower deductible",
    ),
    "waiting_not_allowed": (
        "R-JN-3：不得设置理赔等待期",
        "R-JN-3: a waiting period is not allowed",
    ),
    "condition_not_allowed": (
        "R-JN-3：不得设置年龄、职业、工龄、健康状况等限制条件",
        "R-JN-3: no age, occupation, service or health condition is allowed",
    ),
    "must_cover_everyone": (
        "R-JN-3：须面向职工（310）和居民（390）基本医保全体参保人员",
        "R-JN-3: must cover everyone insured, employees (310) and residents (390)",
    ),
}


class Reader:
    def __init__(self) -> None:
        self.issues: list[PlanIssue] = []

    def add(self, path: str, code: str, **params: object) -> None:
        zh, en = MESSAGES[code]
        where = path or "（根）"
        self.issues.append(
            PlanIssue(
                path=path,
                code=code,
                message_zh=f"{where}：{zh.format(**params)}",
                message_en=f"{path or '(root)'}: {en.format(**params)}",
            )
        )

    @staticmethod
    def _join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def get(self, obj: Mapping, key: str, path: str, *, required: bool) -> object:
        value = obj.get(key)
        if value is None and required:
            self.add(self._join(path, key), "required")
        return value

    def is_object(self, value: object, path: str) -> bool:
        if isinstance(value, Mapping):
            return True
        if value is not None:
            self.add(path, "type_object")
        return False

    def is_list(self, value: object, path: str, *, non_empty: bool = False) -> bool:
        if not isinstance(value, list):
            self.add(path, "type_list")
            return False
        if non_empty and not value:
            self.add(path, "empty")
            return False
        return True

    def known_keys(self, obj: Mapping, allowed: Iterable[str], path: str) -> None:
        allowed = set(allowed)
        for key in obj:
            if key not in allowed:
                self.add(self._join(path, str(key)), "unknown_key")

    def text(self, obj: Mapping, key: str, path: str, *, required: bool = True) -> str:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.add(self._join(path, key), "type_string")
            return ""
        if required and not value.strip():
            self.add(self._join(path, key), "empty")
        return value

    def slug(self, obj: Mapping, key: str, path: str) -> str:
        value = self.text(obj, key, path)
        if value and not _SLUG.match(value):
            self.add(self._join(path, key), "slug")
        return value

    def text_list(
        self, obj: Mapping, key: str, path: str, *, required: bool = False, non_empty: bool = False
    ) -> list[str]:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return []
        where = self._join(path, key)
        if not self.is_list(value, where, non_empty=non_empty):
            return []
        assert isinstance(value, list)
        result = []
        for i, entry in enumerate(value):
            if isinstance(entry, str) and entry:
                result.append(entry)
            else:
                self.add(f"{where}[{i}]", "type_string")
        return result

    def check_field_name(self, name: str, path: str) -> bool:
        if name not in AMOUNT_FIELDS:
            self.add(path, "unknown_amount_field", value=name)
            return False
        return True

    def field_list(
        self, obj: Mapping, key: str, path: str, *, required: bool = True, non_empty: bool = False
    ) -> list[str]:
        names = self.text_list(obj, key, path, required=required, non_empty=non_empty)
        where = self._join(path, key)
        return [n for i, n in enumerate(names) if self.check_field_name(n, f"{where}[{i}]")]

    def status_list(self, obj: Mapping, key: str, path: str) -> list[str]:
        names = self.text_list(obj, key, path)
        known = {s.value for s in SpecialStatus}
        where = self._join(path, key)
        for i, name in enumerate(names):
            if name not in known:
                self.add(f"{where}[{i}]", "unknown_status", value=name)
        return [n for n in names if n in known]

    def line_refs(self, obj: Mapping, key: str, path: str, allowed: list[str]) -> list[str]:
        names = self.text_list(obj, key, path)
        where = self._join(path, key)
        for i, name in enumerate(names):
            if name not in allowed:
                self.add(f"{where}[{i}]", "unknown_line", value=name)
        return [n for n in names if n in allowed]

    def category_map(
        self, obj: Mapping, key: str, path: str, *, choices: tuple[str, ...] | None
    ) -> tuple[tuple[str, str], ...]:
        value = obj.get(key)
        where = self._join(path, key)
        if value is None or not self.is_object(value, where):
            return ()
        assert isinstance(value, Mapping)
        result = []
        for category, target in value.items():
            cpath = f"{where}.{category}"
            if category not in TRT_CATEGORIES or not category:
                self.add(cpath, "unknown_category", value=category)
            elif not isinstance(target, str) or not target:
                self.add(cpath, "type_string")
            elif choices is not None and target not in choices:
                self.add(cpath, "choice", choices=", ".join(choices))
            else:
                result.append((category, target))
        return tuple(result)

    def choice(
        self, obj: Mapping, key: str, path: str, choices: tuple[str, ...], *, default: str
    ) -> str:
        value = obj.get(key, default)
        if value not in choices:
            self.add(self._join(path, key), "choice", choices=", ".join(choices))
            return default
        return str(value)

    def required_choice(self, obj: Mapping, key: str, path: str, choices: tuple[str, ...]) -> str:
        """A required value out of `choices` ("" when missing or not one of them)."""
        value = self.get(obj, key, path, required=True)
        if value is None:
            return ""
        if value not in choices:
            self.add(self._join(path, key), "choice", choices=", ".join(choices))
            return ""
        return str(value)

    def boolean(self, obj: Mapping, key: str, path: str, *, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.add(self._join(path, key), "type_bool")
            return default
        return value

    def integer(
        self, obj: Mapping, key: str, path: str, *, minimum: int, required: bool = True
    ) -> int | None:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(self._join(path, key), "type_int")
            return None
        if value < minimum:
            self.add(self._join(path, key), "minimum", lo=minimum)
            return None
        return value

    def decimal(
        self,
        obj: Mapping,
        key: str,
        path: str,
        *,
        required: bool = True,
        lo: Decimal | None = None,
        hi: Decimal | None = None,
    ) -> Decimal | None:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        where = self._join(path, key)
        if isinstance(value, float):
            self.add(where, "float_number")
            return None
        try:
            number = to_decimal(value)
        except MoneyError:
            self.add(where, "type_number")
            return None
        if lo is not None and hi is not None and not lo <= number <= hi:
            self.add(where, "range", lo=lo, hi=hi)
            return None
        if lo is not None and number < lo:
            self.add(where, "minimum", lo=lo)
            return None
        return number

    def amount(self, obj: Mapping, key: str, path: str, *, required: bool = True) -> Decimal | None:
        number = self.decimal(obj, key, path, required=required, lo=Decimal(0))
        if number is not None and quantize(number) != number:
            self.add(self._join(path, key), "fen")
            return None
        return number

    def date(self, obj: Mapping, key: str, path: str, *, required: bool = True) -> date | None:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _raise()
        except ValueError:
            self.add(self._join(path, key), "date")
            return None

    def month_day(self, obj: Mapping, key: str, path: str) -> tuple[int, int] | None:
        value = obj.get(key)
        if value is None:
            return None
        match = _MONTH_DAY.match(value) if isinstance(value, str) else None
        if match:
            month, day = int(match[1]), int(match[2])
            try:
                date(2001, month, day)  # a non-leap year: 02-29 cannot start a policy year
                return month, day
            except ValueError:
                pass
        self.add(self._join(path, key), "month_day")
        return None


def _raise() -> date:
    raise ValueError
