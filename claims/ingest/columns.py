"""The columns of a settlement file: national platform names, Chinese header aliases, types.

docs/data-format.md is written from this table; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    MONEY = "money"
    DATETIME = "datetime"
    DATE = "date"
    FLAG = "flag"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    label: str  # the Chinese header an insurer's export usually carries
    kind: Kind
    required: bool = False
    max_length: int = 30
    choices: tuple[str, ...] = ()


_M = Kind.MONEY
COLUMNS: tuple[Column, ...] = (
    Column("setl_id", "结算ID", Kind.TEXT, required=True),
    Column("mdtrt_id", "就诊ID", Kind.TEXT, required=True),
    Column("psn_no", "人员编号", Kind.TEXT, required=True),
    Column("insutype", "险种类型", Kind.CHOICE, required=True, choices=("310", "390", "340")),
    Column("psn_type", "人员类别", Kind.TEXT),
    Column("med_type", "医疗类别", Kind.TEXT, required=True, max_length=6),
    Column("fixmedins_code", "定点医药机构编号", Kind.TEXT),
    Column("begndate", "开始日期", Kind.DATE),
    Column("enddate", "结束日期", Kind.DATE),
    Column("setl_time", "结算时间", Kind.DATETIME, required=True),
    Column("medfee_sumamt", "医疗费总额", _M, required=True),
    Column("fulamt_ownpay_amt", "全自费金额", _M),
    Column("overlmt_selfpay", "超限价自费费用", _M),
    Column("preselfpay_amt", "先行自付金额", _M),
    Column("inscp_scp_amt", "符合政策范围金额", _M),
    Column("act_pay_dedc", "实际支付起付线", _M),
    Column("hifp_pay", "基本医疗保险统筹基金支出", _M),
    Column("cvlserv_pay", "公务员医疗补助资金支出", _M),
    Column("hifes_pay", "企业补充医疗保险基金支出", _M),
    Column("hifmi_pay", "居民大病保险资金支出", _M),
    Column("hifob_pay", "职工大额医疗费用补助基金支出", _M),
    Column("maf_pay", "医疗救助基金支出", _M),
    Column("oth_pay", "其他支出", _M),
    Column("fund_pay_sumamt", "基金支付总额", _M, required=True),
    Column("psn_part_amt", "个人负担总金额", _M, required=True),
    Column("acct_pay", "个人账户支出", _M),
    Column("psn_cash_pay", "个人现金支出", _M),
    Column("refd_setl_flag", "退费结算标志", Kind.FLAG),
    Column("init_setl_id", "原结算ID", Kind.TEXT),
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

# Consistency rules, within one fen: field = sum of parts (R-CLM-1 data integrity).
FUND_PARTS = (
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "oth_pay",
)
COST_PARTS = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def header_to_name(header: str) -> str | None:
    """Map a file's header cell (national name in any case, or the Chinese label) to a column."""
    text = header.strip().lstrip("\ufeff").strip()
    lowered = text.lower()
    if lowered in BY_NAME:
        return lowered
    for column in COLUMNS:
        if text == column.label:
            return column.name
    return None
