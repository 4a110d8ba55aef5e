"""The generated access walk (DESIGN rule 7, issue 19): every door of the site, four ways.

The doors are not listed here: they are read from the URL resolver (every admin URL of every
registered ModelAdmin: changelists, add, change, history and delete pages, import and export,
every custom view made with `audit.admin.doors.admin_door`, each value of its workflow argument,
and every autocomplete field) and from the API's OpenAPI schema (every route and method). A URL
pattern the walk cannot classify fails `test_every_url_pattern_is_classified`, so a new view is
walked without anyone adding it, and a view that skips the permission check cannot hide.

Each door is walked
1. anonymously: the admin sends to its login page, the API answers 401;
2. signed in without the permission: 403 (the API: a key whose user holds no permission);
3. with the permission the door declares: let in (200, or the view's own answer: a form, a
   redirect, a business refusal after the door said yes), never 404 for a row in scope, never 500;
4. as another insurer (or another county) holding the same permissions: insurer A's (county A's)
   row is not found (302 away, 403, 404), a list does not contain it, and no page shows insurer
   A's or county A's name (list filters and drop-downs included); a user of insurer A (county A)
   with the same permissions, as a control, does reach it.
The number of doors walked is printed at the end of `make test` (tests/conftest.py).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from audit.admin.doors import GRANTED, REFUSED
from audit.models import User
from audit.scoping import scope_of
from audit.services import api_key_create, user_ensure
from tests.audit.walk_world import MARK_A, build, make_world

STANDARD = ("changelist", "add", "change", "history", "delete")
IMPORT_EXPORT = {"import": "add", "process_import": "add", "export": "view"}
SITE_NAMES = {
    "index", "login", "logout", "password_change", "password_change_done", "autocomplete",
    "jsi18n", "view_on_site", "app_list", "search",  # unfold's sidebar search: app names only
}  # fmt: skip
# Django's user admin adds users only for holders of both add and change (its own rule).
DJANGO_RULES = {("audit.User", "add"): ("add", "change")}
# Outside the admin and the API: public by design, each for a reason.
PUBLIC_ROUTES = {
    "healthz": "health check for the load balancer (no data)",
    "i18n/": "language switch",
    "account/2fa/": "two-factor sign-in (needs a signed-in user itself)",
    "api/schema/": "the OpenAPI description (no data)",
    "api/docs/": "Swagger UI over the schema (no data)",
    "api/redoc/": "ReDoc over the schema (no data)",
    "public/": "published disclosure reports (R-SUP-4: public by law)",
}
WALKED: dict[str, set] = {"admin": set(), "api": set()}


# --- the doors, read from the resolver and the schema ------------------------------------------


def _route(pattern) -> str:
    return str(pattern.pattern).lstrip("^").rstrip("$")


def _flatten(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _flatten(entry.url_patterns, prefix + _route(entry))
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry), entry


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def admin_doors() -> list[dict]:
    """Every URL of every registered ModelAdmin, classified (kind None: unclassified)."""
    doors = []
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        for route, pattern in _flatten(model_admin.get_urls()):
            door = {
                "model": model, "admin": model_admin, "route": route, "name": pattern.name,
                "kwargs": _kwarg_names(pattern), "callback": pattern.callback, "kind": None,
            }  # fmt: skip
            name = pattern.name or ""
            if hasattr(pattern.callback, "door_perms"):
                door.update(kind="custom", model=pattern.callback.door_model)
            elif name.startswith(info + "_") and name[len(info) + 1 :] in STANDARD:
                door.update(kind="standard", action=name[len(info) + 1 :])
            elif name.startswith(info + "_") and name[len(info) + 1 :] in IMPORT_EXPORT:
                door.update(kind="import_export", action=name[len(info) + 1 :])
            elif name == "" and route == "<path:object_id>/":
                door.update(kind="redirect")  # Django's old change URL: redirects to the new one
            doors.append(door)
    return doors


def autocomplete_doors() -> list[dict]:
    doors = []
    for model, model_admin in admin.site._registry.items():
        holders = [model_admin, *(i(model, admin.site) for i in model_admin.inlines)]
        for holder in holders:
            for field_name in getattr(holder, "autocomplete_fields", ()):
                field = holder.model._meta.get_field(field_name)
                doors.append(
                    {"source": holder.model, "field": field_name, "remote": field.related_model}
                )
    return doors


def api_operations() -> list[tuple[str, str, dict]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((path, method, operation))
    return ops


ADMIN_DOORS = admin_doors()
AUTOCOMPLETE = autocomplete_doors()


def test_every_url_pattern_is_classified():
    unclassified = [d["route"] for d in ADMIN_DOORS if d["kind"] is None]
    assert not unclassified, (
        f"admin URLs the walk cannot classify (wrap custom views with admin_door): {unclassified}"
    )
    site_only = [
        route
        for route, pattern in _flatten(admin.site.get_urls())
        if not any(route.startswith(f"{m._meta.app_label}/{m._meta.model_name}/")
                   for m in admin.site._registry)
    ]  # fmt: skip
    for route in site_only:
        name = next(p.name for r, p in _flatten(admin.site.get_urls()) if r == route)
        assert name in SITE_NAMES or "(?P<url>.*)" in route, f"unclassified admin URL {route}"
    api_routes, others = set(), []
    for route, _pattern in _flatten(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            api_routes.add(route)
        elif route.startswith("admin/") or "admin/" in route[:8]:
            continue
        elif not any(route.startswith(prefix) for prefix in PUBLIC_ROUTES):
            others.append(route)
    assert not others, f"URLs outside the admin and the API that nobody classified: {others}"
    schema_paths = {path for path, _m, _o in api_operations()}
    for route in api_routes:
        assert _schema_path(route) in schema_paths, f"{route} is missing from the API schema"
    for _path, _method, _op in api_operations():
        view = _api_view(_path)
        if _path.startswith("/public/"):
            assert view.authentication_classes == [] and _method == "get", _path
            continue
        assert getattr(view, "permission_model", None) or getattr(view, "open_to_any_key", False), (
            f"{_path}: an API view names its permission_model (or open_to_any_key)"
        )


def _schema_path(route: str) -> str:
    import re

    # drf-spectacular names a primary key {id}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}")


def _api_view(path: str):
    from django.urls import resolve

    sample = path.replace("{id}", "1").replace("{pk}", "1").replace("{psn_no}", "P1")
    return resolve(sample).func.cls


# --- the people who walk -----------------------------------------------------------------------


def _perm_objects(model, perms) -> list[Permission]:
    found = []
    for perm in perms:
        if perm in ("view", "add", "change", "delete"):
            app_label, codename = model._meta.app_label, f"{perm}_{model._meta.model_name}"
        else:
            app_label, codename = perm.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


class Walkers:
    """Users made on demand: nobody, bureau staff, insurer A/B users, county A/B clerks, each
    holding exactly the permissions asked for."""

    def __init__(self, world):
        self.world = world
        self.n = 0

    def _new(self, username, *, staff=True, role=None):
        self.n += 1
        username = f"{username}{self.n}"
        if role:
            user, _pw = user_ensure(username=username, role_code=role, password="pw-1-tests")
        else:
            user = User.objects.create_user(username, password="pw-1-tests", is_staff=staff)
        return user

    def _with(self, user, model, perms):
        user.user_permissions.add(*_perm_objects(model, perms))
        return User.objects.get(pk=user.pk)

    def nobody(self):
        return self._new("nobody")

    def bureau(self, model, perms):
        return self._with(self._new("bureau"), model, perms)

    def insurer(self, which, model, perms):
        from contracts.models import InsurerUser

        user = self._new(f"insurer_{which}", role="insurer")
        insurer = self.world.insurer_a if which == "a" else self.world.insurer_b
        InsurerUser.objects.create(user=user, insurer=insurer)
        return self._with(user, model, perms)

    def clerk(self, which, model, perms):
        from insurance.models import StaffProfile

        user = self._new(f"clerk_{which}")
        county = self.world.county_a if which == "a" else self.world.county_b
        StaffProfile.objects.create(user=user, region=county)
        return self._with(user, model, perms)


def _dimensions(model) -> set:
    try:
        scope = scope_of(model)
    except Exception:  # a third-party model: not row-scoped, the permission decides
        return set()
    dims = getattr(scope, "dimensions", None)
    return set(dims) if dims is not None else {scope.dimension} - {None}


def _others(walkers, model, perms):
    """(intruder, owner, owner_sees) for the fourth way: another insurer / county / maker, and
    the user of insurer A / county A as the control (who sees the row unless it is the bureau's
    own data, which no insurer user sees)."""
    dims = _dimensions(model)
    pairs = []
    if "insurer" in dims or "bureau" in dims:
        pairs.append(
            (walkers.insurer("b", model, perms), walkers.insurer("a", model, perms),
             "bureau" not in dims)
        )  # fmt: skip
    if "region" in dims:
        pairs.append((walkers.clerk("b", model, perms), walkers.clerk("a", model, perms), True))
    if "owner" in dims:  # another holder of the permission does not see a job he did not make
        pairs.append((walkers.bureau(model, perms), None, False))
    return pairs


# --- the admin walk ------------------------------------------------------------------------------


def _door_url(door, obj, value=None) -> str:
    kwargs = {}
    for name in door["kwargs"]:
        if name in ("object_id", "pk", "batch_id", "id"):
            kwargs[name] = obj.pk
        elif name == "item_id":
            kwargs[name] = obj.items.first().pk
        elif name in door.get("choices", {}):
            kwargs[name] = value
        else:
            raise AssertionError(f"{door['route']}: the walk has no value for <{name}>")
    return reverse(f"admin:{door['name']}", kwargs=kwargs)


def _door_perms(door, value=None) -> tuple[str, ...]:
    if door["kind"] == "standard":
        rule = DJANGO_RULES.get((door["model"]._meta.label, door["action"]))
        return rule or {"add": ("add",), "delete": ("view", "delete")}.get(
            door["action"], ("view",)
        )
    if door["kind"] == "import_export":
        return (IMPORT_EXPORT[door["action"]],)
    perms = ("view", *door["callback"].door_perms)
    if value is not None:
        perms += tuple(door["callback"].door_choices[door["kwargs"][-1]][value])
    return tuple(dict.fromkeys(perms))


def _expected_with_permission(door, user, obj):
    """What the admin itself says the holder of the door's permission may do (add and delete
    may be switched off whatever the permission)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry.get(door["model"])
    action = door.get("action")
    if door["kind"] == "standard" and action == "add":
        return model_admin.has_add_permission(request)
    if door["kind"] == "standard" and action == "delete":
        return model_admin.has_delete_permission(request, obj)
    if door["kind"] == "standard" and action in ("change", "history"):
        return model_admin.has_view_or_change_permission(request, obj)
    if door["kind"] == "import_export":
        check = "has_import_permission" if action != "export" else "has_export_permission"
        return getattr(model_admin, check)(request)
    return True


