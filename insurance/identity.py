"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Pure functions: validation, check digits, and the birth date and sex an ID number encodes.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_CERTNO_RE = re.compile(r"^\d{17}[\dX]$")


def certno_check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def certno_normalise(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def certno_birth_date(certno: str) -> dt.date | None:
    try:
        return dt.date(int(certno[6:10]), int(certno[10:12]), int(certno[12:14]))
    except ValueError:
        return None


def certno_sex(certno: str) -> str:
    """ "1" male, "2" female (the 17th digit is odd for men)."""
    return "1" if int(certno[16]) % 2 else "2"


def certno_problem(value: str) -> str | None:
    """A Chinese message saying what is wrong with an ID number, or None when it is valid."""
    certno = certno_normalise(value)
    if not _CERTNO_RE.match(certno):
        return _("身份证号必须是 18 位（前 17 位数字，最后一位数字或 X）。")
    birth = certno_birth_date(certno)
    if birth is None or birth.year < 1890:
        return _("身份证号中的出生日期无效。")
    expected = certno_check_digit(certno[:17])
    if certno[17] != expected:
        return _("身份证号校验位错误（应为 %(expected)s）。") % {"expected": expected}
    return None


def validate_certno(value: str) -> None:
    problem = certno_problem(value)
    if problem:
        raise ValidationError(problem, code="certno")


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = (value or "").strip().upper()
    if not _USCC_RE.match(code) or uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码无效（18 位，含校验位）。"), code="uscc")
