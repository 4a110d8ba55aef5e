"""The unused personal quota goes to the common pool when a person leaves (R-ENT-2/3).

Seed 001, company scheme 第五条: on the day the certificate ending the labour contract is issued
the person's cover stops (the enrollment is cancelled that day) and "个人限额报销余额转入公共账户".
The quota is the cap of the plan's line marked `personal_quota`; the balance is that cap less what
the line paid the person in the cap year holding the leaving day (compensations and their
adjustments, reversals included). The register sends `enrollment_cancelled`; this module, which
may read claims, answers it inside the cancellation's transaction (claims/apps.py connects it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import events
from audit.choices import AuditAction
from claims.settlements.models import (
    Compensation,
    CompensationAdjustment,
    QuotaPoolEntry,
    SettlementRecord,
)
from insurance.engine import Plan
from insurance.engine.accumulate import policy_year_of
from insurance.engine.money import ZERO, quantize, to_money

_ENTRY_FIELDS = ("left_on", "plan_code", "plan_version", "line_id", "cap_year", "quota", "used")


def cap_year_of(plan: Plan, day: dt.date) -> tuple[int, dt.date, dt.date]:
    """The cap year holding `day` as (year, first day, first day of the next), as the engine
    counts caps (`cap_year`: calendar, or the policy year from `policy_year_start`)."""
    if plan.cap_year == "calendar":
        return day.year, dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
    month, first = plan.policy_year_start
    year = policy_year_of(day, plan.policy_year_start)
    return year, dt.date(year, month, first), dt.date(year + 1, month, first)


def quota_used(*, person_id: int, scheme_id: int, line_id: str, start, end) -> Decimal:
    """What line `line_id` paid the person on settlements dated start <= day < end in the
    scheme's contracts: first computations plus every adjustment since."""

    def moment(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    records = SettlementRecord.objects.filter(
        person_id=person_id,
        contract__scheme_id=scheme_id,
        setl_time__gte=moment(start),
        setl_time__lt=moment(end),
    ).values("id")
    amounts = [
        *Compensation.objects.filter(record__in=records).values_list("lines", flat=True),
        *CompensationAdjustment.objects.filter(record__in=records).values_list("lines", flat=True),
    ]
    return sum((to_money(lines.get(line_id, "0")) for lines in amounts), ZERO)


@transaction.atomic
def quota_pool_record(*, actor, enrollment, on_date: dt.date, request=None):
    """Return the unused personal quota of a cancelled enrollment to the pool of its scheme year.
    None when the year's plan has no personal quota or cover never began."""
    scheme_year = enrollment.scheme_year
    plan_row = scheme_year.plan
    if plan_row is None or on_date < enrollment.start_date:
        return None
    plan = plan_row.parsed
    line = plan.quota_line
    if line is None or line.cap is None:
        return None
    quota = quantize(line.cap)
    cap_year, start, end = cap_year_of(plan, on_date)
    used = quota_used(
        person_id=enrollment.person_id,
        scheme_id=scheme_year.scheme_id,
        line_id=line.id,
        start=start,
        end=end,
    )
    entry = QuotaPoolEntry.objects.create(
        scheme_year=scheme_year,
        enrollment=enrollment,
        person_id=enrollment.person_id,
        left_on=on_date,
        plan_code=plan.code,
        plan_version=plan.version,
        line_id=line.id,
        cap_year=cap_year,
        quota=quota,
        used=used,
        amount=max(ZERO, quota - used),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    after = {name: str(getattr(entry, name)) for name in _ENTRY_FIELDS}
    after["amount"] = str(entry.amount)
    events.change(
        actor=actor,
        obj=entry,
        action=AuditAction.CREATE,
        after=after,
        summary=_("个人限额报销余额转入公共账户"),
        request=request,
    )
    return entry


def on_enrollment_cancelled(sender, *, enrollment, on_date, actor, request=None, **kwargs):
    """Receiver of `insurance.signals.enrollment_cancelled`: the clerk's sentence, if any."""
    entry = quota_pool_record(actor=actor, enrollment=enrollment, on_date=on_date, request=request)
    if entry is None:
        return None
    return _(
        "个人限额报销余额 %(a)s 元（年度限额 %(q)s 元，当年已报销 %(u)s 元）已转入公共账户。"
    ) % {
        "a": entry.amount,
        "q": entry.quota,
        "u": entry.used,
    }
