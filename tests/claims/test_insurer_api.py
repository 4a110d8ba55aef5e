"""Issue 21: the insurer's endpoints, each scoped to its own insurer through the admin's row-scope
door, with its filters, and its moves made by the services (R-CLM-1..3, R-SUP-1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from audit.choices import ApiScope
from audit.services import api_key_create
from claims.choices import AdjustmentStatus, ComplaintStatus, ManualClaimStatus
from claims.models import StatementAdjustment
from claims.supervision.services.complaints import complaint_move, complaint_register
from claims.supervision.services.manual_claims import manual_claim_register
from claims.supervision.services.statement_items import (
    statement_adjustment_close,
    statement_item_decide,
)
from claims.supervision.services.statements import (
    statement_move,
    statement_review_start,
    statement_submit,
)
from contracts.services.insurers import insurer_user_link
from tests.claims.supervision_data import applied_batch, claim, compensation, record

pytestmark = pytest.mark.django_db
D = dt.date


def _api(user, scopes=tuple(ApiScope.values)) -> APIClient:
    _key, plain = api_key_create(user=user, name="t", scopes=list(scopes))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return api


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def insurers(covered_city, other_insurer_contract, role_user):
    """A clerk of the covered city's insurer (ours) and one of another insurer (theirs)."""
    ours = role_user("insurer", username="ours")
    insurer_user_link(user=ours, insurer=covered_city["contract"].lead_insurer, actor=None)
    theirs = role_user("insurer", username="theirs")
    insurer_user_link(user=theirs, insurer=other_insurer_contract.lead_insurer, actor=None)
    return {"ours": ours, "theirs": theirs, "api": _api(ours), "other": _api(theirs)}


def test_my_contracts_and_who_i_am(covered_city, other_insurer_contract, insurers):
    contract = covered_city["contract"]
    assert _ids(insurers["api"].get("/api/v1/contracts/")) == [contract.pk]
    me = insurers["api"].get("/api/v1/me/").json()
    assert [c["number"] for c in me["contracts"]] == [contract.number]
    assert me["insurer"] == contract.lead_insurer_id
    assert _ids(insurers["api"].get("/api/v1/contracts/?in_force_on=2025-06-01")) == [contract.pk]
    assert _ids(insurers["api"].get("/api/v1/contracts/?in_force_on=2030-01-01")) == []
    theirs = insurers["api"].get(f"/api/v1/contracts/{other_insurer_contract.pk}/")
    assert theirs.status_code == 404


