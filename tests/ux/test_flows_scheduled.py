"""Flows a scheduler used to start alone: the buttons "生成季度拨付" and "起草年度考核" run the
beat jobs' own idempotent services as the signed-in person (permission-checked, audited), and
migrate puts the periodic jobs in the database for beat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from audit.errors import NotPermitted
from audit.models import AuditEntry
from claims.oversight.tasks import evaluations_draft as evaluations_task
from config.celery import app
from contracts.choices import ContractStatus
from contracts.models import Evaluation, Transfer
from contracts.services.transfers import transfers_generate
from contracts.tasks import transfers_generate as transfers_task
from tests.conftest import login_verified
from tests.contracts.factories import ContractFactory
from tests.contracts.test_funds_support import approve_funding, enroll, make_contract


class Rollback(Exception):
    pass


def what_the_job_makes(job, snapshot):
    """What `job` creates, seen and then rolled back: the button must make the same."""
    seen = None
    try:
        with transaction.atomic():
            job()
            seen = snapshot()
            raise Rollback
    except Rollback:
        pass
    return seen


def transfers():
    return sorted(
        Transfer.objects.values_list("contract_id", "year", "quarter", "amount", "reserve_part")
    )


@pytest.fixture
def funded(role_user):
    finance, director = role_user("finance"), role_user("director")
    contract, year = make_contract()
    enroll(year)
    approve_funding(contract, 2025, finance, director)
    return {"contract": contract, "finance": finance}


@pytest.mark.django_db
def test_generate_transfers_button_makes_what_the_job_makes_and_twice_is_once(client, funded):
    by_job = what_the_job_makes(lambda: transfers_task(year=2025, quarter=1), transfers)
    assert len(by_job) == 1 and Transfer.objects.count() == 0

    finance = funded["finance"]
    login_verified(client, finance)
    changelist = client.get(reverse("admin:contracts_transfer_changelist")).content.decode()
    url = reverse("admin:contracts_transfer_generate_transfers")
    assert "生成季度拨付" in changelist and url in changelist
    assert client.get(url).status_code == 200
    response = client.post(url, {"year": "2025", "quarter": "1"}, follow=True)
    assert response.status_code == 200
    assert "新生成 1 张" in response.content.decode()
    assert transfers() == by_job
    transfer = Transfer.objects.get()
    entry = AuditEntry.objects.get(object_type="contracts.transfer", object_id=str(transfer.pk))
    assert entry.actor_id == finance.pk  # audited as the person who pressed

    response = client.post(url, {"year": "2025", "quarter": "1"}, follow=True)
    assert "新生成 0 张，已存在 1 张" in response.content.decode()
    assert transfers() == by_job  # twice = once
    assert transfers_task(year=2025, quarter=1)["created"] == 0  # and the job after it adds none


@pytest.mark.django_db
def test_generate_transfers_needs_year_and_quarter_together(client, funded):
    login_verified(client, funded["finance"])
    url = reverse("admin:contracts_transfer_generate_transfers")
    html = client.post(url, {"year": "2025"}).content.decode()
    assert "方案年度和季度须同时填写，或同时留空。" in html
    assert Transfer.objects.count() == 0


@pytest.mark.django_db
def test_generate_transfers_is_refused_without_the_makers_permission(client, funded, role_user):
    operator = role_user("operator")
    login_verified(client, operator)
    changelist = client.get(reverse("admin:contracts_transfer_changelist")).content.decode()
    assert "生成季度拨付" not in changelist
    url = reverse("admin:contracts_transfer_generate_transfers")
    assert client.post(url, {"year": "2025", "quarter": "1"}).status_code == 403
    with pytest.raises(NotPermitted):
        transfers_generate(year=2025, quarter=1, actor=operator)
    assert Transfer.objects.count() == 0


def evaluations():
    return sorted(Evaluation.objects.values_list("contract_id", "year", "status", "pass_mark"))


@pytest.fixture
def live_contract(db):
    return ContractFactory(
        status=ContractStatus.ACTIVE, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31)
    )


@pytest.mark.django_db
def test_draft_evaluations_button_makes_what_the_job_makes_and_twice_is_once(
    client, role_user, live_contract
):
    by_job = what_the_job_makes(lambda: evaluations_task(year=2025), evaluations)
    assert by_job == [(live_contract.pk, 2025, "draft", by_job[0][3])]
    assert Evaluation.objects.count() == 0

    reviewer = role_user("reviewer")
    login_verified(client, reviewer)
    changelist = client.get(reverse("admin:contracts_evaluation_changelist")).content.decode()
    button = reverse("admin:contracts_evaluation_draft_evaluations")
    assert "起草年度考核" in changelist and button in changelist
    page = reverse("admin:claims_evaluation_draft")
    assert client.get(button).url == page
    response = client.post(page, {"year": "2025"}, follow=True)
    assert "新起草 1 份" in response.content.decode()
    assert evaluations() == by_job
    evaluation = Evaluation.objects.get()
    assert evaluation.drafted_by == reviewer
    entry = AuditEntry.objects.get(object_type="contracts.evaluation", object_id=str(evaluation.pk))
    assert entry.actor_id == reviewer.pk

    response = client.post(page, {"year": "2025"}, follow=True)
    assert "新起草 0 份，已存在 1 份" in response.content.decode()
    assert evaluations() == by_job


@pytest.mark.django_db
def test_draft_evaluations_is_refused_without_the_scorers_permission(
    client, role_user, live_contract
):
    login_verified(client, role_user("finance"))
    changelist = client.get(reverse("admin:contracts_evaluation_changelist")).content.decode()
    assert "起草年度考核" not in changelist
    response = client.post(reverse("admin:claims_evaluation_draft"), {"year": "2025"})
    assert response.status_code == 403
    assert Evaluation.objects.count() == 0


@pytest.mark.django_db
def test_migrate_puts_every_declared_job_in_the_database_and_keeps_staff_changes():
    declared = set(app.conf.beat_schedule)
    assert declared <= set(PeriodicTask.objects.values_list("name", flat=True))  # the test DB's

    PeriodicTask.objects.filter(name__in=declared).exclude(
        name="contracts-reminders-daily"
    ).delete()
    PeriodicTask.objects.filter(name="contracts-reminders-daily").update(enabled=False)
    call_command("migrate", verbosity=0)
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__in=declared)}
    assert set(tasks) == declared
    assert tasks["contracts-transfers-due-daily"].task == "contracts.tasks.transfers_generate"
    cron = tasks["contracts-transfers-due-daily"].crontab
    assert (cron.hour, cron.minute) == ("7", "0")  # 07:00 as declared in config/celery.py
    assert tasks["contracts-reminders-daily"].enabled is False  # paused by staff: stays paused

    call_command("migrate", verbosity=0)
    assert PeriodicTask.objects.filter(name__in=declared).count() == len(declared)  # twice = once
