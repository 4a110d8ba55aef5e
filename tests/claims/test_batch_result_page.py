"""Issue 23, point 3: the upload result says how the batch ended, first and in its colour."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.choices import BatchStatus
from claims.models import SettlementBatch
from claims.settlements.admin.batch_summary import BAR_COLOURS
from contracts.services.insurers import insurer_user_link
from tests.claims.files import settlement_row, write_csv
from tests.claims.supervision_data import applied_batch, compensation, record
from tests.conftest import login_verified

RED, GREEN = BAR_COLOURS["red"], BAR_COLOURS["green"]


@pytest.fixture
def clerk(role_user, covered_city):
    user = role_user("insurer", username="ins_clerk")
    insurer_user_link(user=user, insurer=covered_city["contract"].lead_insurer, actor=None)
    return user


def _upload(client, contract, path):
    with path.open("rb") as fh:
        return client.post(
            reverse("admin:claims_settlementbatch_add"),
            {"contract": contract.pk, "upload": fh, "encoding": ""},
            follow=True,
        )


@pytest.mark.django_db(transaction=True)
def test_a_rejected_upload_shows_a_red_card_never_a_green_received_banner(
    client, clerk, covered_city, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # the total is not a number: the whole batch is rejected, row 1 names the column
    bad = write_csv(tmp_path / "bad.csv", [settlement_row(1, medfee_sumamt="一千")])
    login_verified(client, clerk)

    response = _upload(client, covered_city["contract"], bad)
    page = response.content.decode()

    batch = SettlementBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    # the banner is information (blue), not success (green)
    levels = [m.level_tag for m in response.context["messages"]]
    assert "success" not in levels
    assert 'id="batch-summary" data-colour="red"' in page
    assert "未通过校验，整批未入库" in page
    # errors under the Chinese header, cells padded
    cell = '<td style="padding:.25rem .75rem;border-top:1px solid #e5e7eb">'
    assert f"{cell}医疗费总额</td>" in page and ">medfee_sumamt</td>" not in page
    # the error report is offered; nothing refreshes a finished batch
    assert reverse("admin:claims_settlementbatch_errors", args=[batch.pk]) in page
    assert 'data-in-progress="0"' in page


@pytest.mark.django_db
def test_the_list_shows_a_rejected_batch_with_a_red_bar_and_an_applied_one_green(
    client, clerk, covered_city
):
    contract = covered_city["contract"]
    rejected = applied_batch(contract)
    SettlementBatch.objects.filter(pk=rejected.pk).update(status=BatchStatus.REJECTED)
    done = applied_batch(contract)
    SettlementBatch.objects.filter(pk=done.pk).update(computed_at=timezone.now())
    page = login_verified(client, clerk).get(reverse("admin:claims_settlementbatch_changelist"))
    bars = page.content.decode().split('class="batch-bar"')[1:]
    colours = sorted(bar.split("background:", 1)[1].split(";", 1)[0] for bar in bars)
    assert colours == sorted([RED, GREEN])


@pytest.mark.django_db
def test_an_applied_batch_shows_the_amount_owed_and_links_to_its_records(
    client, clerk, covered_city
):
    contract, person = covered_city["contract"], covered_city["people"][0]
    batch = applied_batch(contract)
    SettlementBatch.objects.filter(pk=batch.pk).update(
        computed_at=timezone.now(), rows_total=2, rows_good=2, seconds_parse=1.125847715999953
    )
    compensation(record(batch, person, day=dt.date(2025, 3, 1)), "100.00")
    compensation(record(batch, person, day=dt.date(2025, 3, 2)), "20.50")

    url = reverse("admin:claims_settlementbatch_change", args=[batch.pk])
    page = login_verified(client, clerk).get(url).content.decode()

    assert 'data-colour="green"' in page
    assert "120.50 元" in page  # 100.00 + 20.50
    records = reverse("admin:claims_settlementrecord_changelist")
    assert f"{records}?batch__id__exact={batch.pk}" in page
    # technical fields folded under their own heading, timings rounded
    folded = page.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "技术信息" in folded and "SHA-256" in folded and "1.13" in folded
    assert "1.125847715999953" not in page


@pytest.mark.django_db
def test_progress_refreshes_itself_through_the_same_door(client, clerk, covered_city, role_user):
    contract = covered_city["contract"]
    batch = applied_batch(contract)
    SettlementBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.VALIDATING, rows_total=200, rows_processed=100
    )
    login_verified(client, clerk)
    page = client.get(reverse("admin:claims_settlementbatch_change", args=[batch.pk]))
    assert 'data-in-progress="1"' in page.content.decode()

    url = reverse("admin:claims_settlementbatch_progress", args=[batch.pk])
    state = client.get(url).json()
    # checking is the first 60% of the pipeline: half the rows checked is 30%
    assert (state["status"], state["percent"], state["in_progress"]) == ("validating", 30, True)

    other = role_user("insurer", username="other_clerk")  # no insurer link: no batch in scope
    assert login_verified(client, other).get(url).status_code in (403, 404)
