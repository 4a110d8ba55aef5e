import pytest

from audit.roles import ROLES
from audit.services import user_ensure


@pytest.fixture
def role_user(db):
    """Make a staff user holding one role: `role_user("finance")`."""

    def make(role_code: str, username: str | None = None):
        user, _password = user_ensure(
            username=username or f"t_{role_code}", role_code=role_code, password="pw-for-tests-1"
        )
        return user

    return make


@pytest.fixture
def all_roles():
    return list(ROLES)
