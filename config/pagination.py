"""API pagination: a cursor over the primary key, newest first.

DRF's CursorPagination orders by a `created` field by default, which most of our models do not
have; the primary key is always there, indexed and stable.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 1000

    def decode_cursor(self, request):
        """A cursor we did not make is bad input (400, located), not a missing page (404)."""
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": [_("分页游标无效：请使用上一页返回的 next 链接。")]}
            ) from None
