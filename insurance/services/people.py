"""People: register, change, special statuses and family links."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from insurance.choices import PersonStatus
from insurance.identity import certno_birth_date, certno_normalise, certno_problem, certno_sex
from insurance.models import FamilyLink, Person, SpecialStatus
from insurance.services.enrollment import enrollments_refresh_benefits_from
from insurance.services.snapshot import snapshot

_EDITABLE = {
    "name",
    "phone",
    "insutype",
    "psn_type",
    "region",
    "employer",
    "status",
    "status_date",
    "insured_since",
    "hire_date",
    "rural",
    "cvlserv_flag",
}
# The facts an enrollment's first day of benefits is derived from (R-QD-5, R-ENT-2)
_ELIGIBILITY_FACTS = {"insured_since", "hire_date", "psn_type"}


def _check_certno(person: Person) -> None:
    person.certno = certno_normalise(person.certno)
    problem = certno_problem(person.certno)
    if problem:
        raise ValidationError({"certno": problem})
    birth, sex = certno_birth_date(person.certno), certno_sex(person.certno)
    if person.birth_date is None:
        person.birth_date = birth
    elif person.birth_date != birth:
        raise ValidationError({"birth_date": _("出生日期与身份证号不一致。")})
    if not person.sex:
        person.sex = sex
    elif person.sex != sex:
        raise ValidationError({"sex": _("性别与身份证号不一致。")})


def _check_unique_certno(person: Person) -> None:
    from audit.crypto import blind_index

    clash = Person.objects.filter(certno_bidx=blind_index(person.certno))
    if person.pk:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError({"certno": _("该身份证号已登记。")})


@transaction.atomic
def person_create(
    *,
    actor,
    psn_no: str,
    certno: str,
    name: str,
    insutype: str,
    psn_type: str,
    region,
    phone: str = "",
    sex: str = "",
    birth_date: dt.date | None = None,
    employer=None,
    status: str = PersonStatus.ACTIVE,
    status_date: dt.date | None = None,
    insured_since: dt.date | None = None,
    hire_date: dt.date | None = None,
    rural: bool = False,
    cvlserv_flag: bool = False,
    request=None,
) -> Person:
    """Register an insured person; sex and birth date default to what the ID number says."""
    person = Person(
        psn_no=psn_no.strip(),
        certno=certno,
        name=name.strip(),
        phone=(phone or "").strip(),
        sex=sex,
        birth_date=birth_date,
        insutype=insutype,
        psn_type=psn_type,
        region=region,
        employer=employer,
        status=status,
        status_date=status_date,
        insured_since=insured_since,
        hire_date=hire_date,
        rural=rural,
        cvlserv_flag=cvlserv_flag,
    )
    _check_certno(person)
    _check_unique_certno(person)
    person.full_clean(exclude=["certno_bidx"])
    person.save()
    events.change(
        actor=actor,
        obj=person,
        action=AuditAction.CREATE,
        after=snapshot(person),
        summary=_("登记参保人"),
        request=request,
    )
    return person


@transaction.atomic
def person_update(
    *, actor, person: Person, changes: dict, reason: str = "", request=None
) -> Person:
    """Change a person's editable fields (not the ID number or person number: those are keys)."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValidationError(
            _("不可修改的字段：%(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person, sorted(changes))
    for name, value in changes.items():
        setattr(person, name, value)
    if "status" in changes and "status_date" not in changes:
        person.status_date = dt.date.today()  # noqa: DTZ011 (a calendar date, local is intended)
    person.full_clean(exclude=["certno_bidx"])
    person.save()
    after = snapshot(person, sorted(changes))
    if _ELIGIBILITY_FACTS & set(changes):
        moved = enrollments_refresh_benefits_from(person=person)
        if moved:
            after["benefits_from"] = moved
    events.change(
        actor=actor,
        obj=person,
        action=AuditAction.UPDATE,
        before=before,
        after=after,
        summary=_("修改参保人信息"),
        reason=reason,
        request=request,
    )
    return person


@transaction.atomic
def special_status_add(
    *,
    actor,
    person: Person,
    kind: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    note: str = "",
    request=None,
) -> SpecialStatus:
    """Record a special status (低保, 特困 ...) with its validity; overlapping same-kind periods are
    refused so that the status on any day is unambiguous."""
    status = SpecialStatus(
        person=person, kind=kind, valid_from=valid_from, valid_to=valid_to, note=note
    )
    status.full_clean()
    overlapping = SpecialStatus.objects.filter(person=person, kind=kind).exclude(
        valid_to__lt=valid_from
    )
    if valid_to is not None:
        overlapping = overlapping.exclude(valid_from__gt=valid_to)
    if overlapping.exists():
        raise ValidationError({"valid_from": _("与已有的同类特殊身份有效期重叠，请先调整原记录。")})
    status.save()
    events.change(
        actor=actor,
        obj=person,
        action=AuditAction.CREATE,
        after={"special_status": snapshot(status, ["kind", "valid_from", "valid_to", "note"])},
        summary=_("登记特殊身份"),
        request=request,
    )
    return status


@transaction.atomic
def family_link_add(*, actor, person: Person, relative: Person, relation: str, request=None):
    """Link `relative` to `person` as spouse, parent or child (R-JN-1 family purchase)."""
    link = FamilyLink(person=person, relative=relative, relation=relation)
    link.full_clean()
    link.save()
    events.change(
        actor=actor,
        obj=person,
        action=AuditAction.CREATE,
        after={"family_link": {"relative": relative.psn_no, "relation": relation}},
        summary=_("登记家庭关系"),
        request=request,
    )
    return link
