"""Settlement upload for insurers' systems: POST a file (or JSON lines) and poll the batch."""

import tempfile

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, parsers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.downloads import CSV_OR_XLSX_ANSWER
from audit.api.filters import IdFilter
from audit.api.problems import problem_response
from audit.choices import ApiScope
from claims.choices import BatchSource, BatchStatus
from claims.settlements.api.serializers import BatchSerializer, BatchUploadSerializer
from claims.settlements.ingest.report import error_report_response
from claims.settlements.models import SettlementBatch
from claims.settlements.selectors import settlement_batch_for_user
from claims.settlements.services.batches import IdempotencyConflict, batch_receive
from config.uploads import max_upload_bytes, upload_too_large
from contracts.selectors import contract_for_user

READ_BYTES = 1024 * 1024
REPORT_FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ENCODINGS = ("", "utf-8", "gbk", "gb18030")  # what an upload may state (empty: detected)


IDEMPOTENCY_KEY_MAX = SettlementBatch._meta.get_field("idempotency_key").max_length


def _idempotency_key(request) -> str | None:
    """The Idempotency-Key header, refused (400) when longer than the column that keeps it or
    not printable ASCII, before anything is read or stored."""
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and (
        len(key) > IDEMPOTENCY_KEY_MAX or not (key.isascii() and key.isprintable())
    ):
        raise ValidationError(
            {
                "Idempotency-Key": [
                    _("幂等键须为不超过 %(max)d 个字符的可见 ASCII 字符。")
                    % {"max": IDEMPOTENCY_KEY_MAX}
                ]
            }
        )
    return key


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self):
        limit = max_upload_bytes() // 1024 // 1024
        super().__init__(_("文件超过上限 %(max)d MB。") % {"max": limit})


class LengthRequired(APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_detail = (
        "请求须带 Content-Length，或以分块传输（chunked）发送 / Content-Length required"
    )


IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="同一键重复提交只处理一次 / a repeated key is processed once",
)  # fmt: skip


class NdjsonParser(parsers.BaseParser):
    media_type = "application/x-ndjson"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream  # streamed to a temporary file by the view


class BatchFilter(django_filters.FilterSet):
    contract = IdFilter(field_name="contract_id")
    status = django_filters.ChoiceFilter(choices=BatchStatus.choices)

    class Meta:
        model = SettlementBatch
        fields = ("contract", "status")


class BatchListCreateView(generics.ListAPIView):
    serializer_class = BatchSerializer
    permission_model = SettlementBatch
    filterset_class = BatchFilter
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
            OpenApiParameter(
                "encoding",
                str,
                enum=list(ENCODINGS[1:]),
                description="JSON 行上传时指定编码（留空自动识别） / the encoding, if stated",
            ),
        ],
        responses={
            202: BatchSerializer,
            200: BatchSerializer,
            409: OpenApiResponse(
                description="幂等键已用于另一次上传 / key used for another upload"
            ),
            411: OpenApiResponse(description="分块传输无法结束 / chunked body without an end"),
            413: OpenApiResponse(description="文件超过上限 / body over MEDSUPP_MAX_UPLOAD_MB"),
        },
        summary="上传结算数据 / upload settlements",
    )
    def post(self, request):
        key = _idempotency_key(request)
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > max_upload_bytes() + 1024 * 1024:
            raise PayloadTooLarge  # before a byte of the body is read
        if request.content_type.startswith("application/x-ndjson"):
            contract_id, upload, name, encoding = self._ndjson(request)
        else:
            if not declared and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
                # A server that cannot end a chunked body (ChunkedUploadMiddleware takes those
                # it can): not read as an empty form.
                raise LengthRequired
            form = BatchUploadSerializer(data=request.data)
            if upload_too_large(request):  # the upload handler stopped reading at the limit
                raise PayloadTooLarge
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
        except IdempotencyConflict as conflict:
            return problem_response(409, str(conflict), batch=conflict.batch.pk)
        body = BatchSerializer(received.batch, context={"duplicate": received.duplicate}).data
        code = status.HTTP_200_OK if received.duplicate else status.HTTP_202_ACCEPTED
        return Response(body, status=code)

    def _ndjson(self, request):
        contract_id = request.query_params.get("contract", "")
        if not contract_id.isdigit():
            raise ValidationError({"contract": ["JSON 行上传须在查询参数中给出合同ID ?contract="]})
        spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        limit = max_upload_bytes()
        received = 0
        for chunk in _body_chunks(request):
            received += len(chunk)
            if received > limit:  # read no further, keep nothing
                spooled.close()
                raise PayloadTooLarge
            spooled.write(chunk)
        spooled.seek(0)
        encoding = request.query_params.get("encoding", "")
        if encoding not in ENCODINGS:
            spooled.close()
            listed = ", ".join(ENCODINGS[1:])
            raise ValidationError(
                {
                    "encoding": [
                        _("编码须为 %(listed)s 之一，或留空（自动识别）。") % {"listed": listed}
                    ]
                }
            )
        return int(contract_id), spooled, "upload.jsonl", encoding


def _body_chunks(request):
    """The raw body as it arrives. With a Content-Length, Django's stream; sent chunked (no
    length), the WSGI input itself, which the server (gunicorn) ends where the body ends."""
    meta = request.META
    if meta.get("CONTENT_LENGTH"):
        stream = request.stream
    elif meta.get("wsgi.input_terminated"):
        stream = meta["wsgi.input"]
    else:  # a server that cannot tell where a chunked body ends
        raise LengthRequired
    if stream is None:  # an empty body
        return
    while chunk := stream.read(READ_BYTES):
        yield chunk


class BatchDetailView(generics.RetrieveAPIView):
    serializer_class = BatchSerializer
    permission_model = SettlementBatch
    required_scopes = (ApiScope.SETTLEMENTS_READ,)

    def get_queryset(self):
        return settlement_batch_for_user(self.request.user)


class BatchErrorsView(APIView):
    permission_model = SettlementBatch
    renderer_classes = CSV_OR_XLSX_ANSWER
    required_scopes = (ApiScope.SETTLEMENTS_READ,)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(REPORT_FORMATS))],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, REPORT_FORMATS["xlsx"]): OpenApiTypes.BINARY,
        },
        summary="下载错误报告 / download the error report",
    )
    def get(self, request, pk: int):
        file_format = request.query_params.get("format", "csv")
        if file_format not in REPORT_FORMATS:
            raise ValidationError({"format": [_("format 须为 csv 或 xlsx。")]})
        batch = get_object_or_404(settlement_batch_for_user(request.user), pk=pk)
        return error_report_response(batch, file_format)
