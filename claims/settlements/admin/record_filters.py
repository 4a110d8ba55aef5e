"""Fixed-choice filters for the settlement records list.

Django's default filter for a plain column lists its values with `SELECT DISTINCT` over the
whole table: at a city's 1.5M records that alone took most of a second on every list view. The
choices here come from small tables (the code families of `CodeMapping`) or from the file
format itself (the treatment categories), so the list only reads its one page.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from claims.settlements.ingest.spec import BY_NAME
from claims.settlements.models import CodeMapping


class CodeFamilyFilter(admin.SimpleListFilter):
    """The families of a code column (医疗类别, 险种类型) as `CodeMapping` declares them."""

    column = ""

    def lookups(self, request, model_admin):
        labels: dict[str, str] = {}
        rows = CodeMapping.objects.filter(column=self.column).order_by("family", "code")
        for code, family, label in rows.values_list("code", "family", "label"):
            if code == family or family not in labels:  # the family's own code names it
                labels[family] = f"{label}（{family}）" if label else family
        return sorted(labels.items())

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class MedTypeFilter(CodeFamilyFilter):
    title = _("医疗类别")
    parameter_name = "med_type"
    column = "med_type"


class InsuTypeFilter(CodeFamilyFilter):
    title = _("险种类型")
    parameter_name = "insutype"
    column = "insutype"


# The engine's treatment categories (insurance.engine.facts.TRT_CATEGORIES) by name.
TRT_CATEGORY_NAMES = {
    "dialysis": _("血液透析"),
    "radiotherapy": _("放疗"),
    "chemotherapy": _("化疗"),
}


class TreatmentCategoryFilter(admin.SimpleListFilter):
    """The treatment categories the file format allows (docs/data-format.md)."""

    title = _("治疗类别")
    parameter_name = "trt_category"

    def lookups(self, request, model_admin):
        choices = [value for value in BY_NAME["trt_category"].choices if value]
        return [(value, TRT_CATEGORY_NAMES.get(value, value)) for value in choices]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(trt_category=value) if value else queryset
