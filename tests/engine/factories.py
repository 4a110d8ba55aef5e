"""Small builders for engine tests: people, settlements, plans (no database)."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal

from insurance.engine import AMOUNT_FIELDS, Enrolment, PersonFacts, Plan, Settlement, parse_plan
from insurance.plans import load_shipped_plans

D = Decimal
SHIPPED = load_shipped_plans()


def shipped(code: str) -> Plan:
    return parse_plan(SHIPPED[code])


def shipped_doc(code: str) -> dict:
    return copy.deepcopy(SHIPPED[code])


def person(psn_no: str = "P1", insutype: str = "310", **kwargs: object) -> PersonFacts:
    kwargs.setdefault("enrolments", (Enrolment(date(2000, 1, 1)),))
    return PersonFacts(psn_no=psn_no, insutype=insutype, **kwargs)  # type: ignore[arg-type]


def setl(setl_id: str, when: str, *, psn_no: str = "P1", **fields: object) -> Settlement:
    """A settlement on `when` ("2018-05-01" or "2018-05-01T10:00"); amounts given as text."""
    moment = datetime.fromisoformat(when if "T" in when else f"{when}T10:00")
    values: dict[str, object] = {"mdtrt_id": setl_id, "med_type": "21"}
    for key, value in fields.items():
        values[key] = Decimal(value) if key in AMOUNT_FIELDS and isinstance(value, str) else value
    return Settlement(setl_id=setl_id, psn_no=psn_no, setl_time=moment, **values)  # type: ignore[arg-type]


def reversal(setl_id: str, when: str, original: Settlement) -> Settlement:
    """The national platform's reversal: refd_setl_flag=1, amounts negated, init_setl_id set."""
    return Settlement(
        setl_id=setl_id,
        psn_no=original.psn_no,
        setl_time=datetime.fromisoformat(when if "T" in when else f"{when}T10:00"),
        mdtrt_id=original.mdtrt_id,
        med_type=original.med_type,
        refd_setl_flag=True,
        init_setl_id=original.setl_id,
        psn_part_amt=-original.psn_part_amt,
        inscp_scp_amt=-original.inscp_scp_amt,
        hifp_pay=-original.hifp_pay,
    )


def one_line_doc(**line: object) -> dict:
    """A minimal valid plan with one line on psn_part_amt; keyword arguments replace line keys."""
    base_line: dict[str, object] = {
        "id": "main",
        "name": "测试责任",
        "base": {"fields": ["psn_part_amt"]},
        "accumulation": {"scope": "calendar_year"},
        "rate": "0.5",
    }
    base_line.update(line)
    return {
        "code": "test",
        "name": "测试方案",
        "version": 1,
        "effective_from": "2000-01-01",
        "own_payment_field": "oth_pay",
        "source": {"seed": "none", "rules": ["R-TEST-1"]},
        "eligibility": {"require_enrolment": False},
        "lines": [base_line],
    }
