"""The insurer's side of claims supervision: what the bureau computed and decided about its
settlements, and the moves the insurer makes (R-CLM-1..3, R-SUP-1).

Every list and row goes through `audit.scoping.restrict` (the admin's door: the model permission,
then the row scope of `claims/scopes.py`), so an insurer user sees only its own insurer's rows.
Lists are cursor-paginated, newest first. Writes call the services (workflow moves), never the
models.
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.filters import IdFilter
from audit.choices import ApiScope
from audit.scoping import restrict
from claims.choices import (
    AdjustmentStatus,
    ComplaintDecision,
    ComplaintStatus,
    ManualClaimStatus,
    Outcome,
    RefusalReason,
    StatementStatus,
)
from claims.permissions import ANSWER_ADJUSTMENT, ANSWER_COMPLAINT, HANDLE_MANUAL_CLAIM
from claims.settlements.api.serializers import BlankAsNullChoiceField
from claims.settlements.models import Compensation
from claims.supervision.models import (
    ClaimStatement,
    Complaint,
    ManualClaim,
    ReconciliationResult,
    StatementAdjustment,
    StatementItem,
)
from claims.supervision.models.manual_claim import DOCUMENTS
from claims.supervision.services.complaints import complaint_move
from claims.supervision.services.manual_claims import (
    manual_claim_decide,
    manual_claim_documents_update,
    manual_claim_pay,
)
from claims.supervision.services.statement_items import statement_adjustment_answer

READ = (ApiScope.CLAIMS_READ,)


PERIOD = "^[0-9]{4}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": PERIOD, "example": "2025-03"})
class MonthFilter(django_filters.CharFilter):
    """`?period=2025-03`: one calendar month of a date (or datetime) field (always `period`).
    Up to 9998-12: the month after it must still be a date (9999-12 was a server error)."""

    def filter(self, qs, value):
        if not value:
            return qs
        if not re.fullmatch(PERIOD, value) or value >= "9999":
            raise ValidationError({"period": [_("月份应为 YYYY-MM。")]})
        first = dt.date(int(value[:4]), int(value[5:]), 1)
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return qs.filter(**{f"{self.field_name}__gte": first, f"{self.field_name}__lt": following})


def _month_filter(field: str) -> MonthFilter:
    return MonthFilter(field_name=field, label="月份 YYYY-MM / month")


class ScopedList(generics.ListAPIView):
    """A list of `permission_model` through the row-scope door (`select` names the joins)."""

    required_scopes = READ
    select: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.permission_model.objects.select_related(*self.select)
        return restrict(qs, self.request.user).order_by("-id")


class ScopedDetail(generics.RetrieveAPIView):
    required_scopes = READ
    select: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.permission_model.objects.select_related(*self.select)
        return restrict(qs, self.request.user)


# --- compensations -------------------------------------------------------------------------------


class CompensationSerializer(serializers.ModelSerializer):
    contract = serializers.IntegerField(source="record.contract_id", read_only=True)
    psn_no = serializers.CharField(source="record.psn_no", read_only=True)
    setl_id = serializers.CharField(source="record.setl_id", read_only=True)
    setl_time = serializers.DateTimeField(source="record.setl_time", read_only=True)

    class Meta:
        model = Compensation
        fields = (
            "id", "record", "batch", "contract", "psn_no", "setl_id", "setl_time", "plan_code",
            "plan_version", "status", "reason", "lines", "total", "computed_at",
        )  # fmt: skip
        read_only_fields = fields


class CompensationFilter(django_filters.FilterSet):
    batch = IdFilter(field_name="batch_id")
    contract = IdFilter(field_name="record__contract_id")
    psn_no = django_filters.CharFilter(field_name="record__psn_no", label="人员编号 / person")
    period = _month_filter("record__setl_time__date")  # the settlement day, local time

    class Meta:
        model = Compensation
        fields = ("batch", "contract", "psn_no", "period", "status")


class CompensationListView(ScopedList):
    """What the engine says the supplementary cover owed on each of my settlements."""

    serializer_class = CompensationSerializer
    permission_model = Compensation
    filterset_class = CompensationFilter
    select = ("record",)


class CompensationDetailView(ScopedDetail):
    serializer_class = CompensationSerializer
    permission_model = Compensation
    select = ("record",)


# --- reconciliation ------------------------------------------------------------------------------


class ReconciliationSerializer(serializers.ModelSerializer):
    psn_no = serializers.CharField(source="record.psn_no", read_only=True)
    setl_id = serializers.CharField(source="record.setl_id", read_only=True)

    class Meta:
        model = ReconciliationResult
        fields = (
            "id", "record", "contract", "psn_no", "setl_id", "period", "paid_field", "expected",
            "paid", "difference", "outcome", "computed_at",
        )  # fmt: skip
        read_only_fields = fields


class ReconciliationFilter(django_filters.FilterSet):
    contract = IdFilter(field_name="contract_id")
    period = _month_filter("period")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    psn_no = django_filters.CharFilter(field_name="record__psn_no", label="人员编号 / person")

    class Meta:
        model = ReconciliationResult
        fields = ("contract", "period", "outcome", "psn_no")


class ReconciliationListView(ScopedList):
    """Per settlement: what I paid against what the engine says I owed."""

    serializer_class = ReconciliationSerializer
    permission_model = ReconciliationResult
    filterset_class = ReconciliationFilter
    select = ("record",)


# --- monthly statements and their adjustments --------------------------------------------------


class StatementItemSerializer(serializers.ModelSerializer):
    psn_no = serializers.CharField(source="record.psn_no", read_only=True)
    setl_id = serializers.CharField(source="record.setl_id", read_only=True)

    class Meta:
        model = StatementItem
        fields = (
            "id", "record", "psn_no", "setl_id", "in_sample", "above_threshold", "discrepancy",
            "claimed", "expected", "decision", "corrected_amount", "reason_code", "note",
        )  # fmt: skip
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ClaimStatement
        fields = (
            "id", "contract", "insurer", "period", "status", "status_display", "record_count",
            "claimed_total", "expected_total", "discrepancy_count", "sample_size",
            "correction_total", "submitted_at", "reviewed_at", "approved_at",
        )  # fmt: skip
        read_only_fields = fields


class StatementDetailSerializer(StatementSerializer):
    items = StatementItemSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = (*StatementSerializer.Meta.fields, "items")
        read_only_fields = fields


class StatementFilter(django_filters.FilterSet):
    contract = IdFilter(field_name="contract_id")
    period = _month_filter("period")
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices)

    class Meta:
        model = ClaimStatement
        fields = ("contract", "period", "status")


class StatementListView(ScopedList):
    """My monthly statements and the state of their re-review (approved: the result is in)."""

    serializer_class = StatementSerializer
    permission_model = ClaimStatement
    filterset_class = StatementFilter


class StatementDetailView(ScopedDetail):
    """One statement with the settlements drawn into its review and what was decided."""

    serializer_class = StatementDetailSerializer
    permission_model = ClaimStatement

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items__record")


class AdjustmentSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    psn_no = serializers.CharField(source="item.record.psn_no", read_only=True)
    setl_id = serializers.CharField(source="item.record.setl_id", read_only=True)

    class Meta:
        model = StatementAdjustment
        fields = (
            "id", "statement", "contract", "psn_no", "setl_id", "amount", "reason_code",
            "status", "status_display", "answer", "answered_at", "created_at", "closed_at",
            "close_note",
        )  # fmt: skip
        read_only_fields = fields


class AdjustmentFilter(django_filters.FilterSet):
    contract = IdFilter(field_name="contract_id")
    statement = IdFilter(field_name="statement_id")
    status = django_filters.ChoiceFilter(choices=AdjustmentStatus.choices)

    class Meta:
        model = StatementAdjustment
        fields = ("contract", "statement", "status")


class AdjustmentListView(ScopedList):
    """What approved reviews left me to settle; `?status=open`: those I must still answer."""

    serializer_class = AdjustmentSerializer
    permission_model = StatementAdjustment
    filterset_class = AdjustmentFilter
    select = ("item__record",)


class AdjustmentDetailView(ScopedDetail):
    serializer_class = AdjustmentSerializer
    permission_model = StatementAdjustment
    select = ("item__record",)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000, help_text="答复内容 / the answer")


class MoveView(APIView):
    """POST a workflow move on one row of mine: found through the row-scope door (`view`), then
    the service's move, which checks its permission and rule again."""

    permission_model: type
    response_serializer: type[serializers.Serializer]
    request_serializer: type[serializers.Serializer] = AnswerSerializer
    select: tuple[str, ...] = ()

    def post(self, request, pk: int):
        qs = self.permission_model.objects.select_related(*self.select)
        doc = get_object_or_404(restrict(qs, request.user), pk=pk)
        form = self.request_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        self.move(doc, form.validated_data)
        doc = get_object_or_404(qs, pk=pk)
        return Response(self.response_serializer(doc).data)


