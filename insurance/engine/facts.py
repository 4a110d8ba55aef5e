"""Input facts: a settlement record (national platform field names) and a person's facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from .money import ZERO, to_money

__all__ = [
    "AMOUNT_FIELDS",
    "INPATIENT_MED_TYPES",
    "NET_OF_FUNDS_FIELDS",
    "TRT_CATEGORIES",
    "Enrolment",
    "PersonFacts",
    "Settlement",
    "SpecialStatus",
    "StatusPeriod",
    "anniversary",
    "benefits_start",
]


class SpecialStatus(StrEnum):
    DIBAO = "dibao"  # 低保
    DIBAO_EDGE = "dibao_edge"  # 低保边缘
    TEKUN = "tekun"  # 特困
    YOUFU = "youfu"  # 优抚
    FANPIN = "fanpin"  # 返贫致贫


# National med_type codes: 11 general outpatient, 14 outpatient chronic/special disease
# (比照住院 in several seeds), 21 inpatient.
INPATIENT_MED_TYPES = frozenset({"21"})
TRT_CATEGORIES = frozenset({"", "dialysis", "radiotherapy", "chemotherapy"})

# Amount fields a plan may name in a base. Extension columns (not on the national platform):
#   excl_item_amt              excluded items inside the patient's burden (R-ORD-6 list), summed
#   inscp_over_max_amt         in-policy costs above the annual maxima of every basic fund
#                              (pooled fund and 大额/大病), so borne by the patient
#   special_drug_amt           costs on the plan's special drug / consumable / precision list
#   ooc_cancer_drug_amt        necessary out-of-catalogue cancer drugs (R-ORD-7)
#   ooc_cancer_drug_reimbursed what other payers already reimbursed on those drugs
AMOUNT_FIELDS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "oth_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "excl_item_amt",
    "inscp_over_max_amt",
    "special_drug_amt",
    "ooc_cancer_drug_amt",
    "ooc_cancer_drug_reimbursed",
)

# Amounts already net of every fund's payment, this scheme's own one-stop payment included
# (psn_part_amt = medfee_sumamt - fund_pay_sumamt). A line base reading one counts the burden
# before this scheme's payment: the plan's `own_payment_field` is added back (R-ORD-6).
NET_OF_FUNDS_FIELDS = frozenset({"psn_part_amt"})


@dataclass(slots=True)
class Settlement:
    """One settlement (结算) as uploaded. Missing amounts are 0; amounts are Decimal fen."""

    setl_id: str
    psn_no: str
    setl_time: datetime
    mdtrt_id: str = ""
    insutype: str = ""
    med_type: str = ""
    begndate: date | None = None
    enddate: date | None = None
    medfee_sumamt: Decimal = ZERO
    fulamt_ownpay_amt: Decimal = ZERO
    overlmt_selfpay: Decimal = ZERO
    preselfpay_amt: Decimal = ZERO
    inscp_scp_amt: Decimal = ZERO
    act_pay_dedc: Decimal = ZERO
    hifp_pay: Decimal = ZERO
    cvlserv_pay: Decimal = ZERO
    hifes_pay: Decimal = ZERO
    hifmi_pay: Decimal = ZERO
    hifob_pay: Decimal = ZERO
    maf_pay: Decimal = ZERO
    oth_pay: Decimal = ZERO
    fund_pay_sumamt: Decimal = ZERO
    psn_part_amt: Decimal = ZERO
    excl_item_amt: Decimal = ZERO
    inscp_over_max_amt: Decimal = ZERO
    special_drug_amt: Decimal = ZERO
    ooc_cancer_drug_amt: Decimal = ZERO
    ooc_cancer_drug_reimbursed: Decimal = ZERO
    refd_setl_flag: bool = False
    init_setl_id: str = ""
    trt_category: str = ""  # "", dialysis, radiotherapy, chemotherapy
    cause: str = ""  # exclusion cause code where the data carries it (R-ENT-2)

    @property
    def service_date(self) -> date:
        """The day of treatment: eligibility, status and plan dates are judged on it."""
        return self.begndate if self.begndate is not None else self.setl_time.date()

    @property
    def order_key(self) -> tuple[datetime, str]:
        return (self.setl_time, self.setl_id)

    @classmethod
    def from_mapping(cls, row: Mapping[str, object]) -> Settlement:
        """Build from a dict of text/Decimal values (CSV row, JSON, ORM values()).

        Raises ValueError naming the field for anything unreadable; floats are refused.
        """
        kwargs: dict[str, object] = {}
        known = {f.name for f in fields(cls)}
        for key, value in row.items():
            if key not in known:
                continue  # other platform columns (acct_pay, psn_cash_pay...) are not used
            try:
                kwargs[key] = _convert(key, value)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{key}: {exc}") from None
        for required in ("setl_id", "psn_no", "setl_time"):
            if kwargs.get(required) in (None, ""):
                raise ValueError(f"{required}: required")
        return cls(**kwargs)  # type: ignore[arg-type]


def _convert(key: str, value: object) -> object:
    if key in AMOUNT_FIELDS:
        return to_money(value)
    if key == "setl_time":
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)  # noqa: DTZ001 local naive
        return datetime.fromisoformat(str(value).strip())
    if key in ("begndate", "enddate"):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return datetime.fromisoformat(str(value).strip()).date()
    if key == "refd_setl_flag":
        return str(value).strip() in ("1", "True", "true")
    return "" if value is None else str(value).strip()


@dataclass(frozen=True, slots=True)
class StatusPeriod:
    """A special status (低保, 特困...) held from `start` to `end` inclusive (None: open)."""

    status: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Enrolment:
    """One enrolment period, `start` to `end` inclusive (None: still enrolled)."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    psn_no: str
    insutype: str = ""  # 310 employee, 390 resident
    cvlserv_flag: bool = False  # receives the civil-servant medical subsidy
    rural: bool = False  # rural resident: chooses the rural reference figure (R-IM-2)
    first_enrol: bool = False  # the first enrolment period is a first-time enrolment
    insured_since: date | None = None  # first day of the current uninterrupted basic insurance
    hire_date: date | None = None  # joined the employer (service condition, R-ENT-2)
    retired: bool = False  # 退休 (and 退职): no service condition (R-ENT-2)
    statuses: tuple[StatusPeriod, ...] = ()
    enrolments: tuple[Enrolment, ...] = field(default=())

    def __post_init__(self) -> None:
        # kept sorted once so the waiting-period rule can look at the previous period
        ordered = tuple(sorted(self.enrolments, key=lambda e: e.start))
        object.__setattr__(self, "enrolments", ordered)

    def statuses_on(self, day: date) -> frozenset[str]:
        return frozenset(p.status for p in self.statuses if p.covers(day))

    def enrolment_on(self, day: date) -> tuple[int, Enrolment] | None:
        for index, period in enumerate(self.enrolments):
            if period.covers(day):
                return index, period
        return None

    def waiting_until(
        self, day: date, waiting_days: int, waiting_from: str = "enrolment"
    ) -> date | None:
        """First covered day if `day` falls in a waiting period, else None.

        `basic_insurance` (R-QD-5): the period runs from the first day of the person's current
        uninterrupted basic insurance (`insured_since`), so people insured for years do not wait
        when a scheme starts; an unknown date means no waiting period.
        `enrolment`: it opens a first-time enrolment (first_enrol) and any enrolment that does
        not follow the previous one without a gap (re-enrolment after a break).
        """
        if waiting_days <= 0:
            return None
        if waiting_from == "basic_insurance":
            if self.insured_since is None:
                return None
            first_day = self.insured_since + timedelta(days=waiting_days)
            return first_day if day < first_day else None
        found = self.enrolment_on(day)
        if found is None:
            return None
        index, period = found
        ordered = self.enrolments
        if index == 0:
            waits = self.first_enrol
        else:
            previous_end = ordered[index - 1].end
            # an overlapping or seamless renewal keeps cover; only a gap means re-enrolment
            waits = previous_end is not None and previous_end + timedelta(days=1) < period.start
        if not waits:
            return None
        first_day = period.start + timedelta(days=waiting_days)
        return first_day if day < first_day else None

    def served_from(self, years: int) -> date | None:
        """First day on which `years` of service are complete (R-ENT-2 "工作时间满一年"):
        the anniversary of the hire date (29 February: the 28th). Retirees have no service
        condition (date.min); None when the hire date is not known."""
        if years <= 0 or self.retired:
            return date.min
        if self.hire_date is None:
            return None
        return anniversary(self.hire_date, years)


def anniversary(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes the 28th (民法典第二百零二条: no
    corresponding day, the month's last day)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def benefits_start(
    *,
    person: PersonFacts,
    start: date,
    waiting_days: int,
    waiting_from: str,
    service_years: int,
    continuous: bool,
) -> date | None:
    """The first day from `start` (an enrolment's first day) on which benefits apply: after any
    waiting period and once the service condition is met. None: never, as far as known (no hire
    date where service is required). `continuous`: the enrolment seamlessly continues an earlier
    one (no waiting period counted from enrolment). The engine's eligibility test gives the same
    answer day by day (tests/engine/test_eligibility.py)."""
    first = start
    if waiting_days > 0:
        if waiting_from == "basic_insurance":
            if person.insured_since is not None:
                first = max(first, person.insured_since + timedelta(days=waiting_days))
        elif not continuous:
            first = max(first, start + timedelta(days=waiting_days))
    served = person.served_from(service_years)
    if served is None:
        return None
    return max(first, served)