def _door_values(door) -> list:
    if door["kind"] != "custom" or not door["callback"].door_choices:
        return [None]
    (_name, values), *_rest = door["callback"].door_choices.items()
    door["choices"] = door["callback"].door_choices
    return list(values)


def _page(client, user, url, method="get"):
    client.force_login(user)
    return getattr(client, method)(url)


def _leaks(response) -> bool:
    return response.status_code == 200 and MARK_A in response.content.decode(errors="replace")


def _walk_redirect(client, walkers, door, obj):
    """Django's old change URL: the sign-in first, then a redirect to the change page (walked
    as a door of its own)."""
    opts = door["model"]._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/"
    client.logout()
    assert "/login/" in client.get(url)["Location"], url
    seen = _page(client, walkers.nobody(), url)
    assert seen.status_code == 302 and seen["Location"].endswith(f"/{obj.pk}/change/"), url
    WALKED["admin"].add((url, "redirect"))


def _walk_admin_door(client, walkers, door, obj, value):
    if door["kind"] == "redirect":
        return _walk_redirect(client, walkers, door, obj)
    url = _door_url(door, obj, value) if door["kwargs"] else reverse(f"admin:{door['name']}")
    perms = _door_perms(door, value)
    method = "post" if door.get("action") == "process_import" else "get"  # POST only
    client.logout()
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"], (url, "anonymous")

    refused = _page(client, walkers.nobody(), url, method)
    if door["kind"] == "standard" and door["action"] == "history":
        assert refused.status_code in (302, 403), (url, refused.status_code)
    else:
        assert refused.status_code == 403, (url, "no permission", refused.status_code)
    if door["kind"] == "custom":
        assert refused.wsgi_request.medsupp_door == REFUSED, url
        if set(perms) != {"view"}:  # the view permission alone is not enough either
            viewer = walkers.bureau(door["model"], ("view",))
            assert _page(client, viewer, url).status_code == 403, (url, "view only")

    holder = walkers.bureau(door["model"], perms)
    if "owner" in _dimensions(door["model"]):  # rows of their own maker: the holder made it
        type(obj).objects.filter(pk=obj.pk).update(created_by=holder)
    allowed = _page(client, holder, url, method)
    assert allowed.status_code < 500, (url, allowed.status_code)
    if door["kind"] == "custom":
        assert allowed.wsgi_request.medsupp_door == GRANTED, url
        assert allowed.status_code != 404, (url, "the permission holder's row was not found")
    elif door["kind"] != "redirect":
        expected = 200 if _expected_with_permission(door, holder, obj) else 403
        if expected == 200 and allowed.status_code == 302:  # a page that sends on (add: import)
            assert "/login/" not in allowed["Location"] and allowed["Location"] != url, url
        else:
            assert allowed.status_code == expected, (url, allowed.status_code, expected)

    for intruder, owner, owner_sees in _others(walkers, door["model"], perms):
        seen = _page(client, intruder, url, method)
        assert not _leaks(seen), (url, "another insurer or county sees A's name")
        if door["kwargs"]:
            assert seen.status_code in (302, 403, 404), (url, "intruder", seen.status_code)
            if seen.status_code == 302:
                assert seen["Location"] != url
        elif door.get("action") == "changelist" and seen.status_code == 200:
            assert not seen.context["cl"].queryset.filter(pk=obj.pk).exists(), url
        if owner and door["kwargs"] and door["kind"] == "standard" and door["action"] == "change":
            control = _page(client, owner, url)
            if not owner_sees:
                assert control.status_code in (302, 403, 404), (url, "bureau only")
            else:
                assert control.status_code == 200, (url, "the owner's control", control.status_code)
    WALKED["admin"].add((url, door["kind"]))


