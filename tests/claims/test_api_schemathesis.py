"""Issue 21, done means: schemathesis against the API's own schema, every operation, authenticated
as an insurer (a key with every scope), bounded examples: no 500, every answer conforms to its
declared schema and content type, and no status code the schema does not declare.

Requests go over HTTP to a live server on PostgreSQL. The insurer has a contract and an applied
batch of settlements, so generated ids sometimes hit real rows.
"""

from __future__ import annotations

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from audit.choices import ApiScope
from audit.services import api_key_create
from contracts.services.insurers import insurer_user_link

MAX_EXAMPLES = 12  # per operation: about a minute in all on two cores
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value):  # the upload's JSON lines body is raw bytes
    return value if isinstance(value, bytes) else str(value).encode()


schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def insurer_key(transactional_db, covered_city, role_user):
    from tests.claims.supervision_data import applied_batch, record

    contract = covered_city["contract"]
    clerk = role_user("insurer", username="insurer_fuzz")
    insurer_user_link(user=clerk, insurer=contract.lead_insurer, actor=None)
    batch = applied_batch(contract)
    for n, person in enumerate(covered_city["people"]):
        record(batch, person, paid=f"{90 + n}.00")
    _key, plain = api_key_create(user=clerk, name="fuzz", scopes=list(ApiScope.values))
    return plain


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_to_its_schema(case, api_server, insurer_key):
    case.call_and_validate(
        base_url=api_server.url,
        headers={"Authorization": f"Api-Key {insurer_key}"},
        checks=CHECKS,
    )
