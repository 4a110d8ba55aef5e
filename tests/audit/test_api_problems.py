"""Issue 21: every error answer of the API is RFC 9457 problem details from one handler, declared
in the schema; English on `Accept-Language: en`; the schema tells the truth about the upload,
batches, the error report and the public API; the docs pages need no internet."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.choices import BatchStatus
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch
from tests.contracts.factories import ContractFactory

PROBLEM = "application/problem+json"


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def contract(db):
    return ContractFactory()


@pytest.fixture
def insurer_api(contract, role_user):
    user = role_user("insurer", username="insurer_api")
    insurer_user_link(user=user, insurer=contract.lead_insurer, actor=None)
    _key, plain = api_key_create(
        user=user, name="t", scopes=["settlements:read", "settlements:write"]
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return api


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body


@pytest.mark.django_db
def test_a_non_integer_id_and_an_unknown_api_route_answer_a_json_404(insurer_api, client):
    _is_problem(insurer_api.get("/api/v1/settlement-batches/abc/"), 404)
    _is_problem(insurer_api.get("/api/v1/no-such-thing/"), 404)
    _is_problem(client.get("/public/api/disclosures/abc/"), 404)
    page = client.get("/no-such-page/")  # the rest of the site keeps its HTML page
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_bad_key_is_a_problem_in_chinese_or_in_english():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert _is_problem(api.get("/api/v1/me/"), 401)["detail"] == "接口密钥无效。"
    english = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert _is_problem(english, 401)["detail"] == "Invalid API key."


@pytest.mark.django_db
def test_field_errors_are_located(insurer_api, contract):
    batch = applied_batch(contract)
    body = _is_problem(
        insurer_api.get(f"/api/v1/settlement-batches/{batch.pk}/errors/?format=AAA"), 400
    )
    assert [e["field"] for e in body["errors"]] == ["format"]
    body = _is_problem(insurer_api.post("/api/v1/settlement-batches/", {}, format="multipart"), 400)
    assert {e["field"] for e in body["errors"]} == {"contract", "file"}
    english = insurer_api.get("/api/v1/settlement-batches/?cursor=zzz", HTTP_ACCEPT_LANGUAGE="en")
    assert _is_problem(english, 400)["errors"] == [
        {
            "field": "cursor",
            "detail": "Invalid page cursor: use the next link of the previous page.",
        }
    ]


@pytest.mark.django_db
def test_a_batch_rejected_before_its_format_was_read_has_a_null_format(insurer_api, contract):
    batch = applied_batch(contract)
    batch.status, batch.file_format = BatchStatus.REJECTED, ""
    batch.save()
    assert insurer_api.get(f"/api/v1/settlement-batches/{batch.pk}/").json()["file_format"] is None
    batch.file_format = "csv"
    batch.save()
    assert insurer_api.get(f"/api/v1/settlement-batches/{batch.pk}/").json()["file_format"] == "csv"
    field = _schema()["components"]["schemas"]["Batch"]["properties"]["file_format"]
    assert field["nullable"] is True


def test_every_operation_declares_its_problem_answers():
    schema = _schema()
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type", "title", "status", "detail"
    ]  # fmt: skip
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            declared = operation["responses"]
            wanted = {"406"} if path.startswith("/public/") else {"400", "401", "403", "406", "429"}
            if "{" in path:
                wanted.add("404")
            if method == "post":
                wanted |= {"404", "409", "415"}
            assert wanted <= set(declared), (method, path, sorted(declared))
            for status, answer in declared.items():
                if status.startswith("4"):
                    assert list(answer["content"]) == [PROBLEM], (method, path, status)
    upload = schema["paths"]["/api/v1/settlement-batches/"]["post"]
    assert {"409", "411", "413"} <= set(upload["responses"])


def test_the_upload_and_the_public_api_are_declared_as_they_are():
    schema = _schema()
    body = schema["paths"]["/api/v1/settlement-batches/"]["post"]["requestBody"]["content"]
    assert body["application/x-ndjson"]["schema"] == {"type": "string", "format": "binary"}
    form = schema["components"]["schemas"]["BatchUploadRequest"]["properties"]["file"]
    assert form == {**form, "type": "string", "format": "binary"}
    listing = schema["paths"]["/public/api/disclosures/"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"]["type"] == "array"
    report = schema["paths"]["/api/v1/settlement-batches/{id}/errors/"]["get"]
    assert set(report["responses"]["200"]["content"]) == {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_nothing_from_another_site(client, url):
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "drf_spectacular_sidecar" in html
    for source in sources:  # each one shipped with the project (collectstatic serves it)
        if source.startswith(settings.STATIC_URL):
            assert finders.find(source[len(settings.STATIC_URL) :]), source


@pytest.mark.django_db
def test_an_unreadable_body_and_an_unmet_accept_header_are_problems_in_the_callers_language(
    insurer_api, client
):
    url, torn = "/api/v1/settlement-batches/", "multipart/form-data"  # no boundary: unreadable
    body = _is_problem(insurer_api.generic("POST", url, "--x", content_type=torn), 400)
    assert body["detail"].startswith("请求体无法解析")
    english = insurer_api.generic("POST", url, "--x", content_type=torn, HTTP_ACCEPT_LANGUAGE="en")
    assert _is_problem(english, 400)["detail"].startswith("The request body cannot be read")
    xml = insurer_api.get("/api/v1/me/", HTTP_ACCEPT="application/xml")
    assert "application/json" in _is_problem(xml, 406)["detail"]
    _is_problem(client.get("/public/api/disclosures/", HTTP_ACCEPT="application/xml"), 406)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "accept",
    ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "*/*"],
)
def test_the_error_report_answers_the_accept_header_its_schema_declares(
    insurer_api, contract, accept
):
    batch = applied_batch(contract)
    batch.status = BatchStatus.REJECTED
    batch.save()
    fmt = "xlsx" if "sheet" in accept else "csv"
    url = f"/api/v1/settlement-batches/{batch.pk}/errors/?format={fmt}"
    report = insurer_api.get(url, HTTP_ACCEPT=accept)
    assert report.status_code == 200, report.content
    assert report["Content-Type"].split(";")[0] in (accept, "text/csv")
    # its errors stay problem details, whatever was accepted
    other = f"/api/v1/settlement-batches/{10**9}/errors/?format={fmt}"
    _is_problem(insurer_api.get(other, HTTP_ACCEPT=accept), 404)
    _is_problem(insurer_api.get(url.replace(fmt, "pdf"), HTTP_ACCEPT=accept), 400)


@pytest.mark.django_db
def test_a_method_the_endpoint_does_not_have_is_405_not_a_refused_permission(insurer_api, contract):
    batch = applied_batch(contract)
    for method in ("PUT", "PATCH", "DELETE"):
        answer = insurer_api.generic(method, f"/api/v1/settlement-batches/{batch.pk}/")
        body = _is_problem(answer, 405)
        assert method in body["detail"]
    # a key still has to be good first
    assert _is_problem(APIClient().put(f"/api/v1/contracts/{contract.pk}/"), 401)