def _move_schema(request_serializer, response_serializer, summary: str):
    return extend_schema(request=request_serializer, responses=response_serializer, summary=summary)


class AdjustmentAnswerView(MoveView):
    required_scopes = (ApiScope.CLAIMS_WRITE,)
    permission_model = StatementAdjustment
    move_permission = ANSWER_ADJUSTMENT
    response_serializer = AdjustmentSerializer
    select = ("item__record",)

    def move(self, doc, data):
        statement_adjustment_answer(adjustment=doc, answer=data["answer"], actor=self.request.user)

    @_move_schema(AnswerSerializer, AdjustmentSerializer, "答复复核调整 / answer an adjustment")
    def post(self, request, pk: int):
        return super().post(request, pk)


# --- complaints ----------------------------------------------------------------------------------


class ComplaintSerializer(serializers.ModelSerializer):
    psn_no = serializers.CharField(source="person.psn_no", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="已过答复期限仍未答复 / past due")
    decision = BlankAsNullChoiceField(choices=ComplaintDecision.choices, label=_("处理决定"))

    class Meta:
        model = Complaint
        fields = (
            "id", "number", "contract", "psn_no", "settlement_record", "manual_claim",
            "channel", "category", "received_on", "content", "status", "status_display",
            "assigned_on", "due_on", "overdue", "answer", "answered_on", "answered_late",
            "decision", "required_action", "decided_on",
        )  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        from django.utils import timezone

        return (
            obj.status == ComplaintStatus.ASSIGNED
            and obj.due_on is not None
            and obj.due_on < timezone.localdate()
        )


