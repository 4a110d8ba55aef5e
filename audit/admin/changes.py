"""An audit entry's before/after in words: the field's name, a status by its label, a user by
his username; not `{"status": "proposed", "prepared_by": 4}`.

Other foreign keys stay ids ("#12"): the log is read by people (the administrator) who may not see
the business rows those ids name.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

TABLE = (
    '<table class="text-sm"><thead><tr><th class="pr-4 text-left">{}</th>'
    '<th class="pr-4 text-left">{}</th><th class="text-left">{}</th></tr></thead>'
    "<tbody>{}</tbody></table>"
)
ROW = '<tr><td class="pr-4 py-1">{}</td><td class="pr-4 py-1">{}</td><td class="py-1">{}</td></tr>'


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def value_text(field, value) -> str:
    if value is None or value == "None":
        return "-"
    if field is None or isinstance(value, dict | list):
        return str(value)
    if field.is_relation and field.related_model is get_user_model():
        user = get_user_model().objects.filter(pk=value).first()
        return user.get_username() if user is not None else f"#{value}"
    if field.is_relation:
        return f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def changes_rows(entry) -> list[tuple[str, str, str]]:
    """(field name, before, after) of an entry's `changes`, in words."""
    changes = entry.changes or {}
    model = _model(entry.object_type)
    if set(changes) <= {"before", "after"}:
        before, after = changes.get("before") or {}, changes.get("after") or {}
    else:
        before, after = {}, changes
    rows = []
    for key in dict.fromkeys([*before, *after]):
        field = _field(model, key)
        label = str(field.verbose_name) if field is not None else key
        rows.append(
            (
                label,
                value_text(field, before[key]) if key in before else "",
                value_text(field, after[key]) if key in after else "",
            )
        )
    return rows


def changes_html(entry) -> str:
    rows = changes_rows(entry)
    if not rows:
        return "-"
    body = format_html_join("", ROW, rows)
    return format_html(TABLE, _("字段"), _("变更前"), _("变更后"), body)
