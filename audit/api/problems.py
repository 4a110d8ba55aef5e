"""Every error answer of the API is JSON problem details (RFC 9457), made here and only here.

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "请求有误。", "errors": [{"field": "file", "detail": "..."}]}

- `problem_exception_handler` is DRF's EXCEPTION_HANDLER: every exception a view raises (a field
  error, a refused permission, a missing row, a throttle, a business rule of the services)
  becomes one problem. Members a view adds to its own error (`code`, `batch`) are kept as
  extension members.
- `api_not_found` / `api_server_error` are the site's handler404/handler500: a URL under /api/
  or /public/api/ that matches no route (`/api/v1/settlement-batches/abc/`) answers a JSON 404,
  the rest of the site its HTML page.
- `declare_problems` is a drf-spectacular postprocessing hook: it declares, on every operation,
  the problem answers it can give, so a generated client knows each one.
"""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audit.errors import IllegalMove

MEDIA_TYPE = "application/problem+json"
DETAILS = {
    400: _("请求有误，请按 errors 修改后重试。"),
    401: _("未认证：请在 Authorization 头中提供有效的接口密钥。"),
    403: _("您没有此操作的权限。"),
    404: _("未找到。"),
    409: _("与当前状态冲突。"),
    411: _("请求须带 Content-Length。"),
    413: _("请求体过大。"),
    406: _("无法按 Accept 头给出回答：请接受 application/json。"),
    415: _("不支持的请求内容类型。"),
    429: _("请求过于频繁，请稍后再试。"),
    500: _("服务器内部错误，医保部门已收到记录。"),
}


def problem(status: int, detail: str = "", *, errors: list | None = None, **extra) -> dict:
    """The problem details body for `status` (title: the HTTP reason phrase)."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail or DETAILS.get(status, "")),
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_response(status: int, detail: str = "", **extra) -> Response:
    return Response(problem(status, detail, **extra), status=status, content_type=MEDIA_TYPE)


def _located(detail, field: str | None = None) -> list[dict]:
    """DRF's error detail (dict of fields, list, string) as a flat list of {field, detail}."""
    if isinstance(detail, dict):
        found = []
        for name, value in detail.items():
            inner = name if field is None or name == "non_field_errors" else f"{field}.{name}"
            found += _located(value, None if inner == "non_field_errors" else inner)
        return found
    if isinstance(detail, list):
        return [entry for item in detail for entry in _located(item, field)]
    return [{"field": field, "detail": str(detail)} if field else {"detail": str(detail)}]


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = DETAILS[409]


def problem_exception_handler(exc, context):
    if isinstance(exc, IllegalMove):  # not a move of the document's current status
        exc = Conflict(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):  # a business rule of a service (RuleError)
        exc = exceptions.ValidationError(exc.messages)
    elif isinstance(exc, DjangoPermissionDenied):  # NotPermitted
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.ParseError):  # DRF's parsers say it in English only
        exc = exceptions.ParseError(
            _("请求体无法解析，请检查其格式（%(reason)s）。") % {"reason": exc.detail}
        )
    elif isinstance(exc, exceptions.NotAcceptable):
        exc = exceptions.NotAcceptable(DETAILS[406])
    response = drf_exception_handler(exc, context)
    if response is None:  # not an API exception: a 500, left to Django (handler500)
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    status = response.status_code
    if isinstance(detail, dict) and "detail" in detail:  # a view's own error with extra members
        extra = {k: v for k, v in detail.items() if k != "detail"}
        body = problem(status, detail["detail"], **extra)
    elif isinstance(exc, exceptions.ValidationError):
        body = problem(status, errors=_located(detail))
    else:
        body = problem(status, detail if isinstance(detail, str) else "")
    response.data = body
    response.content_type = MEDIA_TYPE
    return response


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/public/api/"))


def api_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(problem(404), status=404, content_type=MEDIA_TYPE)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def api_server_error(request):
    if _is_api(request):
        return JsonResponse(problem(500), status=500, content_type=MEDIA_TYPE)
    from django.views.defaults import server_error

    return server_error(request)


# --- the schema --------------------------------------------------------------------------------

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
        "code": {"type": "string"},
        "batch": {"type": "integer"},
    },
}
# Every authenticated operation: bad input, no key, no permission or scope, an Accept header
# no renderer meets, throttled; the public API: only the Accept header.
COMMON = (400, 401, 403, 406, 429)
PUBLIC = (406,)
WRITE = (404, 409, 415)  # a POST on a row: not yours, not in this status, not JSON/multipart


def declare_problems(result, generator, request, public):
    """Postprocessing hook: the Problem component, and on every operation the problem answers
    it can give (the public disclosure API: no key and no input, so only 404 on a row and 406)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            public_api = path.startswith("/public/")
            statuses = set(PUBLIC if public_api else COMMON)
            if "{" in path:
                statuses.add(404)
            if method != "get" and not public_api:
                statuses.update(WRITE)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                declared = responses.setdefault(
                    str(status), {"description": HTTPStatus(status).phrase}
                )
                declared["content"] = {MEDIA_TYPE: {"schema": ref}}
            for status, declared in responses.items():  # a view's own 4xx: also a problem
                if status.startswith(("4", "5")):
                    declared["content"] = {MEDIA_TYPE: {"schema": ref}}
    return result