class ComplaintFilter(django_filters.FilterSet):
    contract = IdFilter(field_name="contract_id")
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Complaint
        fields = ("contract", "status", "due_before")


class ComplaintListView(ScopedList):
    """Complaints about my claims with their deadlines; `?status=assigned`: to answer."""

    serializer_class = ComplaintSerializer
    permission_model = Complaint
    filterset_class = ComplaintFilter
    select = ("person",)


class ComplaintDetailView(ScopedDetail):
    serializer_class = ComplaintSerializer
    permission_model = Complaint
    select = ("person",)


class ComplaintAnswerView(MoveView):
    required_scopes = (ApiScope.COMPLAINTS_WRITE,)
    permission_model = Complaint
    move_permission = ANSWER_COMPLAINT
    response_serializer = ComplaintSerializer
    select = ("person",)

    def move(self, doc, data):
        complaint_move(complaint=doc, move="answer", actor=self.request.user, answer=data["answer"])

    @_move_schema(AnswerSerializer, ComplaintSerializer, "答复投诉 / answer a complaint")
    def post(self, request, pk: int):
        return super().post(request, pk)


# --- manual claims -------------------------------------------------------------------------------


class ManualClaimSerializer(serializers.ModelSerializer):
    psn_no = serializers.CharField(source="person.psn_no", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ManualClaim
        fields = (
            "id", "claim_no", "contract", "psn_no", "received_on", "hospital_name",
            "hospital_place", "treatment_from", "treatment_to", "amount_claimed", "documents",
            "documents_complete_on", "due_on", "overdue", "status", "status_display",
            "decided_on", "approved_amount", "reason_code", "decision_note", "paid_on",
        )  # fmt: skip
        read_only_fields = fields


class ManualClaimFilter(django_filters.FilterSet):
    contract = IdFilter(field_name="contract_id")
    status = django_filters.ChoiceFilter(choices=ManualClaimStatus.choices)

    class Meta:
        model = ManualClaim
        fields = ("contract", "status", "overdue")


class ManualClaimListView(ScopedList):
    """Manual claims on my contracts: `due_on` is the end of the working-day clock started when
    the documents were complete (R-CLM-3), `overdue` whether it was missed."""

    serializer_class = ManualClaimSerializer
    permission_model = ManualClaim
    filterset_class = ManualClaimFilter
    select = ("person",)


class ManualClaimDetailView(ScopedDetail):
    serializer_class = ManualClaimSerializer
    permission_model = ManualClaim
    select = ("person",)


MANUAL_MOVES = ("documents", "approve", "refuse", "pay")


class ManualClaimMoveSerializer(serializers.Serializer):
    move = serializers.ChoiceField(
        choices=MANUAL_MOVES,
        help_text=(
            "documents: 登记已收材料（齐全即开始计时）; approve/refuse: 审核决定; pay: 登记支付"
        ),
    )
    documents = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DOCUMENTS)), required=False
    )
    complete_on = serializers.DateField(required=False)
    decided_on = serializers.DateField(required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    reason_code = serializers.ChoiceField(choices=RefusalReason.choices, required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    paid_on = serializers.DateField(required=False)

    def validate(self, attrs):
        needs = {"documents": "documents", "approve": "amount", "refuse": "reason_code",
                 "pay": "paid_on"}[attrs["move"]]  # fmt: skip
        if attrs.get(needs) in (None, ""):
            raise serializers.ValidationError({needs: [_("该操作须填写此项。")]})
        return attrs


class ManualClaimMoveView(MoveView):
    required_scopes = (ApiScope.CLAIMS_WRITE,)
    permission_model = ManualClaim
    move_permission = HANDLE_MANUAL_CLAIM
    request_serializer = ManualClaimMoveSerializer
    response_serializer = ManualClaimSerializer
    select = ("person",)

    def move(self, doc, data):
        actor, move = self.request.user, data["move"]
        if move == "documents":
            manual_claim_documents_update(
                claim=doc, documents=data["documents"], actor=actor,
                complete_on=data.get("complete_on"),
            )  # fmt: skip
        elif move in ("approve", "refuse"):
            manual_claim_decide(
                claim=doc, approve=move == "approve", actor=actor,
                decided_on=data.get("decided_on"), amount=data.get("amount"),
                reason_code=data.get("reason_code"), note=data.get("note", ""),
            )  # fmt: skip
        else:
            manual_claim_pay(claim=doc, paid_on=data["paid_on"], actor=actor)

    @_move_schema(
        ManualClaimMoveSerializer, ManualClaimSerializer, "办理零星报销 / move a manual claim"
    )
    def post(self, request, pk: int):
        return super().post(request, pk)