def test_compensations_per_batch_person_and_period(covered_city, other_insurer_contract, insurers):
    p1, p2, _p3 = covered_city["people"]
    first, second = applied_batch(covered_city["contract"]), applied_batch(covered_city["contract"])
    march = compensation(record(first, p1, day=D(2025, 3, 10)), "100.00")
    april = compensation(record(first, p2, day=D(2025, 4, 2)), "200.00")
    later = compensation(record(second, p1, day=D(2025, 3, 31)), "300.00")
    other = applied_batch(other_insurer_contract)
    hidden = compensation(record(other, p1, day=D(2025, 3, 10)), "400.00")
    api, url = insurers["api"], "/api/v1/compensations/"
    assert sorted(_ids(api.get(url))) == sorted([march.pk, april.pk, later.pk])
    assert sorted(_ids(api.get(url, {"batch": first.pk}))) == sorted([march.pk, april.pk])
    assert sorted(_ids(api.get(url, {"psn_no": p1.psn_no}))) == sorted([march.pk, later.pk])
    assert sorted(_ids(api.get(url, {"period": "2025-03"}))) == sorted([march.pk, later.pk])
    row = api.get(f"{url}{march.pk}/").json()
    assert row["total"] == "100.00" and row["psn_no"] == p1.psn_no and row["batch"] == first.pk
    assert api.get(f"{url}{hidden.pk}/").status_code == 404
    assert _ids(insurers["other"].get(url)) == [hidden.pk]
    bad = api.get(url, {"period": "2025-13"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "period"


@pytest.fixture
def approved_month(covered_city, insurers, role_user):
    """March 2025 reviewed and approved: one settlement underpaid by 200.00 (500.00 owed, 300.00
    paid) and one unpaid (900.00 owed), each left to the insurer as an adjustment."""
    contract, (p1, p2, p3) = covered_city["contract"], covered_city["people"]
    batch = applied_batch(contract)
    claim(batch, p1, expected="100.00", paid="100.00")
    under = claim(batch, p2, expected="500.00", paid="300.00")
    unpaid = claim(batch, p3, expected="900.00", paid="0.00")
    reviewer, director = role_user("reviewer"), role_user("director")
    statement = statement_submit(contract=contract, period=D(2025, 3, 1), actor=insurers["ours"])
    statement = statement_review_start(statement=statement, actor=reviewer, seed=1, sample_size=0)
    for item in statement.items.all():
        statement_item_decide(
            item=item, decision="correct", amount=item.expected, actor=reviewer, reason_code=205
        )
    statement = statement_move(statement=statement, move="finish_review", actor=reviewer)
    statement = statement_move(statement=statement, move="approve", actor=director)
    return {"statement": statement, "under": under, "unpaid": unpaid, "reviewer": reviewer}


def test_statements_and_the_adjustments_i_answer(approved_month, insurers):
    api, statement = insurers["api"], approved_month["statement"]
    assert _ids(api.get("/api/v1/statements/", {"period": "2025-03"})) == [statement.pk]
    read = api.get(f"/api/v1/statements/{statement.pk}/").json()
    assert read["status"] == "approved" and read["correction_total"] == "1100.00"
    assert sorted(i["corrected_amount"] for i in read["items"]) == ["500.00", "900.00"]
    assert insurers["other"].get(f"/api/v1/statements/{statement.pk}/").status_code == 404

    owed = {a.item.record_id: a for a in StatementAdjustment.objects.select_related("item")}
    under = owed[approved_month["under"].pk]
    listed = api.get("/api/v1/adjustments/", {"status": "open"}).json()["results"]
    assert {(a["id"], a["amount"]) for a in listed} == {
        (under.pk, "200.00"), (owed[approved_month["unpaid"].pk].pk, "900.00")
    }  # fmt: skip

    url = f"/api/v1/adjustments/{under.pk}/answer/"
    empty = api.post(url, {"answer": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "answer"
    assert insurers["other"].post(url, {"answer": "x"}, format="json").status_code == 404
    answered = api.post(url, {"answer": "4 月 2 日已补付 200 元。"}, format="json")
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == AdjustmentStatus.ANSWERED
    under.refresh_from_db()
    assert under.answer == "4 月 2 日已补付 200 元。" and under.answered_by == insurers["ours"]
    assert list(under.history.values_list("move", "actor")) == [("answer", insurers["ours"].pk)]
    again = api.post(url, {"answer": "again"}, format="json")
    assert again.status_code == 409 and again.json()["status"] == 409
    # the bureau still settles what was answered
    settled = statement_adjustment_close(
        adjustment=under, move="settle", actor=approved_month["reviewer"]
    )
    assert settled.status == AdjustmentStatus.SETTLED


def test_a_key_without_the_write_scope_cannot_answer(approved_month, insurers):
    adjustment = StatementAdjustment.objects.first()
    read_only = _api(insurers["ours"], scopes=[ApiScope.CLAIMS_READ])
    refused = read_only.post(f"/api/v1/adjustments/{adjustment.pk}/answer/", {"answer": "x"})
    assert refused.status_code == 403
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.OPEN


def test_complaints_about_my_claims_with_their_deadline_and_my_answer(
    covered_city, insurers, role_user
):
    operator = role_user("operator")
    complaint = complaint_register(
        contract=covered_city["contract"], person=covered_city["people"][0], channel="hotline",
        category="refusal", content="拒付理由不清。", actor=operator, received_on=D(2025, 3, 3),
    )  # fmt: skip
    complaint_move(complaint=complaint, move="assign", actor=operator, on=D(2025, 3, 3))
    api = insurers["api"]
    (row,) = api.get("/api/v1/complaints/", {"status": "assigned"}).json()["results"]
    # five working days after Monday 3 March 2025: 4, 5, 6, 7 and 10 March
    assert row["id"] == complaint.pk and row["due_on"] == "2025-03-10"
    assert row["decision"] is None  # not "": not a member of the schema's enum
    assert _ids(insurers["other"].get("/api/v1/complaints/")) == []
    answered = api.post(
        f"/api/v1/complaints/{complaint.pk}/answer/",
        {"answer": "已重新核定并补付。"},
        format="json",
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == ComplaintStatus.ANSWERED
    assert answered.json()["answer"] == "已重新核定并补付。"


def test_manual_claims_with_their_clock_and_my_moves(covered_city, insurers, role_user):
    from claims.supervision.models.manual_claim import DOCUMENTS

    claim = manual_claim_register(
        contract=covered_city["contract"], person=covered_city["people"][0],
        received_on=D(2025, 3, 3), hospital_name="北京协和医院", treatment_from=D(2025, 2, 10),
        treatment_to=D(2025, 2, 20), amount_claimed="12000.00", actor=role_user("operator"),
    )  # fmt: skip
    api, url = insurers["api"], f"/api/v1/manual-claims/{claim.pk}/moves/"
    missing = api.post(url, {"move": "approve"}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "amount"
    complete = api.post(
        url, {"move": "documents", "documents": list(DOCUMENTS), "complete_on": "2025-03-03"},
        format="json",
    )  # fmt: skip
    assert complete.status_code == 200, complete.content
    # the contract's 7 working days after Monday 3 March 2025: 4-7, 10, 11, 12 March
    assert complete.json()["due_on"] == "2025-03-12"
    assert complete.json()["status"] == ManualClaimStatus.COMPLETE
    approve = {"move": "approve", "amount": "8000.00", "decided_on": "2025-03-10"}
    assert api.post(url, approve, format="json").json()["approved_amount"] == "8000.00"
    paid = api.post(url, {"move": "pay", "paid_on": "2025-03-12"}, format="json").json()
    assert paid["status"] == ManualClaimStatus.PAID and paid["overdue"] is False
    assert _ids(api.get("/api/v1/manual-claims/", {"status": "paid"})) == [claim.pk]
    theirs = insurers["other"].post(url, {"move": "pay", "paid_on": "2025-03-12"}, format="json")
    assert theirs.status_code == 404
    assert insurers["other"].get(f"/api/v1/manual-claims/{claim.pk}/").status_code == 404


def test_the_reconciliation_results_are_mine(approved_month, insurers):
    rows = insurers["api"].get("/api/v1/reconciliation-results/", {"outcome": "underpaid"})
    (row,) = rows.json()["results"]
    assert row["record"] == approved_month["under"].pk
    assert Decimal(row["difference"]) == Decimal("-200.00")  # paid 300.00 of 500.00
    assert _ids(insurers["other"].get("/api/v1/reconciliation-results/")) == []


def _serializers(serializer, seen=None):
    """A serializer and every serializer nested in it."""
    seen = seen if seen is not None else []
    seen.append(serializer)
    for field in serializer.fields.values():
        nested = getattr(field, "child", field)
        if isinstance(nested, serializers.Serializer):
            _serializers(nested, seen)
    return seen


def test_no_answer_serves_a_blank_choice_the_schema_does_not_allow():
    """A choice column kept blank until known (a complaint's decision before the bureau decides)
    is served as `null`, declared nullable; served as "" under an enum without it, a client
    generated from the schema refuses the whole list (as it did on the complaints)."""
    from claims.api.urls import urlpatterns

    found = []
    for pattern in urlpatterns:
        view = pattern.callback.view_class
        for name in ("serializer_class", "response_serializer"):
            if getattr(view, name, None) is None:
                continue
            for serializer in _serializers(getattr(view, name)()):
                model = getattr(getattr(serializer, "Meta", None), "model", None)
                for field in serializer.fields.values():
                    if not isinstance(field, serializers.ChoiceField) or model is None:
                        continue
                    column = model._meta.get_field(field.source.split(".")[0])
                    if column.blank and not (field.allow_null or field.allow_blank):
                        found.append(f"{type(serializer).__name__}.{field.field_name}")
    assert found == []


ID_FILTERS = [
    ("/api/v1/contracts/", "scheme"),
    ("/api/v1/settlement-batches/", "contract"),
    ("/api/v1/compensations/", "batch"),
    ("/api/v1/compensations/", "contract"),
    ("/api/v1/reconciliation-results/", "contract"),
    ("/api/v1/statements/", "contract"),
    ("/api/v1/adjustments/", "contract"),
    ("/api/v1/adjustments/", "statement"),
    ("/api/v1/complaints/", "contract"),
    ("/api/v1/manual-claims/", "contract"),
]


@pytest.mark.parametrize(("url", "name"), ID_FILTERS)
def test_an_id_filter_tells_nothing_of_other_insurers_ids(
    url, name, other_insurer_contract, insurers
):
    """Another insurer's id and an id that exists nowhere answer alike (an empty list): the
    filter does not look the id up in the whole table. A non-integer is refused, not truncated."""
    theirs = {"scheme": other_insurer_contract.scheme_id, "contract": other_insurer_contract.pk,
              "batch": applied_batch(other_insurer_contract).pk}  # fmt: skip
    if name == "statement":
        from claims.models import ClaimStatement

        theirs["statement"] = ClaimStatement.objects.create(
            contract=other_insurer_contract, insurer=other_insurer_contract.lead_insurer,
            period=D(2025, 3, 1),
        ).pk  # fmt: skip
    api = insurers["api"]
    for value in (theirs[name], 10**9):
        assert _ids(api.get(url, {name: value})) == [], value
    refused = api.get(url, {name: "1.5"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == name


def test_id_filters_are_declared_integers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for url, name in ID_FILTERS:
        (parameter,) = [p for p in schema["paths"][url]["get"]["parameters"] if p["name"] == name]
        assert parameter["schema"]["type"] == "integer", (url, name)


def test_my_batches_per_contract_and_status(covered_city, insurers):
    from claims.choices import BatchStatus
    from tests.contracts.factories import ContractFactory

    first = covered_city["contract"]
    second = ContractFactory(lead_insurer=first.lead_insurer)
    applied, other = applied_batch(first), applied_batch(second)
    rejected = applied_batch(first)
    rejected.status = BatchStatus.REJECTED
    rejected.save(update_fields=["status"])
    api, url = insurers["api"], "/api/v1/settlement-batches/"
    assert _ids(api.get(url)) == [rejected.pk, other.pk, applied.pk]
    assert _ids(api.get(url, {"contract": first.pk})) == [rejected.pk, applied.pk]
    assert _ids(api.get(url, {"contract": first.pk, "status": "applied"})) == [applied.pk]
    assert _ids(api.get(url, {"status": "rejected"})) == [rejected.pk]
    assert api.get(url, {"status": "lost"}).status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/compensations/", "/api/v1/statements/",
                                 "/api/v1/reconciliation-results/"])  # fmt: skip
def test_a_month_is_yyyy_mm_up_to_the_last_one_that_has_a_next(url, insurers):
    api = insurers["api"]
    for month in ("2025-03", "0001-01", "9998-12"):
        assert api.get(url, {"period": month}).status_code == 200, month
    for month in (
        "9999-12",
        "2025-+3",
        "2025-3",
        "2025-13",
        "2025-00",
        "2025-03-01",
        "２０２５-03",
    ):
        refused = api.get(url, {"period": month})
        assert refused.status_code == 400, month
        assert refused.json()["errors"] == [{"field": "period", "detail": "月份应为 YYYY-MM。"}]


def test_the_month_is_declared_with_its_pattern():
    import re

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    (period,) = [
        p for p in schema["paths"]["/api/v1/compensations/"]["get"]["parameters"]
        if p["name"] == "period"
    ]  # fmt: skip
    assert re.fullmatch(period["schema"]["pattern"].strip("^$"), "2025-03")
    assert not re.fullmatch(period["schema"]["pattern"].strip("^$"), "2025-3")
