"""The one declaration of a settlement file: its columns, the names insurers give them, and the
rules every row must meet.

Everything that reads a settlement file derives from here: the Python parser (rows.py) reads each
cell by its column's kind (forms.py) and checks `row_problems`; the fast path (fastcsv.py) builds
its line pattern from the same kinds and hands `row_condition_sql` to PostgreSQL. Each rule says
its meaning once and is rendered twice, side by side, so the two cannot drift apart.
docs/data-format.md lists the same names and rules (tests/claims/test_data_format_doc.py checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Kind(Enum):
    ID = "id"  # an identifier: text only (a spreadsheet that holds it as a number destroys it)
    TEXT = "text"
    CODE = "code"  # read through the city's code mapping (claims.models.CodeMapping)
    CHOICE = "choice"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    label: str  # the Chinese header of the national interface
    kind: Kind
    required: bool = False  # a value in every row
    header: bool = False  # the column must be present (the sums need it); empty amounts are 0
    max_length: int = 30
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # the platform's other names and other Chinese headers
    family_length: int = 0  # CODE: the longest family code (the stored, mapped value)

    @property
    def stored(self) -> tuple[str, ...]:
        """The staging and record fields a column fills: a code is kept as the family the
        plans speak of and as the insurer sent it."""
        return (self.name, f"{self.name}_code") if self.kind is Kind.CODE else (self.name,)


_M = Kind.MONEY
COLUMNS: tuple[Column, ...] = (
    Column("setl_id", "结算ID", Kind.ID, required=True),
    Column("mdtrt_id", "就诊ID", Kind.ID, required=True),
    Column("psn_no", "人员编号", Kind.ID, required=True),
    Column("insutype", "险种类型", Kind.CODE, required=True, max_length=20, family_length=3),
    Column("psn_type", "人员类别", Kind.TEXT),
    Column("med_type", "医疗类别", Kind.CODE, required=True, max_length=20, family_length=6),
    Column("fixmedins_code", "定点医药机构编号", Kind.ID),
    Column("begndate", "开始日期", Kind.DATE, aliases=("就医开始时间", "入院日期")),
    Column("enddate", "结束日期", Kind.DATE, aliases=("就医结束时间", "出院日期")),
    Column("setl_time", "结算时间", Kind.DATETIME, required=True),
    Column("medfee_sumamt", "医疗费总额", _M, required=True),
    Column("fulamt_ownpay_amt", "全自费金额", _M, header=True),
    Column("overlmt_selfpay", "超限价自费费用", _M, header=True, aliases=("超限价自付金额",)),
    Column("preselfpay_amt", "先行自付金额", _M, header=True),
    Column(
        "inscp_scp_amt",
        "符合政策范围金额",
        _M,
        header=True,
        aliases=("inscp_amt", "符合范围金额"),
    ),
    Column("act_pay_dedc", "实际支付起付线", _M),
    Column(
        "hifp_pay", "基本医疗保险统筹基金支出", _M, aliases=("统筹基金支出", "基本医疗基金支出")
    ),
    Column("cvlserv_pay", "公务员医疗补助资金支出", _M),
    Column("hifes_pay", "企业补充医疗保险基金支出", _M),
    Column("hifmi_pay", "居民大病保险资金支出", _M),
    Column("hifob_pay", "职工大额医疗费用补助基金支出", _M, aliases=("大额医疗补助基金支出",)),
    Column("hifdm_pay", "伤残人员医疗保障基金支出", _M),
    Column("maf_pay", "医疗救助基金支出", _M),
    Column("oth_pay", "其他支出", _M, aliases=("othfund_pay", "其他基金支出")),
    Column("fund_pay_sumamt", "基金支付总额", _M, required=True),
    Column(
        "psn_part_amt",
        "个人负担总金额",
        _M,
        required=True,
        aliases=("psn_pay", "个人支付总额", "个人支付金额"),
    ),
    # What the hospital bears (DRG overruns, waived fees): the patient's part is what neither
    # the funds nor the hospital pay.
    Column("hosp_part_amt", "医院负担金额", _M),
    Column("acct_pay", "个人账户支出", _M),
    Column("psn_cash_pay", "个人现金支出", _M, aliases=("cash_payamt", "现金支付金额")),
    Column("refd_setl_flag", "退费结算标志", Kind.FLAG),
    Column("init_setl_id", "原结算ID", Kind.ID),
    # Extension columns (not on the national platform; see docs/data-format.md).
    Column("excl_item_amt", "除外项目金额", _M),
    Column("inscp_over_max_amt", "超统筹最高支付限额政策内费用", _M),
    Column("special_drug_amt", "特药特材金额", _M),
    Column("ooc_cancer_drug_amt", "目录外抗肿瘤药金额", _M),
    Column("ooc_cancer_drug_reimbursed", "目录外抗肿瘤药已报销金额", _M),
    Column(
        "trt_category",
        "治疗类别",
        Kind.CHOICE,
        choices=("", "dialysis", "radiotherapy", "chemotherapy"),
    ),
    Column("cause", "除外原因", Kind.TEXT, max_length=20),
)
BY_NAME = {column.name: column for column in COLUMNS}
MONEY_COLUMNS = tuple(c.name for c in COLUMNS if c.kind is Kind.MONEY)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)
# Columns the header must name: the required ones and those the sums need.
HEADER_COLUMNS = tuple(c.name for c in COLUMNS if c.required or c.header)
CODE_COLUMNS = tuple(c.name for c in COLUMNS if c.kind is Kind.CODE)
STORED_FIELDS = tuple(field for c in COLUMNS for field in c.stored)


def family_fits(column: str, family: str) -> bool:
    """Whether `family` can be stored as the family of code column `column`: letters and
    digits, no longer than the column holds."""
    longest = BY_NAME[column].family_length if column in BY_NAME else 0
    return 0 < len(family) <= longest and family.isascii() and family.isalnum()


# Every header a column answers to: its name (any case), its Chinese label, its aliases.
NAMES: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.name, _column.label, *_column.aliases):
        NAMES[_name.lower()] = _column.name


def header_to_name(header: str) -> str | None:
    """The column a file's header cell names, or None (an unknown column, ignored)."""
    return NAMES.get(str(header).strip().lstrip("\ufeff").strip().lower())


