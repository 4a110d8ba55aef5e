"""Row errors: where (row, column), what (a stable code) and why, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass

# code -> (Chinese, English); `{x}` placeholders are filled from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填项为空", "required value is missing"),
    "bad_number": (
        "不是有效金额：{value}（应写成 12345.67 或 1,234.50）",
        "not a valid amount: {value} (write 12345.67 or 1,234.50)",
    ),
    "too_many_decimals": (
        "金额最多两位小数：{value}",
        "amounts have at most two decimals: {value}",
    ),
    "out_of_range": (
        "金额超出范围（绝对值须小于 {limit}）：{value}",
        "amount out of range (must be below {limit} in absolute value): {value}",
    ),
    "negative": (
        "非退费记录的金额不能为负：{value}（退费记录请填 refd_setl_flag = 1）",
        "negative amount in a row that is not a refund: {value} (mark refunds refd_setl_flag = 1)",
    ),
    "positive_in_reversal": (
        "退费记录应填原结算金额的相反数，不能为正：{value}",
        "a refund carries the original's amounts negated, never positive: {value}",
    ),
    "bad_datetime": (
        "不是有效日期时间（应为 YYYY-MM-DD HH:MM:SS，年份 1900–2099）：{value}",
        "not a valid date-time (YYYY-MM-DD HH:MM:SS, years 1900-2099): {value}",
    ),
    "bad_date": (
        "不是有效日期（应为 YYYY-MM-DD，年份 1900–2099）：{value}",
        "not a valid date (YYYY-MM-DD, years 1900-2099): {value}",
    ),
    "serial_date": (
        "日期单元格是数字 {value}（Excel 序列日期，即 {shown}），不是日期：请把该列设为日期格式，"
        "或写成 YYYY-MM-DD HH:MM:SS",
        "the date cell holds the number {value} (an Excel serial date: {shown}), not a date: "
        "format the column as a date, or write YYYY-MM-DD HH:MM:SS",
    ),
    "json_not_fen": (
        "JSON 数字 {value} 不是精确到分的金额（二进制浮点数的写法）：请以两位小数写出金额，"
        '如 49667.14 或 "49667.14"（Java 请用 BigDecimal）',
        "the JSON number {value} is not an amount exact to the fen (a binary float's digits): "
        'write amounts with two decimals, e.g. 49667.14 or "49667.14" (BigDecimal in Java)',
    ),
    "bad_choice": (
        "取值不在允许范围内：{value}（允许：{allowed}）",
        "{value} is not one of {allowed}",
    ),
    "unknown_code": (
        "代码 {value} 不在本市的代码对照中：请核对，或请医保经办机构在“代码对照”中添加",
        "code {value} is not in the city's code mapping: check it, or ask the bureau to add it",
    ),
    "too_long": ("超过最大长度 {max}：{value}", "longer than {max} characters: {value}"),
    "not_text": ("应为文本：{value}", "must be text: {value}"),
    "id_as_number": (
        "编号被表格软件存成了数字（{value}），超过 15 位的数字已丢失："
        "请把该列设为文本格式后重新导出",
        "the ID was held as a number ({value}); digits beyond 15 are lost: format the column as "
        "text and export again",
    ),
    "id_zeroed": (
        "编号 {value} 超过 15 位，第 15 位之后全是 0：该列曾被表格软件存成数字，后面的数字已丢失"
        "（本文件该列所有长编号都是这样）。请在源系统中把该列设为文本格式后重新导出",
        "the ID {value} has more than 15 digits and only zeros after the 15th: the column went "
        "through a spreadsheet as a number and lost its last digits (every long ID of this "
        "column in the file does). Format the column as text in the source and export again",
    ),
    # No value in the message: the character itself cannot be stored or exported.
    "bad_character": (
        "文本中含有无法保存的字符（NUL 或不成对的代理字符）",
        "text contains a character that cannot be stored (NUL or a lone surrogate)",
    ),
    "extra_cells": (
        '该行比表头多 {count} 个单元格：金额中的千分位逗号须加引号（"1,234.50"）',
        "the row has {count} more cells than the header: quote amounts with thousands "
        'separators ("1,234.50")',
    ),
    "sum_mismatch": (
        "{field} 应等于 {expr} = {expected}，实际为 {actual}",
        "{field} must equal {expr} = {expected}, got {actual}",
    ),
    "date_order": ("入院日期晚于出院日期", "begndate is after enddate"),
    "duplicate_in_file": (
        "结算ID在文件中重复（首次出现于第 {first_row} 行）",
        "setl_id repeats row {first_row} of this file",
    ),
    "duplicate_stored": (
        "结算ID已存在于本合同已入库数据中",
        "setl_id is already stored for this contract",
    ),
    "reversal_without_original": (
        "退费记录找不到原结算（{value}）：请填写 init_setl_id，"
        "原结算须在本文件或本合同已入库数据中",
        "the refund names no known original ({value}): give init_setl_id; the original must be "
        "in this file or stored for this contract",
    ),
    "reversal_ambiguous": (
        "退费记录未填 init_setl_id，同一就诊ID {value} 下有多笔可能的原结算：请填写 init_setl_id",
        "the refund has no init_setl_id and mdtrt_id {value} has several possible originals: "
        "give init_setl_id",
    ),
    "reversal_mismatch": (
        "退费记录与原结算 {original} 不符：{field} 应为 {expected}，实际为 {actual}",
        "the refund does not match its original {original}: {field} must be {expected}, got "
        "{actual}",
    ),
    "already_reversed": (
        "原结算 {value} 已被退费（或本文件中有另一笔退费指向它）",
        "the original {value} is already refunded (or another refund in this file names it)",
    ),
    "unknown_person": (
        "人员编号不存在于参保人员库：{value}",
        "psn_no is not a registered person: {value}",
    ),
    "not_enrolled": (
        "结算日期 {value} 该人员未参保本方案",
        "the person is not enrolled in this scheme on {value}",
    ),
    "missing_column": ("缺少必需的列：{value}", "required column is missing: {value}"),
    "bad_json": ("不是有效的 JSON 对象：{value}", "not a valid JSON object: {value}"),
    "too_many_errors": (
        "错误过多，已停止检查（前 {value} 个错误已列出）",
        "too many errors; checking stopped after {value}",
    ),
}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 1-based data row as the user sees it in a spreadsheet (header is row 1)
    column: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, language: str = "zh") -> str:
        zh, en = MESSAGES[self.code]
        template = en if language.startswith("en") else zh
        return template.format(**dict(self.params))

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message("zh"),
            "message_en": self.message("en"),
        }


def error(row: int, column: str, code: str, **params) -> RowError:
    return RowError(row, column, code, tuple((k, str(v)[:80]) for k, v in params.items()))


class FileRejected(Exception):
    """The file as a whole cannot be read (format, encoding, size, zip bomb, header)."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
