"""API pagination: a cursor over the primary key, newest first.

DRF's CursorPagination orders by a `created` field by default, which most of our models do not
have; the primary key is always there, indexed and stable.
"""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 1000
