"""Public read-only API of the disclosure reports: published reports only, no login, figures as
JSON or CSV (aggregates only; small cells already suppressed in the frozen content).

Mounted under `/public/api/` (claims/oversight/public/urls.py), not `/api/v1/`: everything under
`/api/v1/`
refuses anonymous callers (tests/audit/test_access_walk.py walks it), and these views are public
by design."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.downloads import CSV_ANSWER
from audit.spreadsheet import safe_row
from claims.oversight.services.disclosure import published_reports


def _summary(report) -> dict:
    return {
        "id": report.pk,
        "scheme_code": report.scheme_code,
        "scheme_name": report.scheme_name,
        "year": report.year,
        "version": report.version,
        "published_at": report.published_at.isoformat() if report.published_at else None,
        "content_sha256": report.content_sha256,
        "supersedes": report.supersedes_id,
        "change_note": report.change_note,
    }


def figure_rows(content: dict) -> list[tuple[str, str, str, str]]:
    """The report's figures flattened to (section, item, measure, value) rows."""
    rows: list[tuple[str, str, str, str]] = []
    for key in ("settlements", "median_days", "mean_days", "manual_within_limit_share"):
        rows.append(("efficiency", key, "value", str(content["efficiency"].get(key) or "")))
    for key, value in content["finance"].items():
        if key != "lines":
            rows.append(("finance", key, "value", str(value if value is not None else "")))
    for line in content["finance"]["lines"]:
        rows.append(("finance_settlement", line["label"], "amount", line["amount"]))
    ben = content["beneficiaries"]
    rows += [("beneficiaries", "total", "people", str(ben["people"]))]
    rows += [("beneficiaries", "total", "amount", str(ben["amount"]))]
    for section in ("by_tier", "by_region"):
        for row in ben[section]:
            rows.append((section, row["label"], "people", str(row["people"])))
            rows.append((section, row["label"], "amount", str(row["amount"])))
    for row in content["monthly"]:
        for measure in ("settlements", "people", "amount"):
            rows.append(("monthly", row["month"], measure, str(row[measure])))
    return rows


class DisclosureSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scheme_code = serializers.CharField()
    scheme_name = serializers.CharField()
    year = serializers.IntegerField()
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)
    content_sha256 = serializers.CharField()
    supersedes = serializers.IntegerField(allow_null=True)
    change_note = serializers.CharField(allow_blank=True)


class DisclosureReportSerializer(DisclosureSummarySerializer):
    content = serializers.DictField(help_text="报告的全部数字（已做小样本抑制）")


class PublicDisclosureMixin:
    permission_classes = [AllowAny]
    authentication_classes: list = []


class DisclosureListView(PublicDisclosureMixin, APIView):
    @extend_schema(
        operation_id="public_disclosures_list",
        summary="已发布的信息公开报告",
        responses={200: DisclosureSummarySerializer(many=True)},
    )
    def get(self, request):
        return Response([_summary(r) for r in published_reports()])


class DisclosureDetailView(PublicDisclosureMixin, APIView):
    @extend_schema(
        operation_id="public_disclosure_json",
        summary="信息公开报告的全部数字（JSON）",
        responses={200: DisclosureReportSerializer},
    )
    def get(self, request, pk: int):
        report = get_object_or_404(published_reports(), pk=pk)
        return Response({**_summary(report), "content": report.content})


class DisclosureCsvView(PublicDisclosureMixin, APIView):
    renderer_classes = CSV_ANSWER

    @extend_schema(
        operation_id="public_disclosure_csv",
        summary="信息公开报告的数字（CSV）",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, pk: int):
        report = get_object_or_404(published_reports(), pk=pk)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["section", "item", "measure", "value"])
        writer.writerows(safe_row(row) for row in figure_rows(report.content))
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        name = f"disclosure-{report.scheme_code}-{report.year}-v{report.version}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
