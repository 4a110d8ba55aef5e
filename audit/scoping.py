"""One door to data (DESIGN rule 7): `restrict(queryset, user, action)`.

NetBox's `RestrictedQuerySet.restrict(user, action)` is the model: one call checks the model
permission for the action *and* applies the rows the user may reach. Every queryset a user can
reach goes through it: the admin (`RestrictedAdminMixin`: changelists, change pages, custom views,
foreign-key choices, list filters, autocomplete, exports), the API, dashboards and reports.

Each model declares its row scope once, with `row_scope(Model, ...)(scope)`, in its app's
`scopes.py` (audit.Consent is declared by claims, which knows insurers). A scope is a callable
`(queryset, user) -> queryset` narrowing the rows; `Everyone` is the scope of data any holder of
the permission sees whole. A model without a declared scope raises: nothing is reachable by
accident. It is a function rather than a queryset method so that the models keep their managers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_permission_codename
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

ACTIONS = ("view", "add", "change", "delete")
Scope = Callable[[QuerySet, object], QuerySet]

_SCOPES: dict[str, Scope] = {}


class Everyone:
    """Every row, for whoever holds the model permission (reference data, users, the log)."""

    dimension = None

    def __call__(self, queryset: QuerySet, user) -> QuerySet:
        return queryset


def row_scope(*models: type[Model] | str) -> Callable[[Scope], Scope]:
    """Declare the row scope of `models` (classes or "app_label.Model" labels), once each."""

    def register(scope: Scope) -> Scope:
        for model in models:
            label = (model if isinstance(model, str) else model._meta.label).lower()
            if label in _SCOPES:
                raise ImproperlyConfigured(f"{label}: its row scope is declared twice")
            _SCOPES[label] = scope
        return scope

    return register


def scope_of(model: type[Model]) -> Scope:
    try:
        return _SCOPES[model._meta.label_lower]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no row scope (row_scope in its app's scopes.py)"
        ) from None


def declared_scopes() -> dict[str, Scope]:
    return dict(_SCOPES)


def has_model_permission(user, model: type[Model], action: str) -> bool:
    """The model permission for `action`; as in the admin, `change` also lets one view."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    opts = model._meta
    if user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}"):
        return True
    return action == "view" and user.has_perm(
        f"{opts.app_label}.{get_permission_codename('change', opts)}"
    )


def restrict(queryset: QuerySet | type[Model], user, action: str = "view") -> QuerySet:
    """The rows of `queryset` (or of a model) that `user` may reach for `action`: none without
    the model permission, else those of the model's declared row scope."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    scope = scope_of(queryset.model)
    if not has_model_permission(user, queryset.model, action):
        return queryset.none()
    return scope(queryset, user)
