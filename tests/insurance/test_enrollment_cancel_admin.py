"""Cancelling an enrollment from its admin page: a small form (date, reason), POST only, through
`enrollment_cancel`, the refund shown; refused without `insurance.change_enrollment`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.choices import AuditAction
from audit.models import AuditEntry
from insurance.choices import EnrollmentStatus, FundingKind, PaymentChannel
from insurance.services import enrollment_create

from .factories import PersonFactory, SchemeYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(db):
    year = SchemeYearFactory(
        funding_kind=FundingKind.VOLUNTARY_PREMIUM,
        funding_params={"premium": "99.00", "months": "12"},
        waiting_period_days=0,
    )
    return enrollment_create(
        actor=None,
        person=PersonFactory(),
        scheme_year=year,
        start_date=dt.date(2025, 3, 1),
        payment_channel=PaymentChannel.WECHAT,
    )


def _urls(enrollment):
    return (
        reverse("admin:insurance_enrollment_cancel", args=[enrollment.pk]),
        reverse("admin:insurance_enrollment_change", args=[enrollment.pk]),
    )


def _cancellations(enrollment):
    return AuditEntry.objects.filter(
        action=AuditAction.TRANSITION, object_type="insurance.enrollment", object_id=enrollment.pk
    )


def test_operator_cancels_before_the_start_and_sees_the_full_refund(client, role_user, enrollment):
    cancel_url, change_url = _urls(enrollment)
    client.force_login(role_user("operator"))
    page = client.get(change_url).content.decode()
    assert cancel_url in page  # the button on the enrollment's page

    form = client.get(cancel_url)
    assert form.status_code == 200 and 'name="cancel_reason"' in form.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status != EnrollmentStatus.CANCELLED  # a GET writes nothing

    response = client.post(
        cancel_url, {"cancelled_on": "2025-02-01", "cancel_reason": "重复购买"}, follow=True
    )
    assert response.redirect_chain == [(change_url, 302)]
    text = response.content.decode()
    assert "应退还保费 99.00 元" in text
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.CANCELLED
    assert enrollment.cancelled_on == dt.date(2025, 2, 1)
    assert enrollment.cancel_reason == "重复购买"
    assert enrollment.refund_amount == Decimal("99.00")
    entry = _cancellations(enrollment).get()
    assert entry.reason == "重复购买" and entry.changes["after"]["refund_amount"] == "99.00"


def test_cancelling_after_the_start_refunds_nothing(client, role_user, enrollment):
    cancel_url, _change = _urls(enrollment)
    client.force_login(role_user("operator"))
    response = client.post(
        cancel_url, {"cancelled_on": "2025-05-01", "cancel_reason": "离职"}, follow=True
    )
    assert "应退还保费 0.00 元" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.refund_amount == Decimal("0.00")


def test_bad_input_is_explained_and_nothing_is_written(client, role_user, enrollment):
    cancel_url, _change = _urls(enrollment)
    client.force_login(role_user("operator"))
    missing = client.post(cancel_url, {"cancelled_on": "2025-02-01", "cancel_reason": ""})
    assert missing.status_code == 200 and missing.context["form"].errors["cancel_reason"]
    late = client.post(cancel_url, {"cancelled_on": "2026-02-01", "cancel_reason": "离职"})
    assert late.status_code == 200
    assert "退保日期晚于保障结束日期" in late.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status != EnrollmentStatus.CANCELLED
    assert not _cancellations(enrollment).exists()


def test_a_cancelled_enrollment_cannot_be_cancelled_twice(client, role_user, enrollment):
    cancel_url, _change = _urls(enrollment)
    client.force_login(role_user("operator"))
    client.post(cancel_url, {"cancelled_on": "2025-02-01", "cancel_reason": "重复购买"})
    again = client.post(cancel_url, {"cancelled_on": "2025-06-01", "cancel_reason": "再次"})
    assert "不能重复办理" in again.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.cancelled_on == dt.date(2025, 2, 1)
    assert _cancellations(enrollment).count() == 1


@pytest.mark.parametrize("role", ["reviewer", "auditor"])
def test_refused_without_the_change_permission(role_user, verified_client, enrollment, role):
    user = role_user(role)
    assert user.has_perm("insurance.view_enrollment")
    assert not user.has_perm("insurance.change_enrollment")
    client = verified_client(user)  # the auditor needs two factors
    cancel_url, change_url = _urls(enrollment)
    assert cancel_url not in client.get(change_url).content.decode()  # no button
    for response in (
        client.get(cancel_url),
        client.post(cancel_url, {"cancelled_on": "2025-02-01", "cancel_reason": "重复购买"}),
    ):
        assert response.status_code == 403
        text = response.content.decode()
        assert "您没有此操作的权限" in text and "修改「参保登记」" in text
    enrollment.refresh_from_db()
    assert enrollment.status != EnrollmentStatus.CANCELLED
    assert not _cancellations(enrollment).exists()


def test_an_enrollment_out_of_the_clerks_county_is_404(client, role_user, enrollment, county_b):
    clerk = role_user("operator", region=county_b)  # the person lives elsewhere
    client.force_login(clerk)
    cancel_url, _change = _urls(enrollment)
    assert (
        client.post(cancel_url, {"cancelled_on": "2025-02-01", "cancel_reason": "x"}).status_code
        == 404
    )
    enrollment.refresh_from_db()
    assert enrollment.status != EnrollmentStatus.CANCELLED
