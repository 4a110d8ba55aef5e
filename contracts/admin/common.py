"""Shared admin pieces: the selector door and audited saves of reference data."""

from __future__ import annotations

from unfold.admin import ModelAdmin

from audit.admin.doors import RestrictedAdminMixin
from audit.admin.mixins import AuditedAdminMixin


class ScopedAdmin(RestrictedAdminMixin, AuditedAdminMixin, ModelAdmin):
    """Every queryset through `restrict` (one door to data, `RestrictedAdminMixin`); direct saves,
    deletes and inline rows audited with before/after values (`AuditedAdminMixin`)."""

    audited = True  # direct saves of reference data write an audit event (inline rows always)
    list_per_page = 50
