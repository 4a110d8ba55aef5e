"""Settlement upload for insurers' systems: POST a file (or JSON lines) and poll the batch."""

import tempfile

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, parsers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.choices import ApiScope
from claims.api.serializers import BatchSerializer, BatchUploadSerializer
from claims.choices import BatchSource
from claims.ingest.report import error_report_response
from claims.models import SettlementBatch
from claims.selectors import settlement_batch_for_user
from claims.services.batches import batch_receive
from contracts.selectors import contract_for_user

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="同一键重复提交只处理一次 / a repeated key is processed once",
)  # fmt: skip


class NdjsonParser(parsers.BaseParser):
    media_type = "application/x-ndjson"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream  # streamed to a temporary file by the view


class BatchListCreateView(generics.ListAPIView):
    serializer_class = BatchSerializer
    permission_model = SettlementBatch
    parser_classes = (parsers.MultiPartParser, NdjsonParser)

    @property
    def required_scopes(self):
        if self.request.method == "POST":
            return (ApiScope.SETTLEMENTS_WRITE,)
        return (ApiScope.SETTLEMENTS_READ,)

    def get_queryset(self):
        return settlement_batch_for_user(self.request.user).order_by("-id")

    @extend_schema(
        request={"multipart/form-data": BatchUploadSerializer, "application/x-ndjson": bytes},
        parameters=[
            IDEMPOTENCY,
            OpenApiParameter("contract", int, description="JSON 行上传时的合同ID"),
        ],
        responses={202: BatchSerializer, 200: BatchSerializer},
        summary="上传结算数据 / upload settlements",
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key") or None
        if request.content_type.startswith("application/x-ndjson"):
            contract_id, upload, name, encoding = self._ndjson(request)
        else:
            form = BatchUploadSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            contract_id = form.validated_data["contract"]
            upload = form.validated_data["file"]
            name, encoding = upload.name, form.validated_data["encoding"]
        contract = get_object_or_404(contract_for_user(request.user), pk=contract_id)
        try:
            received = batch_receive(
                contract=contract, fileobj=upload, filename=name, actor=request.user,
                source=BatchSource.API, idempotency_key=key, encoding=encoding,
            )  # fmt: skip
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        body = BatchSerializer(received.batch, context={"duplicate": received.duplicate}).data
        code = status.HTTP_200_OK if received.duplicate else status.HTTP_202_ACCEPTED
        return Response(body, status=code)

    def _ndjson(self, request):
        contract_id = request.query_params.get("contract", "")
        if not contract_id.isdigit():
            raise ValidationError({"contract": ["JSON 行上传须在查询参数中给出合同ID ?contract="]})
        spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        for chunk in iter(lambda: request.stream.read(1024 * 1024), b""):
            spooled.write(chunk)
        spooled.seek(0)
        return int(contract_id), spooled, "upload.jsonl", ""


class BatchDetailView(generics.RetrieveAPIView):
    serializer_class = BatchSerializer
    permission_model = SettlementBatch
    required_scopes = (ApiScope.SETTLEMENTS_READ,)

    def get_queryset(self):
        return settlement_batch_for_user(self.request.user)


class BatchErrorsView(APIView):
    permission_model = SettlementBatch
    required_scopes = (ApiScope.SETTLEMENTS_READ,)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): bytes},
        summary="下载错误报告 / download the error report",
    )
    def get(self, request, pk: int):
        batch = get_object_or_404(settlement_batch_for_user(request.user), pk=pk)
        return error_report_response(batch, request.query_params.get("format", "csv"))
