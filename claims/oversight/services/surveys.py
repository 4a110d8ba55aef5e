"""Import of satisfaction survey results (CSV/XLSX) per contract and period.

Every row is checked first; the report names the row (as in the file, the header is row 1), the
column and the reason, in Chinese. Any bad row and nothing is written; otherwise all rows are
imported in one transaction through `SatisfactionSurveyResource`, with one audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from audit import events
from audit.errors import NotPermitted
from claims.oversight.models import SatisfactionSurvey
from claims.oversight.resources import COLUMNS, SatisfactionSurveyResource
from contracts.selectors import contract_for_user, insurer_of


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("第 %(r)s 行「%(c)s」：%(m)s") % {
            "r": self.row,
            "c": self.column,
            "m": self.reason,
        }


@dataclass
class SurveyImportResult:
    errors: list[RowError]
    imported: int = 0


def _load(content: bytes, filename: str) -> tablib.Dataset:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return tablib.Dataset().load(content, format="xlsx")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。"))
    return tablib.Dataset().load(text, format="csv")


def _date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise ValueError(_("日期“%(v)s”无法识别，请写成 2025-01-31。") % {"v": text})


def _int(value) -> int:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("“%(v)s”不是整数。") % {"v": value}) from None
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("“%(v)s”不是非负整数。") % {"v": value})
    return int(number)


def _check_row(n: int, row: dict, contracts: dict, seen: set) -> tuple[list[RowError], dict]:
    errors, clean = [], {}

    def fail(key, reason):
        errors.append(RowError(n, COLUMNS[key], str(reason)))

    number = str(row.get(COLUMNS["contract"]) or "").strip()
    if number not in contracts:
        fail("contract", _("找不到合同编号“%(v)s”，或无权导入该合同。") % {"v": number})
    else:
        clean["contract"] = contracts[number]
    for key, parse in (
        ("period_start", _date),
        ("period_end", _date),
        ("respondents", _int),
        ("satisfied", _int),
    ):
        try:
            clean[key] = parse(row.get(COLUMNS[key]))
        except ValueError as exc:
            fail(key, exc)
    try:
        clean["score"] = Decimal(str(row.get(COLUMNS["score"])).strip())
        if not Decimal(0) <= clean["score"] <= Decimal(100):
            fail("score", _("满意度得分必须在 0 到 100 之间。"))
    except InvalidOperation:
        fail("score", _("“%(v)s”不是数字。") % {"v": row.get(COLUMNS["score"])})
    if errors:
        return errors, clean
    if clean["period_end"] < clean["period_start"]:
        fail("period_end", _("调查期间止不能早于调查期间起。"))
    if clean["respondents"] < 1:
        fail("respondents", _("受访人数至少为 1。"))
    if clean["satisfied"] > clean["respondents"]:
        fail("satisfied", _("满意人数不能大于受访人数。"))
    key = (number, clean["period_start"], clean["period_end"])
    if key in seen:
        fail("period_start", _("文件中重复的合同与调查期间。"))
    seen.add(key)
    exists = SatisfactionSurvey.objects.filter(
        contract=clean["contract"],
        period_start=clean["period_start"],
        period_end=clean["period_end"],
    ).exists()
    if exists:
        fail("period_start", _("该合同该期间的调查结果已经导入。"))
    return errors, clean


def survey_import(*, content: bytes, filename: str, actor, request=None) -> SurveyImportResult:
    """Validate the whole file, then import it all or nothing."""
    if actor is None or not actor.has_perm("claims.add_satisfactionsurvey") or insurer_of(actor):
        raise NotPermitted(_("您没有导入满意度调查结果的权限。"))
    try:
        dataset = _load(content, filename)
    except Exception as exc:
        return SurveyImportResult(errors=[RowError(1, "-", _("文件无法读取：%(e)s") % {"e": exc})])
    missing = [c for c in COLUMNS.values() if c not in (dataset.headers or []) and c != "调查机构"]
    if missing:
        reason = _("缺少列：%(c)s。") % {"c": "、".join(missing)}
        return SurveyImportResult(errors=[RowError(1, "-", reason)])
    contracts = {c.number: c for c in contract_for_user(actor)}
    errors, seen = [], set()
    for n, row in enumerate(dataset.dict, start=2):
        row_errors, _clean = _check_row(n, row, contracts, seen)
        errors.extend(row_errors)
    if errors:
        return SurveyImportResult(errors=errors)
    with transaction.atomic():
        result = SatisfactionSurveyResource(actor=actor).import_data(
            dataset, dry_run=False, raise_errors=True, use_transactions=False
        )
        events.batch(
            actor=actor,
            obj=None,
            summary=f"导入满意度调查结果 {filename}（{len(dataset)} 行）",
            checksum=hashlib.sha256(content).hexdigest(),
            count=len(dataset),
            request=request,
        )
    return SurveyImportResult(errors=[], imported=result.totals.get("new", 0))
