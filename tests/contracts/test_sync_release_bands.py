"""`manage.py sync_release_bands`: the default reserve release table when the table is empty."""

import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from contracts.models import ReserveReleaseBand
from contracts.models.reserve import DEFAULT_RELEASE_BANDS

pytestmark = pytest.mark.django_db


def _sync() -> str:
    out = io.StringIO()
    call_command("sync_release_bands", stdout=out)
    return out.getvalue()


def _bands():
    return sorted(ReserveReleaseBand.objects.values_list("min_score", "release_percent"))


def test_an_empty_table_gets_the_defaults_once_and_edits_are_kept():
    ReserveReleaseBand.objects.all().delete()
    assert "release band >= 90: 100%" in _sync()
    assert _bands() == sorted(DEFAULT_RELEASE_BANDS)
    ReserveReleaseBand.objects.filter(min_score=D("80")).update(release_percent=D("85"))
    ReserveReleaseBand.objects.filter(min_score=D("0")).delete()
    edited = _bands()
    assert _sync().strip() == "release bands: no change"
    assert _bands() == edited
