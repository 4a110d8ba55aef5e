"""The world the generated access walk runs in: two insurers (A and B) with a contract each, two
counties (A and B), and one row of every model an admin door shows, built so that it belongs to
insurer A's contract and to a person of county A. A model without a builder here makes the walk
fail: a new admin is walked, but first it must say how one of its rows is made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from audit.models import User

MARK_A = "WALKA"  # in insurer A's name, contract A's number and county A's name


@dataclass
class World:
    contract_a: object
    contract_b: object
    county_a: object
    county_b: object

    @property
    def insurer_a(self):
        return self.contract_a.lead_insurer

    @property
    def insurer_b(self):
        return self.contract_b.lead_insurer


def make_world() -> World:
    from tests.contracts.factories import ContractFactory, InsurerFactory
    from tests.insurance.factories import RegionFactory

    city = RegionFactory(code="379900", name="示范市", level="city")
    county_a = RegionFactory(code="379901", name=f"甲县{MARK_A}", parent=city)
    county_b = RegionFactory(code="379902", name="乙县", parent=city)
    insurer_a = InsurerFactory(name=f"甲保险{MARK_A}")
    insurer_b = InsurerFactory(name="乙保险")
    contract_a = ContractFactory(number=f"HT-{MARK_A}", lead_insurer=insurer_a)
    contract_b = ContractFactory(number="HT-B", lead_insurer=insurer_b)
    return World(contract_a, contract_b, county_a, county_b)


def _user(username: str) -> User:
    return User.objects.create_user(username=username, password="pw-for-tests-1")


def _person(world: World, n: int = 1):
    from tests.insurance.factories import PersonFactory

    return PersonFactory(region=world.county_a)


def _scheme_year(world: World, year: int = 2025):
    from insurance.models import SchemeYear
    from tests.insurance.factories import SchemeYearFactory

    found = SchemeYear.objects.filter(scheme=world.contract_a.scheme, year=year).first()
    return found or SchemeYearFactory(scheme=world.contract_a.scheme, year=year)


def _funding(world: World):
    from contracts.models import FundingCalculation

    return FundingCalculation.objects.create(
        contract=world.contract_a, year=2025, version=1, scheme_year=_scheme_year(world),
        method="fixed_total", result=Decimal("1000.00"),
    )  # fmt: skip


def _batch(world: World, n: int = 1):
    from claims.models import SettlementBatch

    contract = world.contract_a
    return SettlementBatch.objects.create(
        contract=contract, insurer=contract.lead_insurer, status="applied", source="command",
        file=f"settlements/walk-{n}", filename=f"walk-{n}.csv", sha256=f"{n:064d}",
    )  # fmt: skip


def _record(world: World, n: int = 1):
    from claims.models import SettlementRecord

    person = _person(world)
    return SettlementRecord.objects.create(
        batch=_batch(world, n), contract=world.contract_a, person=person, row_number=1,
        setl_id=f"S{n}", mdtrt_id=f"M{n}", psn_no=person.psn_no, insutype="310",
        med_type="21", setl_time=timezone.now(),
    )  # fmt: skip


def _compensation(world: World):
    from claims.models import Compensation

    record = _record(world, 3)
    return Compensation.objects.create(
        record=record, batch=record.batch, status="computed", total=Decimal("10.00")
    )


def _statement(world: World):
    from claims.models import ClaimStatement, StatementItem

    statement = ClaimStatement.objects.create(
        contract=world.contract_a, insurer=world.insurer_a, period=dt.date(2025, 3, 1)
    )
    StatementItem.objects.create(
        statement=statement, record=_record(world, 2), claimed=Decimal("100.00"),
        expected=Decimal("120.00"), decision="correct", corrected_amount=Decimal("120.00"),
    )  # fmt: skip
    return statement


def _statement_adjustment(world: World):
    from claims.models import StatementAdjustment

    statement = _statement(world)
    return StatementAdjustment.objects.create(
        statement=statement, item=statement.items.get(), contract=world.contract_a,
        insurer=world.insurer_a, amount=Decimal("20.00"),
    )  # fmt: skip


def _evaluation(world: World):
    """Approved: an insurer sees its own contracts' evaluations once approved."""
    from contracts.models import Evaluation

    return Evaluation.objects.create(
        contract=world.contract_a, year=2025, status="approved", total_score=Decimal("88.00"),
        passed=True, renewal_recommendation="renew", approved_at=timezone.now(),
    )  # fmt: skip


