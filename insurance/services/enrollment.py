"""Enrollment of a person in a scheme year, and its cancellation with refund.

Enrollment kind: *renewal* when the person had an enrollment in the same scheme's previous year
that was not cancelled; *re-enrollment* when he had one in some earlier year (a gap); *first*
otherwise. The first day of benefits follows the plan's eligibility, by the engine's own rule
(`insurance.engine.benefits_start`, the same the computation applies day by day): a waiting
period counted from the start of the person's current basic insurance (R-QD-5) or from a
first-time enrolment or a re-enrolment (not a renewal), and a service condition counted from the
hire date that retirees need not meet (R-ENT-2). A year without a plan uses its
`waiting_period_days` from the enrolment.

Refund rule: cancelling before the coverage start refunds the whole premium; on or after the
start date nothing is refunded (the risk was carried). Cover stops on the day of cancellation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from insurance.choices import (
    EnrollmentKind,
    EnrollmentStatus,
    FundingKind,
    InsuType,
    PaymentChannel,
    PersonStatus,
)
from insurance.engine import Eligibility, PersonFacts, benefits_start
from insurance.engine.money import ZERO, to_money
from insurance.models import Enrollment, Person, SchemeYear
from insurance.selectors import family_member_ids
from insurance.services.snapshot import snapshot
from insurance.signals import enrollment_cancelled

_ENROLL_FIELDS = [
    "person",
    "scheme_year",
    "kind",
    "start_date",
    "end_date",
    "benefits_from",
    "status",
    "premium",
    "payment_channel",
    "payer",
]
_PERSONAL_ACCOUNT = {PaymentChannel.OWN_ACCOUNT, PaymentChannel.FAMILY_ACCOUNT}


def enrollment_kind_for(*, person: Person, scheme_year: SchemeYear) -> str:
    """Renewal if last year's enrollment in the scheme ran uncancelled; re-enrollment if the person
    was covered in some earlier year; first-time otherwise."""
    earlier = Enrollment.objects.filter(
        person=person,
        scheme_year__scheme_id=scheme_year.scheme_id,
        scheme_year__year__lt=scheme_year.year,
    ).values_list("scheme_year__year", "status", "cancelled_on", "start_date")
    covered_years = set()
    continuous_last_year = False
    for year, status, cancelled_on, start in earlier:
        if cancelled_on is not None and cancelled_on <= start:
            continue  # cancelled before it began: never covered
        covered_years.add(year)
        if year == scheme_year.year - 1 and status == EnrollmentStatus.ACTIVE:
            continuous_last_year = True
    if continuous_last_year:
        return EnrollmentKind.RENEWAL
    return EnrollmentKind.REENROLL if covered_years else EnrollmentKind.FIRST


def year_eligibility(scheme_year: SchemeYear) -> Eligibility:
    """Who is covered when: the year's plan, else the year's own waiting period (enrolment)."""
    if scheme_year.plan_id is not None:
        return scheme_year.plan.parsed.eligibility
    return Eligibility(waiting_days=scheme_year.waiting_period_days)


def benefits_from_for(
    *, person: Person, scheme_year: SchemeYear, start: dt.date, kind: str
) -> dt.date:
    """The first day of benefits of an enrollment starting `start` (see the module docstring).
    Raises ValidationError when a service condition applies and no hire date is registered."""
    elig = year_eligibility(scheme_year)
    facts = PersonFacts(
        psn_no=person.psn_no,
        insured_since=person.insured_since,
        hire_date=person.hire_date,
        retired=person.retired,
    )
    first = benefits_start(
        person=facts,
        start=start,
        waiting_days=elig.waiting_days,
        waiting_from=elig.waiting_from,
        service_years=elig.service_years,
        continuous=kind == EnrollmentKind.RENEWAL,
    )
    if first is None:
        raise ValidationError(
            {
                "person": _(
                    "该方案要求在本单位工作满 %(n)s 年（退休、退职人员除外），"
                    "请先登记参保人的入职日期。"
                )
                % {"n": elig.service_years}
            }
        )
    return first


def _check_payment(*, person, scheme_year, premium, payment_channel, payer) -> tuple:
    voluntary = scheme_year.funding_kind == FundingKind.VOLUNTARY_PREMIUM
    if not voluntary:
        if payment_channel not in (None, PaymentChannel.NONE) or premium:
            raise ValidationError(
                {"payment_channel": _("该方案年度不由个人缴费，不能登记保费和缴费渠道。")}
            )
        return ZERO, PaymentChannel.NONE, None
    premium = to_money(
        premium if premium is not None else scheme_year.funding_params.get("premium", "0")
    )
    if premium <= 0:
        raise ValidationError({"premium": _("个人自愿缴费方案的保费必须大于 0。")})
    if payment_channel in (None, PaymentChannel.NONE):
        raise ValidationError({"payment_channel": _("请选择缴费渠道。")})
    if payment_channel == PaymentChannel.OWN_ACCOUNT:
        if person.insutype != InsuType.EMPLOYEE:
            raise ValidationError({"payment_channel": _("只有职工医保参保人才有个人账户。")})
        payer = None
    elif payment_channel == PaymentChannel.FAMILY_ACCOUNT:
        if payer is None:
            raise ValidationError({"payer": _("家庭成员个人账户代缴须指明代缴人。")})
        if payer.pk not in family_member_ids(person):
            raise ValidationError(
                {"payer": _("代缴人不是该参保人登记的家庭成员（配偶、父母、子女）。")}
            )
        if payer.insutype != InsuType.EMPLOYEE or payer.status != PersonStatus.ACTIVE:
            raise ValidationError({"payer": _("代缴人必须是正常参保的职工医保参保人。")})
    else:
        payer = None
    return premium, payment_channel, payer


def enrollment_prepare(
    *,
    person: Person,
    scheme_year: SchemeYear,
    start_date: dt.date | None = None,
    premium: Decimal | str | None = None,
    payment_channel: str | None = None,
    payer: Person | None = None,
) -> Enrollment:
    """Validate and build (not save) an enrollment; raises ValidationError with Chinese messages.

    Shared by `enrollment_create` and the enrollment import."""
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError({"person": _("只有正常参保状态的人员可以登记。")})
    start = start_date or scheme_year.coverage_start
    if not scheme_year.coverage_start <= start <= scheme_year.coverage_end:
        raise ValidationError({"start_date": _("保障开始日期必须在方案年度的保障期内。")})
    if Enrollment.objects.filter(person=person, scheme_year=scheme_year).exists():
        raise ValidationError({"scheme_year": _("该参保人已登记此方案年度。")})
    premium, payment_channel, payer = _check_payment(
        person=person,
        scheme_year=scheme_year,
        premium=premium,
        payment_channel=payment_channel,
        payer=payer,
    )
    kind = enrollment_kind_for(person=person, scheme_year=scheme_year)
    return Enrollment(
        person=person,
        scheme_year=scheme_year,
        kind=kind,
        start_date=start,
        end_date=scheme_year.coverage_end,
        benefits_from=benefits_from_for(
            person=person, scheme_year=scheme_year, start=start, kind=kind
        ),
        premium=premium,
        payment_channel=payment_channel,
        payer=payer,
    )


@transaction.atomic
def enrollment_create(
    *,
    actor,
    person: Person,
    scheme_year: SchemeYear,
    start_date: dt.date | None = None,
    premium: Decimal | str | None = None,
    payment_channel: str | None = None,
    payer: Person | None = None,
    request=None,
) -> Enrollment:
    """Enroll `person` in `scheme_year` (once per person and year); computes the waiting period."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    enrollment = enrollment_prepare(
        person=person,
        scheme_year=scheme_year,
        start_date=start_date,
        premium=premium,
        payment_channel=payment_channel,
        payer=payer,
    )
    enrollment.created_by = actor if getattr(actor, "is_authenticated", False) else None
    enrollment.full_clean()
    enrollment.save()
    events.change(
        actor=actor,
        obj=enrollment,
        action=AuditAction.CREATE,
        after=snapshot(enrollment, _ENROLL_FIELDS),
        summary=_("参保登记"),
        request=request,
    )
    return enrollment


