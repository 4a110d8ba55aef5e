"""`GET /api/v1/changes/?after=<cursor>`: what changed for my insurer since I last asked.

Rows are written by the services in the transaction that made the change
(`claims.settlements.services.changes`), in id order of commit, so a client that keeps the last
`cursor` it
was given and asks again with `?after=` sees every change exactly once, in order.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.scoping import restrict
from claims.settlements.models import Change

LIMIT = 500


class ChangeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Change
        fields = ("id", "kind", "kind_display", "object_id", "contract", "at")
        read_only_fields = fields


class ChangesPageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    cursor = serializers.IntegerField(help_text="下次请求的 after / pass as ?after= next time")
    more = serializers.BooleanField(help_text="还有更多，立即再取 / more are waiting")


class ChangesView(APIView):
    """Oldest first, at most `limit` (default and maximum 500) after the cursor."""

    permission_model = Change
    required_scopes = ()  # any key: it names only kinds and ids of my own objects

    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="上次得到的 cursor，首次为 0"),
            OpenApiParameter("limit", int, description=f"每次最多条数（1–{LIMIT}）"),
        ],
        responses=ChangesPageSerializer,
        summary="变化通知 / changes since a cursor",
    )
    def get(self, request):
        after = self._int("after", 0, least=0)
        limit = self._int("limit", LIMIT, least=1, most=LIMIT)
        rows = list(restrict(Change, request.user).filter(id__gt=after).order_by("id")[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = rows[-1].pk if rows else after
        data = {"results": rows, "cursor": cursor, "more": more}
        return Response(ChangesPageSerializer(data).data)

    def _int(self, name: str, default: int, *, least: int, most: int | None = None) -> int:
        """A whole number from least to most; anything else refused (a limit above the most is
        not cut down: the client would believe it had asked for what it got)."""
        raw = self.request.query_params.get(name)
        if raw is None:
            return default
        top = 2**63 - 1 if most is None else most
        if not (raw.isascii() and raw.isdigit()) or not least <= int(raw) <= top:
            if most is None:
                message = _("须为不小于 %(n)d 的整数。") % {"n": least}
            else:
                message = _("须为 %(least)d 至 %(most)d 的整数。") % {"least": least, "most": most}
            raise ValidationError({name: [message]})
        return int(raw)