def _evaluation_score(world: World):
    from contracts.models import EvaluationScore

    return EvaluationScore.objects.create(
        evaluation=_evaluation(world), indicator=_indicator(world), name="结算及时率",
        method="rate", weight=Decimal("10"),
    )  # fmt: skip


def _indicator(world: World):
    from contracts.models import EvaluationIndicator

    return EvaluationIndicator.objects.create(
        scheme=world.contract_a.scheme, code="settlement_timeliness", name="结算及时率",
        method="rate", weight=Decimal("10"), target=Decimal("0.95"),
    )  # fmt: skip


def _spot_check(world: World):
    from claims.models import SpotCheck

    return SpotCheck.objects.create(
        contract=world.contract_a, kind="files", subject="住院案卷", planned_on=dt.date(2025, 4, 1)
    )


def _follow_up(world: World):
    from claims.models import FollowUpAction, SpotCheckFinding

    finding = SpotCheckFinding.objects.create(
        spot_check=_spot_check(world), severity="minor", description="案卷缺少费用明细"
    )
    return FollowUpAction.objects.create(
        finding=finding, action="补齐费用明细", due_on=dt.date(2025, 5, 1)
    )


def _conclusion(world: World):
    from audit.models import AuditConclusion

    return AuditConclusion.objects.create(
        title="年度审计", subject="基金", period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31), auditor=_user("auditor_x"), findings="无",
        opinion="unqualified", conclusion="合规",
    )  # fmt: skip


def _disclosure(world: World):
    from claims.oversight.services.disclosure import disclosure_draft

    return disclosure_draft(scheme=_scheme_year(world).scheme, year=2025)


