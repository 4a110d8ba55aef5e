"""Query filters shared by the API's lists."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """`?contract=12`: the rows that point at that id. An integer (`1.5` is refused, not read as
    1), compared as is: never looked up in the whole table first, as django-filter's model choice
    filter does, which answered 400 for an id that does not exist and an empty list for another
    insurer's, telling which ids exist. Both are now an empty list."""

    field_class = forms.IntegerField
