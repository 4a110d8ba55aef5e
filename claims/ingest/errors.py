"""Row errors: where (row, column), what (a stable code) and why, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass

# code -> (Chinese, English); `{x}` placeholders are filled from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填项为空", "required value is missing"),
    "bad_number": ("不是有效金额：{value}", "not a valid amount: {value}"),
    "too_many_decimals": (
        "金额最多两位小数：{value}",
        "amounts have at most two decimals: {value}",
    ),
    "negative": (
        "金额不能为负（冲销记录除外）：{value}",
        "amount is negative outside a reversal: {value}",
    ),
    "bad_datetime": (
        "不是有效日期时间（应为 YYYY-MM-DD HH:MM:SS）：{value}",
        "not a valid date-time (YYYY-MM-DD HH:MM:SS): {value}",
    ),
    "bad_date": (
        "不是有效日期（应为 YYYY-MM-DD）：{value}",
        "not a valid date (YYYY-MM-DD): {value}",
    ),
    "bad_choice": (
        "取值不在允许范围内：{value}（允许：{allowed}）",
        "{value} is not one of {allowed}",
    ),
    "too_long": ("超过最大长度 {max}：{value}", "longer than {max} characters: {value}"),
    # No value in the message: the character itself cannot be stored or exported.
    "bad_character": ("文本中含有 NUL 字符（\\0）", "text contains a NUL character (\\0)"),
    "sum_mismatch": (
        "{field} 应等于 {expr} = {expected}，实际为 {actual}",
        "{field} must equal {expr} = {expected}, got {actual}",
    ),
    "date_order": ("入院日期晚于出院日期", "begndate is after enddate"),
    "duplicate_in_file": (
        "结算ID在文件中重复（首次出现于第 {first_row} 行）",
        "setl_id repeats row {first_row} of this file",
    ),
    "duplicate_stored": ("结算ID已存在于已入库数据中", "setl_id is already stored"),
    "reversal_without_original": (
        "冲销记录找不到原结算（init_setl_id={value}）",
        "reversal names no known original (init_setl_id={value})",
    ),
    "reversal_missing_init": ("冲销记录缺少原结算ID init_setl_id", "reversal lacks init_setl_id"),
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