def _build(label: str, world: World):
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from claims import models as claims
    from contracts import models as contracts
    from insurance import models as insurance
    from tests.contracts.factories import (
        BondFactory,
        CriterionFactory,
        InsurerStaffFactory,
        TenderFactory,
    )

    contract, insurer, now = world.contract_a, world.insurer_a, timezone.now()
    ct = ContentType.objects.get_for_model(contract)
    builders = {
        "contracts.Contract": lambda: contract,
        "contracts.Insurer": lambda: insurer,
        "contracts.PerformanceBond": lambda: BondFactory(contract=contract),
        "contracts.BondDeduction": lambda: contracts.BondDeduction.objects.create(
            bond=BondFactory(contract=contract),
            amount=Decimal("10.00"),
            reason="walk",
            prepared_by=_user("maker"),
        ),
        "contracts.Reminder": lambda: contracts.Reminder.objects.create(
            kind="bond_expiring",
            content_type=ct,
            object_id=contract.pk,
            contract=contract,
            due_on=dt.date(2026, 1, 1),
            message="walk",
        ),
        "contracts.FundingCalculation": lambda: _funding(world),
        "contracts.Transfer": lambda: contracts.Transfer.objects.create(
            contract=contract,
            year=2025,
            quarter=1,
            funding=_funding(world),
            amount=Decimal("200.00"),
            reserve_part=Decimal("50.00"),
        ),
        "contracts.ReserveRelease": lambda: contracts.ReserveRelease.objects.create(
            contract=contract,
            year=2025,
            score=Decimal("90"),
            evaluation_ref="E-1",
            held=Decimal("100"),
            release_percent=Decimal("100"),
            released=Decimal("100"),
            returned=Decimal("0"),
        ),
        "contracts.YearEndSettlement": lambda: contracts.YearEndSettlement.objects.create(
            contract=contract,
            year=2025,
            funding=_funding(world),
            rule="walk",
            claims_paid=Decimal("1"),
            claims_source="walk",
            payout_ratio=Decimal("0.5"),
            to_return=Decimal("0"),
            to_carry=Decimal("0"),
            loss_fund_share=Decimal("0"),
        ),
        "contracts.LedgerEntry": lambda: contracts.LedgerEntry.objects.create(
            contract=contract,
            year=2025,
            account="fund",
            kind="funding_raised",
            direction="in",
            amount=Decimal("1.00"),
            source_type=ct,
            source_id=contract.pk,
            posted_on=dt.date(2025, 1, 1),
        ),
        "contracts.InsurerStaff": lambda: InsurerStaffFactory(insurer=insurer),
        "contracts.Debarment": lambda: contracts.Debarment.objects.create(
            insurer=insurer, reason="other", starts_on=dt.date(2025, 1, 1)
        ),
        "contracts.Tender": lambda: (
            contracts.Bid.objects.create(
                tender=TenderFactory(scheme=contract.scheme),
                insurer=insurer,
                submitted_on=dt.date(2023, 11, 1),
                payment_ratio=Decimal("90"),
                profit_rate=Decimal("3"),
            ).tender
        ),
        "contracts.Bid": lambda: contracts.Bid.objects.create(
            tender=TenderFactory(scheme=contract.scheme),
            insurer=insurer,
            submitted_on=dt.date(2023, 11, 1),
            payment_ratio=Decimal("90"),
            profit_rate=Decimal("3"),
        ),
        "contracts.EligibilityCriterion": lambda: CriterionFactory(),
        "contracts.InsurerUser": lambda: contracts.InsurerUser.objects.create(
            user=_user("a_colleague"), insurer=insurer
        ),
        "contracts.Evaluation": lambda: _evaluation(world),
        "contracts.EvaluationScore": lambda: _evaluation_score(world),
        "contracts.EvaluationIndicator": lambda: _indicator(world),
        "contracts.ReserveReleaseBand": lambda: contracts.ReserveReleaseBand.objects.create(
            min_score=Decimal("95"), release_percent=Decimal("100")
        ),
        "claims.SettlementBatch": lambda: _batch(world),
        "claims.SettlementRecord": lambda: _record(world),
        "claims.ClaimStatement": lambda: _statement(world),
        "claims.StatementAdjustment": lambda: _statement_adjustment(world),
        "claims.ReconciliationResult": lambda: claims.ReconciliationResult.objects.create(
            record=_record(world),
            contract=contract,
            insurer=insurer,
            period=dt.date(2025, 3, 1),
            paid_field="oth_pay",
            expected=Decimal("120.00"),
            paid=Decimal("100.00"),
            difference=Decimal("-20.00"),
            outcome="underpaid",
            computed_at=now,
        ),
        "claims.FraudFlag": lambda: (
            lambda rec: claims.FraudFlag.objects.create(
                key=f"after_death:{rec.pk}",
                kind="after_death",
                record=rec,
                contract=contract,
                person=rec.person,
                evidence={"walk": True},
            )
        )(_record(world)),
        "claims.ManualClaim": lambda: claims.ManualClaim.objects.create(
            contract=contract,
            person=_person(world),
            claim_no="LX-WALK",
            received_on=dt.date(2025, 3, 3),
            hospital_name="市人民医院",
            treatment_from=dt.date(2025, 2, 1),
            treatment_to=dt.date(2025, 2, 10),
            amount_claimed=Decimal("800.00"),
        ),
        "claims.Compensation": lambda: _compensation(world),
        "claims.Change": lambda: claims.Change.objects.create(
            insurer=insurer, contract=contract, kind="batch.applied", object_id=1
        ),
        "claims.Complaint": lambda: claims.Complaint.objects.create(
            number="TS-WALK",
            contract=contract,
            insurer=insurer,
            person=_person(world),
            channel="hotline",
            category="refusal",
            received_on=dt.date(2025, 3, 3),
            content="拒绝赔付住院费用",
        ),
        "claims.SpotCheck": lambda: _spot_check(world),
        "claims.FollowUpAction": lambda: _follow_up(world),
        "claims.SatisfactionSurvey": lambda: claims.SatisfactionSurvey.objects.create(
            contract=contract,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 6, 30),
            respondents=100,
            satisfied=90,
            score=Decimal("90.00"),
        ),
        "claims.SupervisionConfig": lambda: claims.SupervisionConfig.objects.create(
            contract=contract
        ),
        "claims.QuotaPoolEntry": lambda: _quota_pool_entry(world),
        "claims.CalendarOverride": lambda: claims.CalendarOverride.objects.create(
            day=dt.date(2025, 10, 11), kind="workday", name="调休"
        ),
        "claims.CodeMapping": lambda: claims.CodeMapping.objects.create(
            column="med_type", code="2111", family="21", region=world.county_a
        ),
        "insurance.Region": lambda: world.county_a,
        "insurance.StaffProfile": lambda: insurance.StaffProfile.objects.create(
            user=_user("clerk_profile"), region=world.county_a
        ),
        "insurance.Scheme": lambda: contract.scheme,
        "insurance.SchemeYear": lambda: _scheme_year(world),
        "insurance.BenefitPlan": lambda: (
            _scheme_year(world).plan or insurance.BenefitPlan.objects.first()
        ),
        "insurance.Employer": lambda: insurance.Employer.objects.create(
            name="甲单位", uscc="91370100MA3C4J0X8P", region=world.county_a
        ),
        "insurance.Person": lambda: _person(world),
        "insurance.Enrollment": lambda: _enrollment(world),
        "insurance.SpecialStatus": lambda: insurance.SpecialStatus.objects.create(
            person=_person(world), kind="dibao", valid_from=dt.date(2025, 1, 1)
        ),
        "insurance.FamilyLink": lambda: insurance.FamilyLink.objects.create(
            person=_person(world), relative=_person(world), relation="spouse"
        ),
        "insurance.ImportJob": lambda: insurance.ImportJob.objects.create(
            target="person",
            file="insurance/imports/walk.csv",
            original_name="walk.csv",
            file_format="csv",
        ),
        "audit.User": lambda: _user("somebody"),
        "auth.Group": lambda: Group.objects.get_or_create(name="walk group")[0],
        "audit.ApiKey": lambda: _api_key(),
        "audit.AuditEntry": lambda: _audit_entry(),
        "audit.AuditConclusion": lambda: _conclusion(world),
        "audit.AuditFollowUp": lambda: _conclusion(world).followups.create(
            action="整改", owner="财务科", due_on=dt.date(2026, 3, 31)
        ),
        "audit.DisclosureReport": lambda: _disclosure(world),
        "audit.Consent": lambda: _consent(world),
        "axes.AccessAttempt": lambda: _axes("AccessAttempt"),
        "axes.AccessLog": lambda: _axes("AccessLog"),
        "axes.AccessFailureLog": lambda: _axes("AccessFailureLog"),
        "django_celery_beat.IntervalSchedule": lambda: IntervalSchedule.objects.create(
            every=1, period="days"
        ),
        "django_celery_beat.CrontabSchedule": lambda: CrontabSchedule.objects.create(),
        "django_celery_beat.SolarSchedule": lambda: SolarSchedule.objects.create(
            event="sunrise", latitude=Decimal("36.6"), longitude=Decimal("117.0")
        ),
        "django_celery_beat.ClockedSchedule": lambda: ClockedSchedule.objects.create(
            clocked_time=now
        ),
        "django_celery_beat.PeriodicTask": lambda: PeriodicTask.objects.create(
            name="walk",
            task="audit.tasks.heartbeat",
            interval=IntervalSchedule.objects.create(every=1, period="days"),
        ),
        "otp_totp.TOTPDevice": lambda: TOTPDevice.objects.create(
            user=_user("otp_owner"), name="phone"
        ),
    }
    if label not in builders:
        raise LookupError(label)
    return builders[label]()