def enrollments_refresh_benefits_from(*, person: Person) -> list[dict]:
    """After the person's facts changed (basic insurance start, hire date, person type): the
    first day of benefits of his uncancelled enrollments, derived again. Returns what moved."""
    moved = []
    enrollments = Enrollment.objects.filter(person=person, status=EnrollmentStatus.ACTIVE)
    for enrollment in enrollments.select_related("scheme_year__plan"):
        first = benefits_from_for(
            person=person,
            scheme_year=enrollment.scheme_year,
            start=enrollment.start_date,
            kind=enrollment.kind,
        )
        if first != enrollment.benefits_from:
            moved.append(
                {"enrollment": enrollment.pk, "before": str(enrollment.benefits_from),
                 "after": str(first)}
            )  # fmt: skip
            enrollment.benefits_from = first
            enrollment.save(update_fields=["benefits_from"])
    return moved


def refund_for(enrollment: Enrollment, on_date: dt.date) -> Decimal:
    """Full premium before the coverage start, nothing on or after it."""
    return to_money(enrollment.premium) if on_date < enrollment.start_date else ZERO


@transaction.atomic
def enrollment_cancel(
    *, actor, enrollment: Enrollment, on_date: dt.date, reason: str, request=None
) -> Enrollment:
    """Cancel an enrollment from `on_date` (cover stops that day) and record the refund. What
    other apps do about it (the quota pool) runs in the same transaction through the
    `enrollment_cancelled` signal; their sentences for the clerk come back in `cancel_notes`."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == EnrollmentStatus.CANCELLED:
        raise ValidationError(_("该参保登记已退保。"))
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": _("请填写退保原因。")})
    if on_date > enrollment.end_date:
        raise ValidationError({"cancelled_on": _("退保日期晚于保障结束日期。")})
    before = snapshot(enrollment, ["status", "cancelled_on", "refund_amount"])
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.cancelled_on = on_date
    enrollment.cancel_reason = reason.strip()
    enrollment.refund_amount = refund_for(enrollment, on_date)
    enrollment.save(update_fields=["status", "cancelled_on", "cancel_reason", "refund_amount"])
    events.change(
        actor=actor,
        obj=enrollment,
        action=AuditAction.TRANSITION,
        before=before,
        after=snapshot(enrollment, ["status", "cancelled_on", "refund_amount"]),
        summary=_("退保"),
        reason=reason,
        request=request,
    )
    responses = enrollment_cancelled.send(
        sender=Enrollment, enrollment=enrollment, on_date=on_date, actor=actor, request=request
    )
    enrollment.cancel_notes = [str(note) for _receiver, note in responses if note]
    return enrollment
