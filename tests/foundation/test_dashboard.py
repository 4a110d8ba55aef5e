"""The admin home page: renders for every role with only what the role may see; an insurer user's
figures cover only its own contracts; charts are unfold's chart component; tiles link to their
lists; the month shown is the one picked, else the latest month with data."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from audit.roles import ROLES
from claims.models import Compensation
from config.dashboard import TILE_PROVIDERS, Bar, Tile, chart_data, dashboard_callback
from contracts.services import insurer_user_link
from tests.claims.disclosure_data import world_fixture  # noqa: F401
from tests.contracts.factories import ContractFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 3, 20)  # the generated world's busiest month


@pytest.fixture
def march(monkeypatch, settings, world):
    settings.DASHBOARD_STRICT = True
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    amount = Compensation.objects.filter(
        record__setl_time__year=2018, record__setl_time__month=3
    ).aggregate(s=Sum("total"))["s"]
    return f"{amount.quantize(Decimal('0.01'))} 元"


def _home(verified_client, user, period="2018-03") -> str:
    response = verified_client(user).get(reverse("admin:index"), {"period": period})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("code", sorted(ROLES))
def test_dashboard_renders_for_every_role(code, march, role_user, verified_client):
    user = role_user(code)
    if code == "insurer":
        insurer_user_link(user=user, insurer=ContractFactory().lead_insurer, actor=None)
    html = _home(verified_client, user)
    assert "我的角色" in html and ROLES[code].name in html
    sees_claims = code not in ("administrator",)
    assert ("2018年3月应赔付" in html) == sees_claims
    assert ("信息公开报告待办" in html) == (code not in ("administrator", "insurer"))
    if code == "administrator":
        assert "待处理提醒" not in html and "未办结投诉" not in html
    if sees_claims:
        assert 'data-type="bar"' in html  # unfold's chart component, no hand-drawn SVG
        assert reverse("admin:claims_settlementrecord_changelist") in html
    # bureau staff see the world's March figure; the insurer user, on another contract, does not
    assert (march in html) == (code not in ("administrator", "insurer"))


def test_insurer_tiles_show_only_its_contracts(march, world, role_user, rf):
    from claims.oversight.dashboard import batch_tiles, compensation_tiles

    staff = role_user("operator")
    mine = role_user("insurer", "t_ins_mine")
    insurer_user_link(user=mine, insurer=world["contract"].lead_insurer, actor=None)
    other = role_user("insurer", "t_ins_other")
    insurer_user_link(user=other, insurer=ContractFactory().lead_insurer, actor=None)

    def tiles(provider, user):
        request = rf.get("/", {"period": "2018-03"})
        request.user = user
        return provider(request)

    assert tiles(compensation_tiles, staff)[0].value == march
    assert tiles(compensation_tiles, mine)[0].value == march
    assert tiles(compensation_tiles, other)[0].value == "0.00 元"
    assert tiles(batch_tiles, mine)[0].rows and not tiles(batch_tiles, other)[0].rows


def test_providers_of_other_apps_still_register_and_charts_scale(rf, role_user):
    names = {p.__name__ for p in TILE_PROVIDERS}
    assert {"fund_tiles", "reminder_tiles", "complaint_tiles", "compensation_tiles"} <= names
    data = json.loads(
        chart_data((Bar("2018年1月", Decimal("50")), Bar("2018年2月", Decimal("100"))))
    )
    assert data["labels"] == ["2018年1月", "2018年2月"]
    assert data["datasets"][0]["data"] == ["50", "100"]

    def extra(request):
        return [Tile(title="测试", value="1", chart=(Bar("x", Decimal("1")),))]

    TILE_PROVIDERS.append(extra)
    try:
        request = rf.get("/")
        request.user = role_user("operator")
        context = dashboard_callback(request, {})
    finally:
        TILE_PROVIDERS.remove(extra)
    other = next(s for s in context["dashboard_sections"] if s["code"] == "other")
    assert any(item["tile"].title == "测试" and item["chart"] for item in other["tiles"])


# --- the month shown, and the summary it is read from (issues #23 and #24) ---------------------


def _owed_by_month() -> dict[dt.date, Decimal]:
    """First computations plus adjustments per local settlement month, summed here."""
    from claims.models import CompensationAdjustment

    totals: dict[dt.date, Decimal] = {}
    for model in (Compensation, CompensationAdjustment):
        for row in model.objects.select_related("record"):
            month = timezone.localtime(row.record.setl_time).date().replace(day=1)
            totals[month] = totals.get(month, Decimal("0")) + row.total
    return totals


def test_the_default_month_is_the_latest_with_data_and_months_carry_their_year(
    world, role_user, verified_client, settings
):
    settings.DASHBOARD_STRICT = True
    latest = max(_owed_by_month())  # the world is in 2018; today is years later
    html = _home(verified_client, role_user("operator"), period="")
    label = f"{latest.year}年{latest.month}月"
    assert f"{label}应赔付" in html
    assert f'<option value="{latest:%Y-%m}" selected>{label}</option>' in html
    # a month picked by hand wins, and the chart's labels name their year
    html = _home(verified_client, role_user("operator"), period="2018-03")
    assert "2018年3月应赔付" in html and "2017年4月" in html  # 12 months back from March


def test_the_page_reads_the_summary_not_the_records(world, role_user, verified_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims.models import MonthFigure

    owed = _owed_by_month()
    figures = {}
    for row in MonthFigure.objects.all():
        figures[row.month] = figures.get(row.month, Decimal("0")) + row.owed
    assert figures == owed  # refreshed by the compute step of the world's batches
    client = verified_client(role_user("operator"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:index"), {"period": "2018-03"}).status_code == 200
    sums = [q["sql"] for q in queries.captured_queries if "claims_compensation" in q["sql"]]
    assert sums == []


def test_the_nightly_catch_up_refills_a_lost_summary(world):
    from claims.models import MonthFigure, SettlementBatch
    from claims.settlements.services.month_figures import month_figures_catch_up

    before = sorted(MonthFigure.objects.values_list("contract_id", "region_id", "month", "owed"))
    MonthFigure.objects.all().delete()
    SettlementBatch.objects.update(figures_added_at=None)  # as after an upgrade
    assert month_figures_catch_up() == len(before)
    after = sorted(MonthFigure.objects.values_list("contract_id", "region_id", "month", "owed"))
    assert after == before
    assert month_figures_catch_up() == 0  # up to date: nothing rebuilt


def test_a_county_clerk_sees_only_his_regions_figures(world, role_user):
    from claims.models import CompensationAdjustment
    from claims.settlements.selectors import month_figures_for_user
    from insurance.models import Region, StaffProfile

    north = Region.objects.get(name="北区")
    clerk = role_user("operator", "t_county_clerk")
    StaffProfile.objects.update_or_create(user=clerk, defaults={"region": north})
    figures = month_figures_for_user(clerk)
    assert set(figures.values_list("region_id", flat=True)) == {north.pk}
    owed = sum(figures.values_list("owed", flat=True), Decimal("0"))
    expected = sum(
        (
            row.total
            for model in (Compensation, CompensationAdjustment)
            for row in model.objects.filter(record__person__region=north)
        ),
        Decimal("0"),
    )
    assert owed == expected and expected > 0