def build(label: str, world: World):
    """A row of `label` belonging to insurer A's contract and county A (LookupError: no builder)."""
    return _build(label, world)


def _enrollment(world: World):
    from insurance.models import Enrollment

    scheme_year = _scheme_year(world)
    return Enrollment.objects.create(
        person=_person(world), scheme_year=scheme_year, kind="regular",
        start_date=scheme_year.coverage_start, end_date=scheme_year.coverage_end,
        benefits_from=scheme_year.coverage_start, status="active", premium=Decimal("100.00"),
    )  # fmt: skip


def _quota_pool_entry(world: World):
    from claims.models import QuotaPoolEntry

    enrollment = _enrollment(world)
    return QuotaPoolEntry.objects.create(
        scheme_year=enrollment.scheme_year, enrollment=enrollment, person=enrollment.person,
        left_on=dt.date(2025, 6, 30), plan_code="walk", plan_version=1, line_id="quota",
        cap_year=2025, quota=Decimal("100.00"), used=Decimal("20.00"), amount=Decimal("80.00"),
    )  # fmt: skip


def _api_key():
    from audit.services import api_key_create

    key, _plain = api_key_create(user=_user("key_owner"), name="walk", scopes=["claims:read"])
    return key


def _audit_entry():
    from audit import events
    from audit.choices import AuditAction

    return events.record(action=AuditAction.APPROVE, summary="walk")


def _consent(world: World):
    from audit.models import Consent

    now = timezone.now()
    return Consent.objects.create(
        psn_no="P1", insurer_id=world.insurer_a.pk, scope="identity", channel="app",
        given_at=now, expires_at=now + dt.timedelta(days=1),
    )  # fmt: skip


def _axes(name: str):
    from axes import models

    fields = {"username": "someone", "ip_address": "203.0.113.9", "user_agent": "walk"}
    if name == "AccessAttempt":
        fields.update(get_data="", post_data="", failures_since_start=1)
    if name == "AccessFailureLog":
        fields.update(locked_out=False)
    return getattr(models, name).objects.create(**fields)