# --- amounts ------------------------------------------------------------------------------------
# Each amount below 10^10 yuan (a settlement's real amounts are far below): then every figure
# made from one settlement, a benefit base adding all its amounts included, fits the stored
# numeric(14, 2) columns (below 10^12), and nothing fails in the database after the apply.
AMOUNT_DIGITS = 10
AMOUNT_LIMIT = Decimal(10) ** AMOUNT_DIGITS
TOLERANCE = Decimal("0.01")  # the sums hold within one fen
ZERO = Decimal("0.00")

FUND_PARTS = (
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "hifdm_pay",
    "maf_pay",
    "oth_pay",
)
COST_PARTS = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


@dataclass(frozen=True, slots=True)
class Balance:
    """`field` = the sum of `plus` minus the sum of `minus`, within one fen (R-CLM-1)."""

    field: str
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()

    @property
    def expression(self) -> str:
        return " + ".join(self.plus) + "".join(f" - {name}" for name in self.minus)

    def expected(self, get: Callable[[str], Decimal]) -> Decimal:
        return sum(map(get, self.plus), ZERO) - sum(map(get, self.minus), ZERO)

    def sql(self, value: Callable[[str], str]) -> str:
        expected = " + ".join(value(n) for n in self.plus) + "".join(
            f" - {value(n)}" for n in self.minus
        )
        return f"abs({value(self.field)} - ({expected})) <= {TOLERANCE}"


BALANCES = (
    Balance("medfee_sumamt", COST_PARTS),
    Balance("fund_pay_sumamt", FUND_PARTS),
    Balance("psn_part_amt", ("medfee_sumamt",), ("fund_pay_sumamt", "hosp_part_amt")),
)

# What a column the file leaves out holds (as the staging row stores it).
ABSENT: dict[Kind, object] = {
    Kind.MONEY: ZERO,
    Kind.FLAG: False,
    Kind.DATE: None,
    Kind.DATETIME: None,
}


def absent(field: str):
    """What a stored field holds when the file has no such column ('' for a code as sent)."""
    column = BY_NAME.get(field)
    return ABSENT.get(column.kind, "") if column is not None else ""


def _sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if value is False:  # before the amounts: False == 0
        return "false"
    return "''" if value == "" else str(value)


# --- the row rules, read in Python and in SQL ---------------------------------------------------
# A reversal (refd_setl_flag = 1) carries the original's amounts negated: none is positive.
# Any other row: none is negative. Then the balances, then begndate <= enddate. A row's values
# are already read and within range (forms.py) when these run.


def complete_record() -> dict:
    """A record holding every stored field as a file without it holds it; a row's values are
    written over it."""
    return {field: absent(field) for field in STORED_FIELDS}


def row_problems(record: dict) -> list[tuple[str, str, dict]]:
    """(column, code, params) of every rule the row breaks, in column order. `record` holds
    every field (complete_record)."""
    problems: list[tuple[str, str, dict]] = []
    if record["refd_setl_flag"]:
        problems.extend(
            (name, "positive_in_reversal", {"value": record[name]})
            for name in MONEY_COLUMNS
            if record[name] > 0
        )
    else:
        problems.extend(
            (name, "negative", {"value": record[name]})
            for name in MONEY_COLUMNS
            if record[name] < 0
        )
    for rule in BALANCES:
        expected, actual = rule.expected(record.__getitem__), record[rule.field]
        if abs(actual - expected) > TOLERANCE:
            params = {"field": rule.field, "expr": rule.expression}
            problems.append(
                (rule.field, "sum_mismatch", {**params, "expected": expected, "actual": actual})
            )
    begin, end = record["begndate"], record["enddate"]
    if begin and end and begin > end:
        problems.append(("begndate", "date_order", {}))
    return problems


def row_condition_sql(present: Callable[[str], bool], prefix: str = "") -> str:
    """`row_problems` finds nothing: an SQL condition over the typed columns of a staging row
    (`prefix` before each name). Columns the file lacks (`present` false) are their ABSENT."""

    def value(name: str) -> str:
        return f"{prefix}{name}" if present(name) else _sql_literal(absent(name))

    reversal = value("refd_setl_flag")
    money = [name for name in MONEY_COLUMNS if present(name)]
    not_positive = " AND ".join(f"{value(n)} <= 0" for n in money) or "true"
    not_negative = " AND ".join(f"{value(n)} >= 0" for n in money) or "true"
    checks = [
        f"(CASE WHEN {reversal} THEN {not_positive} ELSE {not_negative} END)",
        *(rule.sql(value) for rule in BALANCES),
        f"NOT coalesce({value('begndate')} > {value('enddate')}, false)",
    ]
    return " AND ".join(checks)
