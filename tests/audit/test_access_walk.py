"""The generated access walk: every registered ModelAdmin and every API view, four ways.

anonymous -> redirected to login (admin) / 401 (API); signed in without permission -> 403;
with the model's view permission -> 200. Row scoping (another insurer's or county's records -> 404)
is proved per model in the apps' own tests, where the factories live.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from audit.models import User

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
ADMIN_IDS = [model._meta.label for model, _admin in REGISTRY]


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _staff(username: str, *perms: Permission) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests-1", is_staff=True)
    user.user_permissions.add(*perms)
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=ADMIN_IDS)
def test_admin_changelist_access(client, model, model_admin):
    url = _changelist(model)

    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    client.force_login(_staff("no_perm"))
    assert client.get(url).status_code == 403

    view = Permission.objects.get(
        content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}"
    )
    client.force_login(_staff("viewer", view))
    response = client.get(url)
    assert response.status_code == 200, f"{model._meta.label} changelist: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=ADMIN_IDS)
def test_admin_add_needs_the_add_permission(client, model, model_admin):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    view = Permission.objects.get(
        content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}"
    )
    client.force_login(_staff("viewer", view))
    assert client.get(url).status_code == 403


def _api_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith("api/v1/") and "<" not in route:
                yield "/" + route.lstrip("^").rstrip("$")


API_ROUTES = sorted(set(_api_routes()))


def test_the_walk_found_api_views():
    assert "/api/v1/me/" in API_ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_ROUTES)
def test_api_refuses_anonymous(path):
    response = APIClient().get(path)
    assert response.status_code in (401, 403), f"{path} answered {response.status_code}"
