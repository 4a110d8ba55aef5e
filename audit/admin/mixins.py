"""`AuditedAdminMixin`: every direct admin write of a domain record leaves an audit entry.

Put it first in a ModelAdmin's bases. `save_model`, `delete_model`, `delete_queryset` (the bulk
"delete selected" action) and `save_formset` (inline rows: added, changed, deleted) each write one
`audit.events.change` entry with the before/after values of the fields that changed. Encrypted
personal fields (`audit.fields.EncryptedTextField`) are masked with `audit.masking`, blind
indexes are left out. An admin whose `save_model` calls a service (which audits) overrides it
without calling super, so nothing is written twice; set `audited = False` to switch the mixin's
save/delete entries off where every save goes through services (inline rows are still audited).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from audit import events
from audit.choices import AuditAction
from audit.fields import BlindIndexField, EncryptedTextField
from audit.masking import mask

_FULL_MASK = "******"


def _mask_kind(field_name: str) -> str | None:
    name = field_name.lower()
    if "certno" in name or name.endswith("id_no") or "idcard" in name:
        return "certno"
    if "phone" in name or "mobile" in name or "tel" in name:
        return "phone"
    if "name" in name:
        return "name"
    return None


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | dt.date | dt.datetime | dt.time):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return str(value)


def audit_snapshot(obj) -> dict:
    """The record's concrete field values, JSON-ready, personal data masked."""
    data = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, BlindIndexField):
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, EncryptedTextField):
            kind = _mask_kind(field.name)
            value = mask(kind, value) if kind and value else (_FULL_MASK if value else value)
        data[field.attname] = _plain(value)
    return data


def _diff(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _stored(obj):
    if obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


class AuditedAdminMixin:
    audited = True

    def _audit(self, request, obj, action, before, after, verb):
        events.change(
            actor=request.user,
            obj=obj,
            action=action,
            before=before,
            after=after,
            summary=f"后台{verb}：{obj._meta.verbose_name} {obj}"[:500],
            request=request,
        )

    def save_model(self, request, obj, form, change):
        stored = _stored(obj) if change else None
        before = audit_snapshot(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)
        if not self.audited:
            return
        after = audit_snapshot(obj)
        if change:
            before, after = _diff(before, after)
            if not after:
                return  # saved without a change: nothing to record
        self._audit(
            request,
            obj,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            before,
            after,
            "修改" if change else "新增",
        )

    def delete_model(self, request, obj):
        if self.audited:
            self._audit(request, obj, AuditAction.DELETE, audit_snapshot(obj), {}, "删除")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if self.audited:
            for obj in queryset:
                self._audit(request, obj, AuditAction.DELETE, audit_snapshot(obj), {}, "删除")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        before = {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk is not None:
                stored = _stored(instance)
                if stored is not None:
                    before[instance.pk] = audit_snapshot(stored)
        # Deleted rows lose their primary key when deleted: record them first (same transaction).
        for inline_form in getattr(formset, "deleted_forms", []):
            obj = inline_form.instance
            if obj.pk is not None and obj.pk in before:
                self._audit(request, obj, AuditAction.DELETE, before[obj.pk], {}, "删除")
        result = super().save_formset(request, form, formset, change)
        for obj in getattr(formset, "new_objects", []):
            self._audit(request, obj, AuditAction.CREATE, {}, audit_snapshot(obj), "新增")
        for obj, _fields in getattr(formset, "changed_objects", []):
            old, new = _diff(before.get(obj.pk, {}), audit_snapshot(obj))
            if new:
                self._audit(request, obj, AuditAction.UPDATE, old, new, "修改")
        return result


class ViewerMixin:
    """Keeps the user who opens a change page on the object fetched for that request, so the
    page's display methods (which get only the object) can offer only the moves that user may
    make: `viewer_of(obj)`. A ModelAdmin instance is shared by every request and thread; the
    object is this request's own."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._admin_viewer = request.user
        return obj


def viewer_of(obj):
    """The user viewing `obj`'s change page (see `ViewerMixin`), None elsewhere."""
    return getattr(obj, "_admin_viewer", None)
