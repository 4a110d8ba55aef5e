"""Review of issue 19, point 2: the administrator role manages accounts but cannot raise anyone
(himself first) above his role: superuser status, direct permissions, the administrator role,
a role's permissions, an API key for a superuser, an authenticator are a superuser's; TOTP
secrets are never shown; every privilege change is audited; administrators sign in with 2FA."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry, User
from audit.roles import ROLES
from audit.security import two_factor_required
from audit.services import api_key_create
from tests.conftest import login_verified


def _form_data(response) -> dict:
    """The change form's current values, as the browser would send them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if hasattr(field.widget, "widgets"):  # a split date and time
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


def _group(code):
    return Group.objects.get(name=ROLES[code].name)


@pytest.fixture
def sysadmin(client, role_user):
    user = role_user("administrator", username="sysadmin")
    login_verified(client, user)
    return user


@pytest.mark.django_db
def test_the_administrator_cannot_make_himself_superuser_or_director(client, sysadmin):
    url = reverse("admin:audit_user_change", args=[sysadmin.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    data = _form_data(page)
    data.update(is_superuser="on", groups=[str(_group("director").pk)], user_permissions=["1"])
    client.post(url, data)
    sysadmin.refresh_from_db()
    assert not sysadmin.is_superuser
    assert sysadmin.role_codes == {"administrator"}
    assert not sysadmin.user_permissions.exists()


@pytest.mark.django_db
def test_the_administrator_gives_roles_to_others_audited_never_his_own(client, sysadmin):
    clerk = User.objects.create_user("newclerk", password="pw-for-tests-1", is_staff=True)
    url = reverse("admin:audit_user_change", args=[clerk.pk])
    data = _form_data(client.get(url))
    data["groups"] = [str(_group("operator").pk)]
    assert client.post(url, data).status_code == 302
    assert clerk.role_codes == {"operator"}
    entry = AuditEntry.objects.filter(object_type="audit.user", object_id=str(clerk.pk)).last()
    assert entry.actor_name == "sysadmin"
    assert entry.changes == {"before": {"groups": []}, "after": {"groups": ["经办员"]}}
    # The administrator role itself is not his to give.
    data["groups"] = [str(_group("administrator").pk)]
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert clerk.role_codes == {"operator"}


@pytest.mark.django_db
def test_a_superusers_account_is_out_of_the_administrators_reach(client, sysadmin):
    root = User.objects.create_superuser("root", password="pw-for-tests-1")
    change = reverse("admin:audit_user_change", args=[root.pk])
    data = _form_data(client.get(change))
    data["is_active"] = ""
    assert client.post(change, data).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.get(password).status_code == 403
    new = {"password1": "Taken-over-9876", "password2": "Taken-over-9876"}
    assert client.post(password, new).status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.check_password("pw-for-tests-1")


@pytest.mark.django_db
def test_only_a_superuser_changes_a_roles_permissions(client, sysadmin):
    url = reverse("admin:auth_group_change", args=[_group("operator").pk])
    assert client.post(url, {"name": "经办员", "permissions": ["1"]}).status_code == 403


@pytest.mark.django_db
def test_no_api_key_for_a_superuser_or_oneself_from_an_administrator(client, sysadmin):
    root = User.objects.create_superuser("root", password="pw-for-tests-1")
    url = reverse("admin:audit_apikey_add")
    for target in (root, sysadmin):
        form = {"user": target.pk, "name": "k", "scopes": ["claims:read"], "days_valid": 30}
        response = client.post(url, form)
        assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
        with pytest.raises(PermissionDenied):
            api_key_create(user=target, name="k", scopes=[], actor=sysadmin)
    assert not root.api_keys.exists() and not sysadmin.api_keys.exists()


@pytest.mark.django_db
def test_totp_secrets_are_never_shown_and_devices_are_a_superusers(client, sysadmin, role_user):
    boss = role_user("director", username="boss")
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    with pytest.raises(NoReverseMatch):
        reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    root = User.objects.create_superuser("root", password="pw-for-tests-1")
    login_verified(client, root)
    assert client.post(delete, {"post": "yes"}).status_code == 302
    entry = AuditEntry.objects.filter(object_type="otp_totp.totpdevice").last()
    assert entry.action == "delete" and entry.actor_name == "root"
    assert entry.changes["before"] == {"user": "boss", "name": "phone", "confirmed": True}


@pytest.mark.django_db
def test_the_administrator_signs_in_with_a_second_factor(client, role_user):
    admin_user = role_user("administrator", username="sysadmin")
    assert two_factor_required(admin_user)
    client.post("/admin/login/", {"username": "sysadmin", "password": "pw-for-tests-1"})
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")


@pytest.mark.django_db
def test_no_password_set_by_an_administrator_on_a_two_factor_account(
    client, sysadmin, role_user, settings
):
    settings.MEDSUPP_2FA_ENFORCED = True
    boss = role_user("director", username="boss")
    clerk = role_user("operator", username="clerk")
    new = {"password1": "Taken-over-9876", "password2": "Taken-over-9876"}
    refused = client.post(reverse("admin:auth_user_password_change", args=[boss.pk]), new)
    assert refused.status_code == 403
    boss.refresh_from_db()
    assert boss.check_password("pw-for-tests-1")
    allowed = client.post(reverse("admin:auth_user_password_change", args=[clerk.pk]), new)
    assert allowed.status_code == 302  # an operator's forgotten password is his job


@pytest.mark.django_db
def test_delete_selected_cannot_remove_a_superuser(client, sysadmin):
    root = User.objects.create_superuser("root", password="pw-for-tests-1")
    response = client.post(
        reverse("admin:audit_user_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=root.pk).exists()
