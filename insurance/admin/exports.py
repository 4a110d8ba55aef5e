"""Excel and CSV exports of admin lists, one way for every list: the rows the list shows (its
scope, filters and search), columns under their Chinese names with choices and related rows in
words, personal columns masked, every cell safe from formulas, each export audited and dated in the
bureau's time zone.

An admin adds `AuditedExportMixin` and `ExportMixin` (django-import-export) and names a
`ListExportResource` subclass whose `columns` are attribute paths ("contract", "person__psn_no").
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext
from import_export import fields, resources
from unfold.contrib.import_export.forms import ExportForm

from audit import events
from audit.masking import mask
from audit.replica import reports
from audit.spreadsheet import safe_cell
from insurance.importing import EXPORT_FORMATS


def _field_of(model: type[Model], path: str):
    """The model field at the end of `path` ("person__psn_no"), or None for a property."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else model
    return field


class ListExportResource(resources.ModelResource):
    """Columns `columns` (attribute paths), headed by their verbose names (or `headers`); values
    in words (a choice's label, a related row's name); `masked` columns (path -> mask kind of
    `audit.masking.mask`) masked for every user."""

    columns: tuple[str, ...] = ()
    headers: dict[str, str] = {}
    masked: dict[str, str] = {}

    def __init__(self, user=None, **kwargs):
        self.user = user
        super().__init__(**kwargs)
        model = self._meta.model
        self.fields = {}
        for path in self.columns:
            field = _field_of(model, path)
            header = self.headers.get(path) or (field.verbose_name if field is not None else path)
            self.fields[path] = fields.Field(attribute=path, column_name=str(header))

    def get_export_order(self):
        return self.columns

    def export_field(self, field, instance, **kwargs):
        path = field.attribute
        *parents, last = path.split("__")
        owner = instance
        for part in parents:
            owner = getattr(owner, part, None) if owner is not None else None
        if owner is None:
            return ""
        display = getattr(owner, f"get_{last}_display", None)
        value = display() if callable(display) else getattr(owner, last, "")
        if isinstance(value, Model):
            value = str(value)
        elif isinstance(value, bool):
            value = gettext("是") if value else gettext("否")
        elif value is None:
            value = ""
        elif hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if path in self.masked:
            value = mask(self.masked[path], value)
        return safe_cell(value)


class AuditedExportMixin:
    """Exports of the admin's list: the changelist's own queryset, audited, dated locally."""

    export_form_class = ExportForm

    def get_export_formats(self):
        return EXPORT_FORMATS

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def get_export_filename(self, request, queryset, file_format):
        """Dated in the bureau's time zone (import-export uses UTC: a day early before 8:00)."""
        today = timezone.localdate().isoformat()
        return f"{self.model.__name__}-{today}.{file_format.get_extension()}"

    def get_data_for_export(self, request, queryset, **kwargs):
        with reports():  # the list's rows, read from the replica when one is configured
            data = super().get_data_for_export(request, queryset, **kwargs)
        file_format = kwargs.get("export_form")
        fmt = ""
        if file_format is not None and hasattr(file_format, "cleaned_data"):
            fmt = str(file_format.cleaned_data.get("format", ""))
        events.export(
            actor=request.user,
            model_label=self.model._meta.label_lower,
            count=len(data),
            file_format=fmt,
            filters=dict(request.GET.items()),
            personal=False,  # personal columns are masked for every user
            request=request,
        )
        return data