MODELS = sorted({d["model"] for d in ADMIN_DOORS}, key=lambda m: m._meta.label)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_admin_doors_four_ways(client, model):
    world = make_world()
    walkers = Walkers(world)
    try:
        obj = build(model._meta.label, world)
    except LookupError:
        pytest.fail(f"{model._meta.label}: add a builder to tests/audit/walk_world.py")
    for door in [d for d in ADMIN_DOORS if d["model"] is model]:
        for value in _door_values(door):
            _walk_admin_door(client, walkers, door, obj, value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "door", AUTOCOMPLETE, ids=[f"{d['source']._meta.label}.{d['field']}" for d in AUTOCOMPLETE]
)
def test_autocomplete_four_ways(client, door):
    world = make_world()
    walkers = Walkers(world)
    remote = door["remote"]
    obj = build(remote._meta.label, world)
    params = {
        "app_label": door["source"]._meta.app_label,
        "model_name": door["source"]._meta.model_name,
        "field_name": door["field"],
        "term": "",
    }
    url = reverse("admin:autocomplete")
    client.logout()
    assert client.get(url, params).status_code == 302
    client.force_login(walkers.nobody())
    assert client.get(url, params).status_code == 403
    client.force_login(walkers.bureau(remote, ("view",)))
    answer = client.get(url, params)
    assert answer.status_code == 200
    assert str(obj.pk) in {row["id"] for row in answer.json()["results"]}
    for intruder, _owner, _sees in _others(walkers, remote, ("view",)):
        client.force_login(intruder)
        seen = client.get(url, params)
        assert seen.status_code in (200, 403)
        if seen.status_code == 200:
            assert str(obj.pk) not in {row["id"] for row in seen.json()["results"]}
            assert MARK_A not in seen.content.decode()
    WALKED["admin"].add((f"{url}?{door['source']._meta.label}.{door['field']}", "autocomplete"))


