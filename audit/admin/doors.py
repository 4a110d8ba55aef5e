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

from django.apps import apps
from django.contrib import messages
from django.contrib.admin import RelatedFieldListFilter, SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import UnfoldForeignKeyRawIdWidget

from audit.fields import BlindIndexField, EncryptedTextField
from audit.scoping import ACTIONS, declared_scopes, has_model_permission, restrict

GRANTED, REFUSED = "granted", "refused"
# Django's own pages, and import/export (which checks its own permissions); the rest is a door.
OWN_PAGES = (
    "changelist", "add", "change", "delete", "history", "import", "process_import", "export",
)  # fmt: skip
ACTION_LABELS = {
    "view": gettext_lazy("查看"),
    "add": gettext_lazy("新增"),
    "change": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
}


def permission_label(perm: str, model=None) -> str:
    """A permission in the user's words: 查看「参保人」, or a custom permission's own name."""
    if perm in ACTIONS:
        return f"{ACTION_LABELS[perm]}「{model._meta.verbose_name}」"
    app_label, _sep, codename = perm.partition(".")
    action, _sep, model_name = codename.partition("_")
    if action in ACTIONS:
        try:
            return permission_label(action, apps.get_model(app_label, model_name))
        except LookupError:
            pass
    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    return str(found.name) if found else perm


def refusal(request, *, missing: list[str], model=None, admin_site=None):
    """The 403 page of a door: what was refused and which permission it needs, in the user's
    language; nothing was done."""
    needed = "、".join(permission_label(perm, model) for perm in missing)
    context = {
        **(admin_site.each_context(request) if admin_site is not None else {}),
        "title": _("没有权限"),
        "message": _(
            "您没有此操作的权限：需要「%(perms)s」。如需办理，请联系系统管理员分配相应角色。"
        )
        % {"perms": needed},
    }
    return TemplateResponse(request, "admin/medsupp_refused.html", context, status=403)


def _scoped(model) -> bool:
    return model is not None and model._meta.label_lower in declared_scopes()


def _allowed(request, perm: str, *, model, model_admin) -> bool:
    if perm in ACTIONS:
        if model_admin is not None:
            check = getattr(model_admin, f"has_{perm}_permission")
            return bool(check(request))
        return has_model_permission(request.user, model, perm)
    return request.user.has_perm(perm)


def admin_door(
    admin_site, view, *, model=None, model_admin=None, perms=("view",), choices=None, refused=None
):
    """`view` behind the admin's sign-in and the declared permissions (see the module doc).
    `refused(request)` may answer a refusal itself (a 403 page that says which role is needed)."""
    model = model if model is not None else getattr(model_admin, "model", None)
    choices = choices or {}

    @functools.wraps(view)
    def door(request, *args, **kwargs):
        needed = list(perms)
        for name, values in choices.items():
            if kwargs.get(name) not in values:
                raise Http404
            needed += list(values[kwargs[name]])
        missing = [
            p for p in needed if not _allowed(request, p, model=model, model_admin=model_admin)
        ]
        if missing:
            request.medsupp_door = REFUSED
            if refused is not None:
                response = refused(request)
                if response.status_code != 403:
                    raise ImproperlyConfigured("a door's refusal must answer 403")
                return response
            return refusal(request, missing=missing, model=model, admin_site=admin_site)
        request.medsupp_door = GRANTED
        return view(request, *args, **kwargs)

    door.door_model = model
    door.door_perms = tuple(perms)
    door.door_choices = {name: dict(values) for name, values in choices.items()}
    return admin_site.admin_view(door)


def is_personal_field(model, field) -> bool:
    """Encrypted and blind-indexed fields, and those a model lists in `personal_fields` (a
    person's birth date: beside the ID's mask and the region it rebuilds the number)."""
    return isinstance(field, EncryptedTextField | BlindIndexField) or field.name in getattr(
        model, "personal_fields", ()
    )


def touches_personal_field(model, lookup: str) -> bool:
    """Whether a URL lookup (`birth_date__month`, `person__phone`) reads a personal field."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or a filter's own parameter: no further field
        if is_personal_field(model, field):
            return True
        if not getattr(field, "path_infos", None):
            return False
        model = field.path_infos[-1].to_opts.model
    return False


# The parameters Django's field list filters read, after the field's path.
_FIELD_FILTER_SUFFIXES = ("", "__exact", "__isnull", "__in", "__gte", "__lt", "__id__exact")


def filter_lookups(model_admin, request) -> set[str]:
    """The URL parameters the admin's own list filters and date hierarchy send."""
    accepted = set()
    if model_admin.date_hierarchy:
        hierarchy = model_admin.date_hierarchy
        accepted |= {f"{hierarchy}__{part}" for part in ("year", "month", "day", "gte", "lt")}
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            accepted.add(item.parameter_name)
            continue
        field_path = item[0] if isinstance(item, list | tuple) else item
        if isinstance(field_path, str):
            accepted |= {f"{field_path}{suffix}" for suffix in _FIELD_FILTER_SUFFIXES}
    return accepted


