"""The admin's doors: every queryset through `audit.scoping.restrict`, every custom view through
a permission check.

`RestrictedAdminMixin` (first in every ModelAdmin's bases) gives the admin one door to data:
changelists, change pages, history, delete pages, the custom views that look rows up with
`get_queryset`, autocomplete (which asks the related admin's `get_queryset`) and exports all see
`restrict(..., user, "view")`; foreign-key choices and list filters offer only rows the user may
reach, so no other insurer's (or county's) name shows in a drop-down.

`admin_door(...)` (or `self.door(...)` in a ModelAdmin) wraps a custom view: signed-in staff
(`admin_site.admin_view`), then the permissions it declares, all required. `choices` names the
values a URL argument may take (a workflow move, a step) and the permissions each adds; any other
value is 404. The door records on the request whether it let the user in, and keeps what it
requires on the view, so the generated access walk (tests/audit/test_access_walk.py) can walk
every custom view without anyone listing it.
"""

from __future__ import annotations

import functools

from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404

from audit.scoping import ACTIONS, declared_scopes, has_model_permission, restrict

GRANTED, REFUSED = "granted", "refused"


def _scoped(model) -> bool:
    return model is not None and model._meta.label_lower in declared_scopes()


def _allowed(request, perm: str, *, model, model_admin) -> bool:
    if perm in ACTIONS:
        if model_admin is not None:
            check = getattr(model_admin, f"has_{perm}_permission")
            return bool(check(request))
        return has_model_permission(request.user, model, perm)
    return request.user.has_perm(perm)


def admin_door(admin_site, view, *, model=None, model_admin=None, perms=("view",), choices=None):
    """`view` behind the admin's sign-in and the declared permissions (see the module doc)."""
    model = model if model is not None else getattr(model_admin, "model", None)
    choices = choices or {}

    @functools.wraps(view)
    def door(request, *args, **kwargs):
        needed = list(perms)
        for name, values in choices.items():
            if kwargs.get(name) not in values:
                raise Http404
            needed += list(values[kwargs[name]])
        for perm in needed:
            if not _allowed(request, perm, model=model, model_admin=model_admin):
                request.medsupp_door = REFUSED
                raise PermissionDenied
        request.medsupp_door = GRANTED
        return view(request, *args, **kwargs)

    door.door_model = model
    door.door_perms = tuple(perms)
    door.door_choices = {name: dict(values) for name, values in choices.items()}
    return admin_site.admin_view(door)


class RestrictedRelatedFilter(RelatedFieldListFilter):
    """A foreign-key filter offering only the rows the user may reach."""

    def field_choices(self, field, request, model_admin):
        queryset = restrict(field.related_model, request.user, "view")
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class RestrictedAdminMixin:
    """One door to data for a ModelAdmin (see the module doc)."""

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, "view")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and _scoped(db_field.related_model):
            kwargs["queryset"] = restrict(db_field.related_model, request.user, "view")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and _scoped(db_field.related_model):
            kwargs["queryset"] = restrict(db_field.related_model, request.user, "view")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and self._related_path(item):
                item = (item, RestrictedRelatedFilter)
            filters.append(item)
        return filters

    def _related_path(self, path: str) -> bool:
        try:
            field = get_fields_from_path(self.model, path)[-1]
        except (FieldDoesNotExist, AttributeError):
            return False
        return bool(getattr(field, "is_relation", False)) and _scoped(field.related_model)

    def door(self, view, *perms, choices=None):
        """This admin's custom view behind its permission check (`admin_door`)."""
        return admin_door(
            self.admin_site, view, model_admin=self, perms=perms or ("view",), choices=choices
        )
