"""A year scenario (docs/scenarios.md): one scheme year for one contract, as a JSON file beside
a persons CSV and one or more settlement files. Read here, with every problem located by file,
row and field (in Chinese and English); run by `claims.oversight.services.year_simulation`.

Amounts and rates are text ("60.00"), never JSON numbers: a float has lost the fen already.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from contracts.choices import (
    LossSharing,
    PlatformFeeKind,
    SettlementRule,
    SurplusRule,
)
from insurance.choices import (
    InsuType,
    PaymentChannel,
    PersonType,
    SchemeKind,
    SpecialStatusKind,
)
from insurance.engine.money import quantize
from insurance.funding import funding_errors


class ScenarioError(ValueError):
    """Problems of a scenario, each `file 第N行 field: message / message_en`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _where(file: str, row: int | None, name: str) -> str:
    return f"{file}" + (f" 第{row}行" if row else "") + (f" {name}" if name else "")


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, file: str, row: int | None, name: str, zh: str, en: str) -> None:
        self.items.append(f"{_where(file, row, name)}：{zh} / {en}")

    def raise_any(self) -> None:
        if self.items:
            raise ScenarioError(self.items)


CONTRACT_TERMS = {
    # name: (kind, choices or None)
    "settlement_rule": ("choice", SettlementRule.values),
    "transfer_share": ("percent", None),
    "reserve_share": ("percent", None),
    "profit_cap": ("percent", None),
    "surplus_rule": ("choice", SurplusRule.values),
    "loss_sharing": ("choice", LossSharing.values),
    "loss_share_insurer": ("percent", None),
    "payout_threshold": ("percent", None),
    "staff_cost_allowance": ("percent", None),
    "adjustment_band_low": ("percent", None),
    "adjustment_band_high": ("amount", None),
    "platform_fee_kind": ("choice", PlatformFeeKind.values),
    "platform_fee_rate": ("percent", None),
    "platform_fee_amount": ("amount", None),
    "starts_on": ("date", None),
    "ends_on": ("date", None),
    "coverage_from": ("date", None),
}
YEAR_END_FIELDS = ("interest", "allowed_costs", "policy_loss")
FUNDING_INPUTS = (
    "payroll",
    "accumulated_balance",
    "payroll_source",
    "balance_source",
    "headcount",
    "headcount_source",
)
TOP_LEVEL = {
    "name", "plan", "plan_file", "scheme", "year", "coverage_start", "coverage_end",
    "insurance_year_start", "references", "funding", "contract", "persons", "settlements",
    "evaluation", "carried_in", "year_end", "notes",
}  # fmt: skip
REFERENCE_KEYS = {
    "disposable_income_urban": "prev_disposable_income_urban",
    "disposable_income_rural": "prev_disposable_income_rural",
    "basic_funding_per_capita": "prev_basic_funding_per_capita",
}


PERSON_COLUMNS = (
    "psn_no", "insutype", "psn_type", "birth_date", "sex", "rural", "cvlserv_flag",
    "insured_since", "hire_date", "special_statuses", "enrol_start", "payment_channel",
    "premium", "left_on",
)  # fmt: skip


@dataclass
class PersonRow:
    row: int
    psn_no: str
    insutype: str
    psn_type: str
    birth_date: dt.date
    sex: str
    rural: bool
    cvlserv_flag: bool
    insured_since: dt.date | None
    hire_date: dt.date | None
    statuses: list[tuple[str, dt.date | None, dt.date | None]]
    enrol_start: dt.date | None
    payment_channel: str
    premium: Decimal | None
    left_on: dt.date | None


@dataclass
class Scenario:
    path: Path
    name: str
    plan_code: str
    plan_document: dict | None
    scheme_kind: str
    year: int
    coverage_start: dt.date
    coverage_end: dt.date
    insurance_year_start: dt.date | None
    references: dict[str, Decimal]
    funding_kind: str
    funding_params: dict
    funding_inputs: dict
    contract: dict
    persons: list[PersonRow]
    persons_file: str
    settlement_files: list[Path]
    evaluation_score: Decimal | None
    carried_in: Decimal
    year_end: dict


def _amount(value, problems: Problems, file: str, name: str, row: int | None = None):
    if isinstance(value, float | int | bool):
        problems.add(file, row, name, "金额请写成文本（如 \"60.00\"），不要写数字",
                     'write amounts as text ("60.00"), not as a JSON number')  # fmt: skip
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        problems.add(file, row, name, f"不是有效的金额：{value}", f"not an amount: {value}")
        return None
    if not number.is_finite() or number != quantize(number):
        problems.add(file, row, name, f"金额最多两位小数：{value}", f"at most 2 decimals: {value}")
        return None
    return number