class RestrictedRelatedFilter(RelatedFieldListFilter):
    """A foreign-key filter offering only the rows the user may reach."""

    def field_choices(self, field, request, model_admin):
        queryset = restrict(field.related_model, request.user, "view")
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class RestrictedRawIdWidget(UnfoldForeignKeyRawIdWidget):
    """The raw-id box's label (the chosen row's name beside the box, also for a value typed or
    passed in the URL) looked up among the rows the user may reach, not the whole table."""

    def __init__(self, rel, admin_site, attrs=None, using=None, *, queryset):
        super().__init__(rel, admin_site, attrs, using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            obj = self.queryset.get(**{key: value})
        except (ValueError, ValidationError, self.rel.model.DoesNotExist):
            return "", ""
        try:
            opts = obj._meta
            name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
            url = reverse(name, args=(obj.pk,))
        except NoReverseMatch:
            url = ""
        return Truncator(obj).words(14), url


class RestrictedFieldsMixin:
    """Foreign-key and many-to-many choices, autocomplete boxes' chosen labels and raw-id
    labels through `restrict`, for a ModelAdmin (`RestrictedAdminMixin`) and an inline
    (`RestrictedInlineMixin`) alike."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and _scoped(related):
            kwargs["queryset"] = restrict(related, request.user, "view")
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            reachable = kwargs.get("queryset", related._default_manager.all())
            kwargs["widget"] = RestrictedRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using"),
                queryset=reachable,
            )  # fmt: skip
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and _scoped(db_field.related_model):
            kwargs["queryset"] = restrict(db_field.related_model, request.user, "view")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RestrictedInlineMixin(RestrictedFieldsMixin):
    """First in an inline's bases: its drop-downs and labels offer only reachable rows."""


def looks_like_id_number(term: str) -> bool:
    """An 18-character resident ID number (17 digits and a check character)."""
    term = "".join(term.split()).upper()
    return len(term) == 18 and term[:17].isdigit() and (term[17].isdigit() or term[17] == "X")


ID_NOT_IN_URL = gettext_lazy(
    "身份证号不能放在网址中查找（会留在代理日志和浏览器历史里）：请使用列表上方的「按身份证号查找」。"
)
ID_NOT_SEARCHED_HERE = gettext_lazy(
    "身份证号不能放在网址中查找（会留在代理日志和浏览器历史里），此列表也不按身份证号查找。"
)


class RestrictedAdminMixin(RestrictedFieldsMixin):
    """One door to data for a ModelAdmin (see the module doc)."""

    def changelist_view(self, request, extra_context=None):
        """An ID number in `?q=` is never searched and never carried on: it is dropped from the
        query before the list (whose filter, sort and page links repeat the query) is built,
        the list is empty, and a message points to the POST search."""
        if looks_like_id_number(request.GET.get(SEARCH_VAR, "")):
            request.GET = request.GET.copy()
            del request.GET[SEARCH_VAR]
            request.medsupp_id_in_url = True
            messages.warning(
                request,
                # `finds_by_id_number`: set by an admin offering the POST search (`find/`)
                ID_NOT_IN_URL
                if getattr(self, "finds_by_id_number", False)
                else ID_NOT_SEARCHED_HERE,
            )
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        if getattr(request, "medsupp_id_in_url", False):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    # URL lookups on personal fields this admin accepts besides its own filters' parameters.
    personal_lookups: tuple[str, ...] = ()

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, "view")

    def lookup_allowed(self, lookup, value, request=None):
        """A lookup on a personal field only when the admin's filters send it (or it is in
        `personal_lookups`): `?birth_date__month=5&birth_date__day=4` beside the ID's mask and
        a region filter would rebuild ID numbers. Lists and exports both ask here; a refused
        lookup answers 400."""
        if not super().lookup_allowed(lookup, value, request):
            return False
        if lookup in self.personal_lookups or lookup in filter_lookups(self, request):
            return True
        return not touches_personal_field(self.model, lookup)

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

    def get_urls(self):
        """Every URL of this admin that is not one of Django's own pages (or import/export,
        which checks its permissions itself) goes through a door: a custom view added by a
        package (an unfold action, a device's QR code) needs at least the view permission."""
        opts = self.model._meta
        own = {f"{opts.app_label}_{opts.model_name}_{page}" for page in OWN_PAGES}
        urls = []
        for pattern in super().get_urls():
            callback = pattern.callback
            if pattern.name and pattern.name not in own and not hasattr(callback, "door_perms"):
                pattern = URLPattern(
                    pattern.pattern,
                    admin_door(self.admin_site, callback, model_admin=self),
                    pattern.default_args,
                    pattern.name,
                )
            urls.append(pattern)
        return urls

    def door(self, view, *perms, choices=None):
        """This admin's custom view behind its permission check (`admin_door`)."""
        return admin_door(
            self.admin_site, view, model_admin=self, perms=perms or ("view",), choices=choices
        )