# --- the API walk --------------------------------------------------------------------------------


API_OPS = api_operations()


def _key(user) -> APIClient:
    from audit.choices import ApiScope

    _key_obj, plain = api_key_create(user=user, name="walk", scopes=list(ApiScope.values))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return api


def _api_url(path, operation, obj, person) -> str:
    pk = str(obj.pk) if obj is not None else "0"
    url = path.replace("{id}", pk).replace("{pk}", pk)
    url = url.replace("{psn_no}", person.psn_no if person else "P0")
    query = []
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "query" and parameter.get("required") and schema.get("enum"):
            query.append(f"{parameter['name']}={schema['enum'][0]}")
    return url + ("?" + "&".join(query) if query else "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method", "operation"), API_OPS, ids=[f"{m.upper()} {p}" for p, m, _o in API_OPS]
)
def test_api_doors_four_ways(client, path, method, operation):
    from django.utils import timezone

    from audit.choices import ConsentScope
    from audit.models import Consent
    from tests.insurance.factories import PersonFactory

    world = make_world()
    walkers = Walkers(world)
    view = _api_view(path)
    if path.startswith("/public/"):  # published disclosure reports: public by law, read only
        assert method == "get" and view.authentication_classes == [], path
        assert APIClient().get(path.replace("{id}", "0")).status_code in (200, 404), path
        WALKED["api"].add((method, path))
        return
    model = getattr(view, "permission_model", None)
    action = {"get": "view", "post": "add", "put": "change", "patch": "change",
              "delete": "delete"}[method]  # fmt: skip
    obj = build(model._meta.label, world) if model is not None and "{" in path else None
    person = PersonFactory(region=world.county_a) if "{psn_no}" in path else None
    if person is not None:
        now = timezone.now()
        Consent.objects.create(
            psn_no=person.psn_no, insurer_id=world.insurer_a.pk, scope=ConsentScope.IDENTITY,
            channel="app", given_at=now, expires_at=now + timezone.timedelta(days=30),
        )  # fmt: skip
    url = _api_url(path, operation, obj, person)
    call = lambda api: getattr(api, method)(url, {}, format="json")  # noqa: E731

    assert call(APIClient()).status_code == 401, (url, "anonymous")
    # Keys only: a signed-in browser session is no way in, even a superuser's.
    root = User.objects.create_superuser(f"root{walkers.n}", "r@example.cn", "pw-1-tests")
    session = APIClient()
    session.force_login(root)
    assert call(session).status_code == 401, (url, "session")
    nobody = call(_key(walkers.nobody()))
    if getattr(view, "open_to_any_key", False):
        assert nobody.status_code == 200, url
        WALKED["api"].add((method, path))
        return
    assert nobody.status_code == 403, (url, "no permission", nobody.status_code)
    # The owner: insurer A's user holding the permission.
    owner = call(_key(walkers.insurer("a", model, (action,))))
    assert owner.status_code not in (401, 403, 404) and owner.status_code < 500, (
        url, "owner", owner.status_code, owner.content[:300],
    )  # fmt: skip
    # Another insurer with the same permission: A's row is not there.
    intruder = call(_key(walkers.insurer("b", model, (action,))))
    if "{" in path and method == "get":
        assert intruder.status_code in (403, 404), (url, "intruder", intruder.status_code)
    elif method == "get" and intruder.status_code == 200:
        assert MARK_A not in intruder.content.decode()
        if obj is None and model is not None:
            built = build(model._meta.label, world)
            again = call(_key(walkers.insurer("b", model, (action,))))
            assert built.pk not in {row["id"] for row in again.json()["results"]}
    WALKED["api"].add((method, path))
