"""The codes a settlement file may carry in its code columns (spec.Kind.CODE), and the family
each stands for: benefit plans speak of families (`"med_types": ["21", "14"]`), insurers' files
of their city's codes.

The national families are shipped here and copied into the admin-editable table
(claims.models.CodeMapping) by `national_codes_ensure` after every migrate (claims/apps.py); each
city adds its own codes there. A code no
mapping knows is refused at ingest, naming it: it is never stored unread.
"""

from __future__ import annotations

from typing import NamedTuple

CodeBook = dict[str, dict[str, str]]  # column -> {code as sent -> family}


class Code(NamedTuple):
    column: str
    code: str
    family: str
    label: str


NATIONAL_CODES: tuple[Code, ...] = (
    # 险种类型 (insutype): supplementary cover follows the person's basic medical insurance.
    # Its add-on funds count as the basic insurance they top up; long-term care (410),
    # maternity (510) and the others are not medical insurance this scheme covers.
    Code("insutype", "310", "310", "职工基本医疗保险"),
    Code("insutype", "320", "310", "公务员医疗补助"),
    Code("insutype", "330", "310", "大额医疗费用补助"),
    Code("insutype", "340", "340", "离休人员医疗保障"),
    Code("insutype", "370", "310", "企业补充医疗保险"),
    Code("insutype", "390", "390", "城乡居民基本医疗保险"),
    Code("insutype", "391", "390", "城乡居民补充医疗保险"),
    Code("insutype", "392", "390", "城乡居民大病保险"),
    Code("insutype", "职工基本医疗保险", "310", "职工基本医疗保险"),
    Code("insutype", "城乡居民基本医疗保险", "390", "城乡居民基本医疗保险"),
    # 医疗类别 (med_type): the national codes are their own families; cities' sub-codes and
    # the words exports use belong to the family they subdivide. The national list puts 22
    # (外伤住院) and 24 (急诊转住院) among the inpatient kinds (2x 住院): they are stays in
    # hospital, which plans speak of as 21, so a plan's "21" covers them.
    Code("med_type", "11", "11", "普通门诊"),
    Code("med_type", "12", "12", "门诊挂号"),
    Code("med_type", "13", "13", "急诊"),
    Code("med_type", "14", "14", "门诊慢特病"),
    Code("med_type", "21", "21", "普通住院"),
    Code("med_type", "22", "21", "外伤住院"),
    Code("med_type", "24", "21", "急诊转住院"),
    Code("med_type", "31", "31", ""),
    Code("med_type", "41", "41", "定点药店购药"),
    Code("med_type", "51", "51", "生育门诊"),
    Code("med_type", "52", "52", "生育住院"),
    Code("med_type", "9901", "9901", ""),
    Code("med_type", "2101", "21", "住院（地方细分）"),
    Code("med_type", "2102", "21", "住院（地方细分）"),
    Code("med_type", "2106", "21", "住院（地方细分）"),
    Code("med_type", "2107", "21", "住院（地方细分）"),
    Code("med_type", "普通门诊", "11", "普通门诊"),
    Code("med_type", "急诊", "13", "急诊"),
    Code("med_type", "门诊慢特病", "14", "门诊慢特病"),
    Code("med_type", "门诊慢性病", "14", "门诊慢特病"),
    Code("med_type", "门诊特殊病", "14", "门诊慢特病"),
    Code("med_type", "普通住院", "21", "普通住院"),
    Code("med_type", "住院", "21", "普通住院"),
)


def family_names(column: str) -> dict[str, str]:
    """A code column's families by their names: {"21": "普通住院", ...}."""
    return {c.family: c.label for c in NATIONAL_CODES if c.column == column and c.code == c.family}


def national_codebook() -> CodeBook:
    """The shipped mapping alone (tests, and reading a file without a city)."""
    book: CodeBook = {}
    for code in NATIONAL_CODES:
        book.setdefault(code.column, {})[code.code] = code.family
    return book
