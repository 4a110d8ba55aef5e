"""Masking of personal data for screens, exports and audit entries.

mask_certno("110101199003074514") -> "110***********4514"
mask_name("张三") -> "张*"; mask_name("欧阳娜娜") -> "欧阳**" (compound surnames are kept)
mask_phone("13812345678") -> "138****5678"
birth_year(date(1990, 3, 7)) -> "1990" (where the ID number is masked, see `birth_year`)
"""

from __future__ import annotations


def mask_certno(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "令狐",
        "慕容",
        "尉迟",
        "公孙",
        "夏侯",
        "轩辕",
        "端木",
        "长孙",
        "宇文",
        "司徒",
        "申屠",
        "独孤",
        "南宫",
        "西门",
        "万俟",
        "闻人",
        "澹台",
        "呼延",
        "拓跋",
        "司空",
        "太史",
        "仲孙",
        "钟离",
        "百里",
    ]
)


def mask_name(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    keep = 2 if len(value) > 2 and value[:2] in COMPOUND_SURNAMES else 1
    return value[:keep] + "*" * max(len(value) - keep, 1)


def mask_phone(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def birth_year(value) -> str:
    """A birth date coarsened to its year ("1990"): shown wherever the ID number is masked.

    The masked ID keeps the first 3 and last 4 characters; what it hides is the rest of the
    region code and the 8 digits of the birth date. A full birth date beside it (and a region
    code, which for most people is the ID's first 6 digits) leaves nothing hidden but the check
    digit, so the ID number is rebuilt. With the year only, about 33 numbers fit each row
    (365 days, 1 in 11 passing the check digit)."""
    if not value:
        return ""
    return str(getattr(value, "year", str(value)[:4]))


MASKERS = {"certno": mask_certno, "name": mask_name, "phone": mask_phone}


def mask(kind: str, value: str | None) -> str:
    """Mask `value` as `kind` ("certno", "name" or "phone")."""
    return MASKERS[kind](value)


def masked_dict(data: dict, personal: dict[str, str]) -> dict:
    """A copy of `data` with each key of `personal` ({field: kind}) masked."""
    return {k: (mask(personal[k], v) if k in personal and v else v) for k, v in data.items()}
