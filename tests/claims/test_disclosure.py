"""Disclosure reports (R-SUP-4): figures equal independent queries over data ingested through the
real pipeline; small cells are suppressed; publishing freezes and logs the hash; a correction is
version 2; the yearly job is idempotent."""

import datetime as dt
import statistics
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from audit.choices import AuditAction
from audit.models import AuditEntry, DisclosureReport
from audit.models.disclosure import content_sha256
from claims.models import Compensation, CompensationAdjustment, SettlementRecord
from claims.oversight.services.disclosure import (
    disclosure_build,
    disclosure_correct,
    disclosure_draft,
    disclosure_move,
    disclosures_draft_due,
    latest_published,
)
from claims.oversight.services.disclosure_figures import TIERS
from tests.claims.disclosure_data import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _per_person() -> dict[int, Decimal]:
    owed: dict[int, Decimal] = defaultdict(Decimal)
    for comp in Compensation.objects.select_related("record"):
        owed[comp.record.person_id] += comp.total
    for adj in CompensationAdjustment.objects.select_related("record"):
        owed[adj.record.person_id] += adj.total
    return owed


def test_figures_equal_independent_queries(world):
    content = disclosure_build(scheme=world["scheme"], year=2018)
    first = Compensation.objects.aggregate(s=Sum("total"))["s"]
    adjusted = CompensationAdjustment.objects.aggregate(s=Sum("total"))["s"] or Decimal("0")
    assert first > 0
    assert Decimal(content["finance"]["claims_paid"]) == first + adjusted

    owed = _per_person()
    paid = {p: v for p, v in owed.items() if v > 0}
    ben = content["beneficiaries"]
    assert ben["people"] == len(paid) == 16
    assert Decimal(ben["amount"]) == sum(paid.values())
    for (low, high, label), row in zip(TIERS, ben["by_tier"], strict=True):
        inside = [v for v in paid.values() if v >= low and (high is None or v < high)]
        assert row["label"] == label
        if not row["suppressed"]:
            assert row["people"] == len(inside)
            assert Decimal(row["amount"]) == sum(inside, Decimal("0"))

    records = SettlementRecord.objects.filter(refd_setl_flag=False, enddate__isnull=False)
    days = [(r.setl_time.date() - r.enddate).days for r in records]
    efficiency = content["efficiency"]
    assert efficiency["settlements"] == len(days) == 16
    assert Decimal(efficiency["median_days"]) == Decimal(str(statistics.median(days))).quantize(
        Decimal("0.1")
    )
    mean = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
    assert Decimal(efficiency["mean_days"]) == mean

    march = Compensation.objects.filter(record__setl_time__month=3).aggregate(s=Sum("total"))["s"]
    row = content["monthly"][2]
    assert row["month"] == "2018-03" and Decimal(row["amount"]) == march
    assert content["benefits"]["plain_words"] == world["year"].plan.plain_words
    assert content["contracts"][0]["number"] == world["contract"].number


def test_small_cells_are_suppressed_with_their_amounts(world, settings):
    content = disclosure_build(scheme=world["scheme"], year=2018)
    regions = {r["label"]: r for r in content["beneficiaries"]["by_region"]}
    assert regions["北区"]["people"] == 8 and not regions["北区"]["suppressed"]
    # 东区 has 2 people: hidden; 西区 (6) is hidden too, or 16 - 8 - 6 would give 东区 away
    assert regions["东区"]["people"] == "<5" and regions["东区"]["amount"] == "<5"
    assert regions["西区"]["people"] == "<5" and regions["西区"]["amount"] == "<5"
    for row in content["monthly"]:
        assert row["suppressed"] == (row["people"] == "<5")
        if row["suppressed"]:
            assert row["amount"] == "<5"
    assert any(r["suppressed"] for r in content["monthly"])

    settings.DISCLOSURE_MIN_CELL = 1
    content = disclosure_build(scheme=world["scheme"], year=2018)
    assert {r["label"]: r["people"] for r in content["beneficiaries"]["by_region"]} == {
        "北区": 8,
        "西区": 6,
        "东区": 2,
    }


def test_publish_freezes_and_logs_the_hash_and_a_correction_is_version_2(world, role_user):
    reviewer, director = role_user("reviewer"), role_user("director")
    report = disclosure_draft(scheme=world["scheme"], year=2018)
    assert report.status == "draft" and report.version == 1

    with pytest.raises(PermissionDenied):
        disclosure_move(report=report, move="check", actor=director)
    with pytest.raises(ValidationError):
        disclosure_move(report=report, move="publish", actor=director)  # not checked yet
    report = disclosure_move(report=report, move="check", actor=reviewer)
    with pytest.raises(PermissionDenied):
        disclosure_move(report=report, move="publish", actor=reviewer)
    report = disclosure_move(report=report, move="publish", actor=director)
    assert report.status == "published" and report.published_by == director

    entry = AuditEntry.objects.get(
        action=AuditAction.PUBLISH, object_type="audit.disclosurereport", object_id=str(report.pk)
    )
    published = entry.changes["after"]["content_sha256"]
    assert published == report.content_sha256 == content_sha256(report.content)

    report.content["finance"]["claims_paid"] = "0.00"
    with pytest.raises(ValidationError):
        report.save()
    with pytest.raises(ValidationError):
        report.delete()
    report.refresh_from_db()
    assert content_sha256(report.content) == published
    # the job leaves a published report alone
    assert disclosure_draft(scheme=world["scheme"], year=2018) is None

    with pytest.raises(ValidationError):
        disclosure_correct(report=report, actor=director, change_note="  ")
    correction = disclosure_correct(report=report, actor=director, change_note="补录12月数据")
    assert (correction.version, correction.supersedes, correction.status) == (2, report, "draft")
    disclosure_move(report=correction, move="check", actor=reviewer)
    correction = disclosure_move(report=correction, move="publish", actor=director)
    assert latest_published() == [correction]
    with pytest.raises(ValidationError):
        disclosure_correct(report=report, actor=director, change_note="再次更正")


def test_checker_and_publisher_are_two_people(world, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-1")
    report = disclosure_draft(scheme=world["scheme"], year=2018)
    report = disclosure_move(report=report, move="check", actor=boss)
    with pytest.raises(PermissionDenied, match="复核人以外的另一人审批"):
        disclosure_move(report=report, move="publish", actor=boss)


def test_the_yearly_job_is_idempotent(world):
    assert disclosures_draft_due(today=dt.date(2018, 12, 30)) == []  # the year has not ended
    first = disclosures_draft_due(today=dt.date(2019, 1, 20))
    again = disclosures_draft_due(today=dt.date(2019, 1, 20))
    assert len(first) == 1 and first == again
    assert DisclosureReport.objects.count() == 1
    audit_rows = AuditEntry.objects.filter(object_type="audit.disclosurereport").count()
    disclosures_draft_due(today=dt.date(2019, 1, 21))
    assert AuditEntry.objects.filter(object_type="audit.disclosurereport").count() == audit_rows


def test_the_beat_job_is_declared():
    from config.celery import app

    entry = app.conf.beat_schedule["claims-disclosures-draft-monthly"]
    assert entry["task"] == "claims.tasks.disclosures_draft"
