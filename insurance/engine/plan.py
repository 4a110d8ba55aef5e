"""Benefit plans as data: the dataclasses a plan document is read into (see planparse.py).

The format is documented in docs/plans.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = [
    "OWN_PAYMENT_FIELDS",
    "SCOPES",
    "WAITING_FROM",
    "Accumulation",
    "BaseSpec",
    "Deductible",
    "Eligibility",
    "Exclusion",
    "Line",
    "Override",
    "Plan",
    "PlanError",
    "PlanIssue",
    "Tier",
    "TopUp",
]

SCOPES = ("settlement", "admission", "calendar_year", "policy_year")
KINDS = ("tiered", "top_up")
TIER_BASES = ("above_deductible", "absolute")
# When a waiting period starts: the first day of the current uninterrupted basic insurance
# (R-QD-5: "初次参加或中断后再次参加...社会医疗保险的，设立...等待期") or the start of a first-time
# enrolment / a re-enrolment after a gap in this scheme.
WAITING_FROM = ("enrolment", "basic_insurance")
# The national fund-part fields that can carry a supplementary scheme's own payment in one-stop
# settlement (the hospital books it there; hifp_pay, cvlserv_pay and maf_pay are public funds).
OWN_PAYMENT_FIELDS = ("oth_pay", "hifes_pay", "hifmi_pay", "hifob_pay")


@dataclass(frozen=True, slots=True)
class PlanIssue:
    path: str
    code: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_en} / {self.message_zh}"


class PlanError(ValueError):
    def __init__(self, issues: list[PlanIssue]) -> None:
        self.issues = issues
        super().__init__("invalid plan:\n" + "\n".join(f"  {i}" for i in issues))


@dataclass(frozen=True, slots=True)
class Exclusion:
    field: str
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True, slots=True)
class BaseSpec:
    fields: tuple[str, ...]
    exclude: tuple[Exclusion, ...] = ()
    minus_lines: tuple[str, ...] = ()  # earlier lines whose payment on the record is deducted


@dataclass(frozen=True, slots=True)
class Accumulation:
    scope: str = "calendar_year"
    by_category: tuple[tuple[str, str], ...] = ()  # (trt_category, scope)
    category_pools: tuple[tuple[str, str], ...] = ()  # (trt_category, pool name)


@dataclass(frozen=True, slots=True)
class Deductible:
    amount: Decimal | None = None
    reference: str | None = None  # key in the caller's reference figures
    reference_rural: str | None = None  # for rural residents (R-IM-2), else `reference`
    factor: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class Tier:
    start: Decimal  # `from` in the document
    rate: Decimal


@dataclass(frozen=True, slots=True)
class TopUp:
    target_rate: Decimal
    reimbursed_fields: tuple[str, ...] = ()
    reimbursed_lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Line:
    id: str
    name: str
    base: BaseSpec
    name_en: str = ""
    kind: str = "tiered"
    rules: tuple[str, ...] = ()
    med_types: frozenset[str] = frozenset()  # empty: any
    insutypes: frozenset[str] = frozenset()
    accumulation: Accumulation = Accumulation()
    deductible: Deductible | None = None
    tier_basis: str = "above_deductible"
    tiers: tuple[Tier, ...] = ()
    top_up: TopUp | None = None
    cap: Decimal | None = None
    personal_quota: bool = False  # the cap is a personal quota; its unused part goes to a pool


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    statuses: frozenset[str] = frozenset()  # matches if the person holds any of them that day
    cvlserv: bool = False  # matches civil-servant-subsidy recipients
    lines: tuple[str, ...] = ()  # empty: every line
    waive_deductible: bool = False
    deductible_factor: Decimal | None = None
    deductible_amount: Decimal | None = None
    rate_add: Decimal = Decimal(0)
    no_cap: bool = False
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class Eligibility:
    insutypes: frozenset[str] = frozenset()
    require_enrolment: bool = True
    waiting_days: int = 0
    waiting_from: str = "enrolment"  # one of WAITING_FROM
    service_years: int = 0  # years with the employer before cover starts; retirees exempt
    excluded_causes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Plan:
    code: str
    name: str
    version: int
    effective_from: date
    lines: tuple[Line, ...]
    source_seed: str
    source_rules: tuple[str, ...]
    own_payment_field: str  # the settlement field carrying this scheme's own payment
    name_en: str = ""
    effective_to: date | None = None
    accumulate_from: date | None = None
    example: bool = False
    notes: tuple[str, ...] = ()
    plain_words_zh: str = ""
    plain_words_en: str = ""
    policy_year_start: tuple[int, int] = (1, 1)
    cap_year: str = "calendar"
    cap: Decimal | None = None
    eligibility: Eligibility = Eligibility()
    overrides: tuple[Override, ...] = ()

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)

    @property
    def quota_line(self) -> Line | None:
        """The line whose cap is each person's quota (R-ENT-3 限额报销), if the plan has one."""
        return next((line for line in self.lines if line.personal_quota), None)
