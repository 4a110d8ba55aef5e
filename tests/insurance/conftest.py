import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from audit.roles import sync_roles
from insurance.choices import RegionLevel
from insurance.models import StaffProfile

from .factories import RegionFactory


@pytest.fixture
def role_user(role_user):
    """The shared fixture, after a role sync: on a fresh test database the roles are synced
    before the insurance app's permissions exist (post_migrate runs per app, audit first)."""

    def make(role_code: str, username: str | None = None, region=None):
        sync_roles(group_model=Group, permission_model=Permission, content_type_model=ContentType)
        user = role_user(role_code, username)
        if region is not None:
            StaffProfile.objects.update_or_create(user=user, defaults={"region": region})
        return user

    return make


@pytest.fixture
def city(db):
    return RegionFactory(code="370800", name="示范市", level=RegionLevel.CITY)


@pytest.fixture
def county_a(city):
    return RegionFactory(code="370826", name="北岭县", level=RegionLevel.COUNTY, parent=city)


@pytest.fixture
def county_b(city):
    return RegionFactory(code="370827", name="青河县", level=RegionLevel.COUNTY, parent=city)


@pytest.fixture
def town_in_a(county_a):
    return RegionFactory(code="370899", name="北岭镇", level=RegionLevel.COUNTY, parent=county_a)
