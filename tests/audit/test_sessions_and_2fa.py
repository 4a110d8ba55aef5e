import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.middleware import SESSION_STARTED_KEY


def _login(client, username):
    return client.post("/admin/login/", {"username": username, "password": "pw-for-tests-1"})


def _current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.django_db
def test_director_must_give_a_second_factor(client, role_user):
    role_user("director", username="boss")
    _login(client, "boss")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")
    setup = client.get("/account/2fa/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode()  # the QR code to scan
    device = TOTPDevice.objects.get(user__username="boss")
    bad_token = "000000" if _current_token(device) != "000000" else "111111"
    wrong = client.post("/account/2fa/", {"token": bad_token})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302  # still not through
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries down after a failure; skip the wait
    client.post("/account/2fa/", {"token": _current_token(device), "next": "/admin/"})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_operator_needs_no_second_factor(client, role_user):
    role_user("operator", username="clerk")
    _login(client, "clerk")
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_sessions_end_after_the_absolute_lifetime(client, role_user, settings):
    role_user("operator", username="clerk")
    _login(client, "clerk")
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.MEDSUPP_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
