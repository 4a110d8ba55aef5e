"""A document named and linked, instead of its raw id ("6") or reference ("contracts.evaluation:1").

The link goes to the document's admin page, behind that page's own door: a user who may not see
it is refused there, as if he had typed the address.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html


def object_link(obj: Model | None) -> str:
    """The object's name, linked to its admin page when it has one; "-" for none."""
    if obj is None:
        return "-"
    opts = obj._meta
    if type(obj) not in admin.site._registry:
        return str(obj)
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return str(obj)
    return format_html('<a class="text-primary-600 font-medium" href="{}">{}</a>', url, obj)


def ref_object(ref: str) -> Model | None:
    """The object a reference "app_label.model:pk" names, or None (unknown or gone)."""
    label, _sep, pk = (ref or "").partition(":")
    try:
        model = apps.get_model(label)
        return model._default_manager.filter(pk=int(pk)).first()
    except (LookupError, ValueError):
        return None


def ref_link(ref: str) -> str:
    """A stored reference as the named, linked document; the text itself when it names none."""
    found = ref_object(ref)
    return object_link(found) if found is not None else (ref or "-")
