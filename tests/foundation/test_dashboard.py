"""The admin home page: renders for every role with only what the role may see; an insurer user's
figures cover only its own contracts; charts are inline SVG; tiles link to their lists."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from audit.roles import ROLES
from claims.models import Compensation
from config.dashboard import TILE_PROVIDERS, Bar, Tile, chart_geometry, dashboard_callback
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


def _home(verified_client, user) -> str:
    response = verified_client(user).get(reverse("admin:index"))
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
    assert ("本月应赔付" in html) == sees_claims
    assert ("信息公开报告待办" in html) == (code not in ("administrator", "insurer"))
    if code == "administrator":
        assert "待处理提醒" not in html and "未办结投诉" not in html
    if sees_claims:
        assert "<svg" in html and reverse("admin:claims_settlementrecord_changelist") in html
    # bureau staff see the world's March figure; the insurer user, on another contract, does not
    assert (march in html) == (code not in ("administrator", "insurer"))


def test_insurer_tiles_show_only_its_contracts(march, world, role_user, rf):
    from claims.dashboard import batch_tiles, compensation_tiles

    staff = role_user("operator")
    mine = role_user("insurer", "t_ins_mine")
    insurer_user_link(user=mine, insurer=world["contract"].lead_insurer, actor=None)
    other = role_user("insurer", "t_ins_other")
    insurer_user_link(user=other, insurer=ContractFactory().lead_insurer, actor=None)

    def tiles(provider, user):
        request = rf.get("/")
        request.user = user
        return provider(request)

    assert tiles(compensation_tiles, staff)[0].value == march
    assert tiles(compensation_tiles, mine)[0].value == march
    assert tiles(compensation_tiles, other)[0].value == "0.00 元"
    assert tiles(batch_tiles, mine)[0].rows and not tiles(batch_tiles, other)[0].rows


def test_providers_of_other_apps_still_register_and_charts_scale(rf, role_user):
    names = {p.__name__ for p in TILE_PROVIDERS}
    assert {"fund_tiles", "reminder_tiles", "complaint_tiles", "compensation_tiles"} <= names
    geometry = chart_geometry((Bar("1月", Decimal("50")), Bar("2月", Decimal("100"))))
    assert [b["h"] for b in geometry["bars"]] == [40, 80]

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
