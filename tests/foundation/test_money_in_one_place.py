"""Money in one place (issue 22): every model amount is a `MoneyField`, and every figure the code
rounds goes through the engine's `quantize` (half up), money to the fen and others at their own
places."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from claims.oversight.services.disclosure_figures import money
from claims.oversight.services.evaluation_indicators import linear_score, weighted_total
from insurance.engine.money import quantize
from insurance.fields import MoneyField

ROOT = Path(settings.BASE_DIR)
# Decimal columns that are not amounts of money: percents, ratios, scores, weights, factors.
NOT_MONEY = {
    "claims.supervisionconfig": {"outlier_factor"},
    "claims.satisfactionsurvey": {"score"},
    "contracts.contract": {
        "transfer_share", "reserve_share", "profit_cap", "loss_share_insurer",
        "payout_threshold", "staff_cost_allowance", "adjustment_band_low", "adjustment_band_high",
        "platform_fee_rate",
    },
    "contracts.contractmember": {"share"},
    "contracts.paymentpart": {"share"},
    "contracts.reserverelease": {"score", "release_percent"},
    "contracts.reservereleaseband": {"min_score", "release_percent"},
    "contracts.yearendsettlement": {"payout_ratio"},
    "contracts.bid": {"payment_ratio", "profit_rate", "score"},
    "contracts.evaluation": {"pass_mark", "total_score"},
    "contracts.evaluationindicator": {"weight"},
    "contracts.evaluationscore": {"weight", "computed_score", "manual_score"},
}  # fmt: skip
# Modules that may use quantize without rounding money: the ingest checks that a value is exact
# to the fen (a value that is not is refused, never rounded) and spells amounts to the fen.
ROUNDING_LEFT = {"claims/settlements/ingest/forms.py", "claims/settlements/ingest/checks.py"}


def test_every_model_amount_is_a_money_field():
    loose = []
    for model in apps.get_models():
        label = model._meta.label_lower
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DecimalField) or field.decimal_places != 2:
                continue
            if not isinstance(field, MoneyField) and field.name not in NOT_MONEY.get(label, ()):
                loose.append(f"{label}.{field.name}")
    assert not loose, f"amounts that are not MoneyField: {loose}"


def test_a_money_field_is_one_column_type_whatever_is_asked():
    field = MoneyField("x", max_digits=5, decimal_places=4)
    assert (field.max_digits, field.decimal_places) == (16, 2)
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "django.db.models.DecimalField"  # migrations never import our code
    assert (kwargs["max_digits"], kwargs["decimal_places"]) == (16, 2)


def test_nothing_rounds_on_its_own():
    own_way = re.compile(r"ROUND_HALF|\.quantize\(")
    found = set()
    for app in ("config", "insurance", "contracts", "claims", "audit"):
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative == "insurance/engine/money.py":
                continue
            if own_way.search(path.read_text(encoding="utf-8")):
                found.add(relative)
    assert found <= ROUNDING_LEFT, f"round with insurance.engine.money.quantize: {found}"
    assert found >= ROUNDING_LEFT, "no own rounding left there: shrink ROUNDING_LEFT"


def test_one_rounding_half_up_at_any_places():
    """Half up everywhere, where Python's default context would round half to even."""
    assert quantize(Decimal("0.125")) == Decimal("0.13")  # the fen
    assert quantize(Decimal("-0.005")) == Decimal("-0.01")
    assert quantize(Decimal("0.00005"), Decimal("0.0001")) == Decimal("0.0001")  # a share
    assert quantize(Decimal("2.25"), Decimal("0.1")) == Decimal("2.3")  # days
    assert quantize(Decimal("2.5"), Decimal("1")) == Decimal("3")  # a bar's width
    assert Decimal("2.5").quantize(Decimal("1")) == Decimal("2")  # what it replaced


def test_disclosure_figures_and_evaluation_points_round_the_engines_way():
    assert money("1234.565") == "1234.57"
    assert money(None) == "0.00"
    # 1/3 of the way from 0 to 90 points: 33.333... -> 33.33; 5/8 of 100 -> 62.5 exactly
    assert linear_score(Decimal("30"), Decimal("0"), Decimal("90")) == Decimal("33.33")
    assert linear_score(Decimal("0.625"), Decimal("0"), Decimal("1")) == Decimal("62.50")

    class Row:
        def __init__(self, weight, score):
            self.weight, self.score = Decimal(weight), Decimal(score)

    # 15 × 33.33 / 100 + 10 × 62.5 / 100 = 4.9995 + 6.25 = 11.2495 -> 11.25
    assert weighted_total([Row("15", "33.33"), Row("10", "62.5")]) == Decimal("11.25")
