"""Issue 19, point 6: behind the documented HTTPS proxy every request comes from the proxy's
address. The lockout and the audit log must use the client's address (from the trusted proxy's
X-Forwarded-For) and lock a user name and an address together, never an address alone."""

import pytest
from django.test import RequestFactory

from audit.choices import AuditAction
from audit.client_address import client_ip
from audit.models import AuditEntry

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.5"
COLLEAGUE = "198.51.100.7"


@pytest.fixture
def behind_proxy(settings):
    settings.MEDSUPP_TRUSTED_PROXIES = ["10.0.0.0/24"]


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_the_client_address_comes_from_the_trusted_proxy_only(behind_proxy):
    assert client_ip(_request(PROXY, ATTACKER)) == ATTACKER
    # A client cannot choose its address: the leftmost hops are its own words.
    assert client_ip(_request(PROXY, f"1.2.3.4, {ATTACKER}")) == ATTACKER
    # Two trusted proxies in a row are skipped.
    assert client_ip(_request(PROXY, f"{ATTACKER}, 10.0.0.3")) == ATTACKER
    # Reaching the site directly: the header is ignored.
    assert client_ip(_request(COLLEAGUE, "1.2.3.4")) == COLLEAGUE
    # A broken hop: the address the proxy vouched for stands.
    assert client_ip(_request(PROXY, "not-an-address")) == PROXY


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.MEDSUPP_TRUSTED_PROXIES = []
    assert client_ip(_request(PROXY, ATTACKER)) == PROXY


def _login(client, username, password, address):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and "/admin/login/" not in response["Location"]


@pytest.mark.django_db
def test_invented_names_behind_the_proxy_do_not_lock_the_bureau_out(
    client, behind_proxy, role_user, settings
):
    role_user("operator", username="clerk")
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        _login(client, f"nobody{n}", "wrong-password-1", ATTACKER)
    # Same proxy, another person: signs in.
    assert _signed_in(_login(client, "clerk", "pw-for-tests-1", COLLEAGUE))
    client.logout()
    # Even from the attacker's own address the real account is not locked by invented names.
    assert _signed_in(_login(client, "clerk", "pw-for-tests-1", ATTACKER))


@pytest.mark.django_db
def test_lockout_is_per_user_and_address(client, behind_proxy, role_user, settings):
    role_user("operator", username="clerk")
    for _n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "clerk", "wrong-password-1", ATTACKER)
    locked = _login(client, "clerk", "pw-for-tests-1", ATTACKER)
    assert not _signed_in(locked) and locked.status_code in (403, 429)
    # The owner of the account, elsewhere, still signs in.
    assert _signed_in(_login(client, "clerk", "pw-for-tests-1", COLLEAGUE))


@pytest.mark.django_db
def test_audit_rows_record_the_real_address(client, behind_proxy, role_user):
    role_user("operator", username="clerk")
    _login(client, "clerk", "wrong-password-1", ATTACKER)
    _login(client, "clerk", "pw-for-tests-1", COLLEAGUE)
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    signed_in = AuditEntry.objects.filter(action=AuditAction.LOGIN).latest("id")
    assert failed.ip == ATTACKER
    assert signed_in.ip == COLLEAGUE


@pytest.mark.django_db
def test_one_name_guessed_from_rotating_addresses_is_locked_by_its_own_cap(
    client, behind_proxy, role_user, settings
):
    """Review of issue 19, point 7: four tries from each of many addresses never reached the
    per-address limit; the per-name cap counts them all together, and locks that name only."""
    settings.MEDSUPP_LOCKOUT_USERNAME_LIMIT = 12
    role_user("director", username="boss")
    role_user("operator", username="clerk")
    per_address = settings.AXES_FAILURE_LIMIT - 1
    addresses = [f"203.0.113.{n}" for n in range(10, 13)]  # 3 x 4 = 12 failures
    for address in addresses:
        for _n in range(per_address):
            assert not _signed_in(_login(client, "boss", "wrong-password-1", address))
    # The right password, from yet another address, is refused: the name is locked.
    locked = _login(client, "boss", "pw-for-tests-1", "192.0.2.99")
    assert not _signed_in(locked) and locked.status_code in (403, 429)
    # Another account behind the same proxy, even from the attacker's addresses, signs in.
    assert _signed_in(_login(client, "clerk", "pw-for-tests-1", addresses[0]))


@pytest.mark.django_db
def test_below_the_name_cap_the_owner_still_signs_in(client, behind_proxy, role_user, settings):
    settings.MEDSUPP_LOCKOUT_USERNAME_LIMIT = 12
    role_user("operator", username="clerk")
    for address in ("203.0.113.10", "203.0.113.11"):  # 8 failures, under 12
        for _n in range(settings.AXES_FAILURE_LIMIT - 1):
            _login(client, "clerk", "wrong-password-1", address)
    assert _signed_in(_login(client, "clerk", "pw-for-tests-1", COLLEAGUE))