def _date(value, problems: Problems, file: str, name: str, row: int | None = None):
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(file, row, name, f"日期格式应为 YYYY-MM-DD：{value}",
                     f"dates are YYYY-MM-DD: {value}")  # fmt: skip
        return None


def _flag(value: str, problems: Problems, file: str, row: int, name: str) -> bool:
    value = (value or "0").strip()
    if value not in ("0", "1"):
        problems.add(file, row, name, "应为 0 或 1", "must be 0 or 1")
    return value == "1"


def scenario_load(path: Path) -> Scenario:
    """Read and check a scenario file and its persons CSV (settlement files are checked by the
    ingest itself when the scenario runs). Raises ScenarioError with every problem found."""
    path = Path(path)
    file = path.name
    problems = Problems()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError([f"{file}：文件不存在 / no such file"]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError([f"{file}：不是有效的 JSON / not valid JSON: {exc}"]) from None
    if not isinstance(document, dict):
        raise ScenarioError([f"{file}：应为 JSON 对象 / must be a JSON object"])
    unknown = Problems()
    for key in sorted(set(document) - TOP_LEVEL):
        unknown.add(file, None, key, "未知字段", "unknown field")
    for key in ("year", "coverage_start", "coverage_end", "funding", "contract", "persons",
                "settlements"):  # fmt: skip
        if key not in document:
            problems.add(file, None, key, "缺少必填字段", "required")
    if ("plan" in document) == ("plan_file" in document):
        problems.add(file, None, "plan", "写 plan（方案编码）或 plan_file（方案文件）之一",
                     "give plan (a shipped code) or plan_file, one of them")  # fmt: skip
    problems.raise_any()
    problems = unknown  # unknown fields are reported with everything else found below

    plan_document = None
    if "plan_file" in document:
        plan_path = path.parent / document["plan_file"]
        try:
            plan_document = json.loads(plan_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            problems.add(file, None, "plan_file", f"无法读取方案文件：{exc}",
                         f"unreadable plan file: {exc}")  # fmt: skip
    year = document["year"]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        problems.add(file, None, "year", "年度应为 2000-2100 的整数", "an integer 2000-2100")
    start = _date(document["coverage_start"], problems, file, "coverage_start")
    end = _date(document["coverage_end"], problems, file, "coverage_end")
    insurance_start = None
    if document.get("insurance_year_start"):
        insurance_start = _date(document["insurance_year_start"], problems, file,
                                "insurance_year_start")  # fmt: skip
    if start and end and end < start:
        problems.add(file, None, "coverage_end", "早于保障开始日期", "before coverage_start")
    if insurance_start and start and end and not start <= insurance_start <= end:
        problems.add(file, None, "insurance_year_start", "应在保障开始与结束日期之间",
                     "must lie between coverage_start and coverage_end")  # fmt: skip
    scheme_kind = document.get("scheme", SchemeKind.EMPLOYEE_SUPPLEMENTARY)
    if scheme_kind not in SchemeKind.values:
        problems.add(file, None, "scheme", f"方案类型应为 {SchemeKind.values} 之一",
                     f"one of {SchemeKind.values}")  # fmt: skip
    references = {}
    for key, value in _object(document, "references", problems, file).items():
        if key not in REFERENCE_KEYS:
            problems.add(file, None, f"references.{key}", "未知的参考数据",
                         f"unknown reference, known: {sorted(REFERENCE_KEYS)}")  # fmt: skip
        else:
            references[key] = _amount(value, problems, file, f"references.{key}")
    funding = _object(document, "funding", problems, file)
    funding_kind, funding_params = funding.get("kind"), funding.get("params") or {}
    for name, message in funding_errors(funding_kind, funding_params).items():
        where = "funding.kind" if name == "funding_kind" else f"funding.params.{name}"
        problems.add(file, None, where, message, "invalid funding rule (docs/funds.md)")
    inputs = _funding_inputs(funding, problems, file)
    contract = _contract_terms(document["contract"], problems, file)
    year_end = {}
    for name, value in _object(document, "year_end", problems, file).items():
        if name == "policy_loss_reason":
            year_end[name] = str(value)
        elif name in YEAR_END_FIELDS:
            year_end[name] = _amount(value, problems, file, f"year_end.{name}")
        else:
            problems.add(file, None, f"year_end.{name}", "未知字段", "unknown field")
    score = None
    evaluation = _object(document, "evaluation", problems, file)
    if "score" in evaluation:
        score = _amount(evaluation["score"], problems, file, "evaluation.score")
        if score is not None and not Decimal(0) <= score <= Decimal(100):
            problems.add(file, None, "evaluation.score", "得分应在 0 到 100 之间", "0 to 100")
    carried_in = _amount(document.get("carried_in", "0.00"), problems, file, "carried_in")
    settlements = document["settlements"]
    if isinstance(settlements, str):
        settlements = [settlements]
    if not isinstance(settlements, list) or not all(isinstance(n, str) for n in settlements):
        problems.add(file, None, "settlements", "应为文件名或文件名列表", "a file name or a list")
        settlements = []
    files = [path.parent / name for name in settlements]
    for name, found in zip(settlements, files, strict=True):
        if not found.is_file():
            problems.add(file, None, "settlements", f"文件不存在：{name}", f"no such file: {name}")
    persons = []
    if isinstance(document["persons"], str):
        persons = _persons(path.parent / document["persons"], problems)
    else:
        problems.add(file, None, "persons", "应为文件名", "a file name")
    problems.raise_any()
    return Scenario(
        path=path,
        name=str(document.get("name") or path.stem),
        plan_code=(plan_document or {}).get("code") or document.get("plan", ""),
        plan_document=plan_document,
        scheme_kind=scheme_kind,
        year=year,
        coverage_start=start,
        coverage_end=end,
        insurance_year_start=insurance_start,
        references=references,
        funding_kind=funding_kind,
        funding_params=funding_params,
        funding_inputs=inputs,
        contract=contract,
        persons=persons,
        persons_file=str(document["persons"]),
        settlement_files=files,
        evaluation_score=score,
        carried_in=carried_in,
        year_end=year_end,
    )


def _object(document: dict, key: str, problems: Problems, file: str) -> dict:
    value = document.get(key) or {}
    if not isinstance(value, dict):
        problems.add(file, None, key, "应为 JSON 对象", "must be a JSON object")
        return {}
    return value


def _funding_inputs(funding: dict, problems: Problems, file: str) -> dict:
    inputs = dict(_object(funding, "inputs", problems, file))
    for name in set(inputs) - {*FUNDING_INPUTS, "declared", "snapshot_date"}:
        problems.add(file, None, f"funding.inputs.{name}", "未知字段", "unknown field")
    if "headcount" in inputs and (
        not isinstance(inputs["headcount"], int) or isinstance(inputs["headcount"], bool)
        or inputs["headcount"] < 0
    ):  # fmt: skip
        problems.add(file, None, "funding.inputs.headcount", "参保人数应为非负整数",
                     "a whole number, 0 or more")  # fmt: skip
    for name in ("payroll", "accumulated_balance"):
        if name in inputs:
            inputs[name] = _amount(inputs[name], problems, file, f"funding.inputs.{name}")
    if "snapshot_date" in inputs:
        inputs["snapshot_date"] = _date(
            inputs["snapshot_date"], problems, file, "funding.inputs.snapshot_date"
        )
    declared = inputs.get("declared", {})
    if not isinstance(declared, dict):
        problems.add(file, None, "funding.inputs.declared", "应为 JSON 对象", "a JSON object")
    else:
        for key, value in declared.items():
            _amount(value, problems, file, f"funding.inputs.declared.{key}")
    return inputs


def _contract_terms(terms, problems: Problems, file: str) -> dict:
    if not isinstance(terms, dict):
        problems.add(file, None, "contract", "应为 JSON 对象", "must be a JSON object")
        return {}
    out: dict = {}
    for name, value in terms.items():
        where = f"contract.{name}"
        if name not in CONTRACT_TERMS:
            problems.add(file, None, where, "未知的合同条款",
                         f"unknown term, known: {sorted(CONTRACT_TERMS)}")  # fmt: skip
            continue
        kind, choices = CONTRACT_TERMS[name]
        if kind == "choice":
            if value not in choices:
                problems.add(file, None, where, f"应为 {choices} 之一", f"one of {choices}")
            out[name] = value
        elif kind == "date":
            out[name] = _date(value, problems, file, where)
        else:
            amount = _amount(value, problems, file, where)
            if kind == "percent" and amount is not None and not 0 <= amount <= 100:
                problems.add(file, None, where, "比例应在 0 到 100 之间", "a percent 0 to 100")
            out[name] = amount
    return out


def _statuses(text: str, problems: Problems, file: str, row: int):
    """`dibao` (held all along), `dibao@2025-07-01` or `dibao@2025-07-01~2025-12-31`; `;`
    between several."""
    out = []
    for item in (part.strip() for part in (text or "").split(";")):
        if not item:
            continue
        kind, _at, span = item.partition("@")
        if kind not in SpecialStatusKind.values:
            problems.add(file, row, "special_statuses", f"未知身份：{kind}",
                         f"unknown status, known: {SpecialStatusKind.values}")  # fmt: skip
            continue
        start_text, _sep, end_text = span.partition("~")
        start = _date(start_text, problems, file, "special_statuses", row) if start_text else None
        end = _date(end_text, problems, file, "special_statuses", row) if end_text else None
        out.append((kind, start, end))
    return out


def _optional_date(row: dict, name: str, problems: Problems, file: str, number: int):
    value = (row.get(name) or "").strip()
    return _date(value, problems, file, name, number) if value else None


def _persons(path: Path, problems: Problems) -> list[PersonRow]:
    file = path.name
    if not path.is_file():
        problems.add(file, None, "", "文件不存在", "no such file")
        return []
    people: list[PersonRow] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        for column in ("psn_no", "insutype"):
            if column not in header:
                problems.add(file, 1, column, "缺少必需的列", "required column missing")
        for column in header:
            if column not in PERSON_COLUMNS:
                known = ", ".join(PERSON_COLUMNS)
                problems.add(file, 1, column, "未知的列（拼写？）",
                             f"unknown column (a typo?), known: {known}")  # fmt: skip
        if problems.items:
            return []
        for number, row in enumerate(reader, start=2):
            psn_no = (row.get("psn_no") or "").strip()
            if not psn_no:
                problems.add(file, number, "psn_no", "必填", "required")
                continue
            if psn_no in seen:
                problems.add(file, number, "psn_no", f"重复：{psn_no}", f"duplicate: {psn_no}")
            seen.add(psn_no)
            insutype = (row.get("insutype") or "").strip()
            if insutype not in InsuType.values:
                problems.add(file, number, "insutype", f"险种应为 {InsuType.values} 之一",
                             f"one of {InsuType.values}")  # fmt: skip
            default_type = PersonType.EMPLOYED if insutype == "310" else PersonType.RESIDENT_ADULT
            psn_type = (row.get("psn_type") or "").strip() or default_type
            if psn_type not in PersonType.values:
                problems.add(file, number, "psn_type", f"人员类别应为 {PersonType.values} 之一",
                             f"one of {PersonType.values}")  # fmt: skip
            channel = (row.get("payment_channel") or "").strip() or PaymentChannel.NONE
            if channel not in PaymentChannel.values:
                problems.add(file, number, "payment_channel",
                             f"缴费渠道应为 {PaymentChannel.values} 之一",
                             f"one of {PaymentChannel.values}")  # fmt: skip
            premium_text = (row.get("premium") or "").strip()
            sex = (row.get("sex") or "1").strip()
            if sex not in ("1", "2"):
                problems.add(file, number, "sex", "性别应为 1（男）或 2（女）", "1 (male) or 2")
            people.append(
                PersonRow(
                    row=number,
                    psn_no=psn_no,
                    insutype=insutype,
                    psn_type=psn_type,
                    birth_date=_optional_date(row, "birth_date", problems, file, number)
                    or dt.date(1970, 1, 1),
                    sex=sex,
                    rural=_flag(row.get("rural", ""), problems, file, number, "rural"),
                    cvlserv_flag=_flag(
                        row.get("cvlserv_flag", ""), problems, file, number, "cvlserv_flag"
                    ),
                    insured_since=_optional_date(row, "insured_since", problems, file, number),
                    hire_date=_optional_date(row, "hire_date", problems, file, number),
                    statuses=_statuses(row.get("special_statuses", ""), problems, file, number),
                    enrol_start=_optional_date(row, "enrol_start", problems, file, number),
                    payment_channel=channel,
                    premium=_amount(premium_text, problems, file, "premium", number)
                    if premium_text
                    else None,
                    left_on=_optional_date(row, "left_on", problems, file, number),
                )
            )
    if not people:
        problems.add(file, None, "", "没有参保人", "no persons")
    return people
