"""The insurer's contracts, and who a key belongs to (with the contracts it reaches)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.filters import IdFilter
from contracts.choices import ContractStatus
from contracts.models import Contract
from contracts.selectors import contract_for_user, insurer_of


class ContractSerializer(serializers.ModelSerializer):
    scheme_code = serializers.CharField(source="scheme.code", read_only=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    lead_insurer_name = serializers.CharField(source="lead_insurer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Contract
        fields = (
            "id", "number", "scheme", "scheme_code", "scheme_name", "lead_insurer",
            "lead_insurer_name", "status", "status_display", "starts_on", "ends_on",
            "coverage_from", "signed_on", "activated_on", "ended_on", "claim_time_limit_days",
        )  # fmt: skip
        read_only_fields = fields


class ContractFilter(django_filters.FilterSet):
    scheme = IdFilter(field_name="scheme_id")
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)
    in_force_on = django_filters.DateFilter(
        method="filter_in_force", label="在该日期有效 / in force on (YYYY-MM-DD)"
    )

    class Meta:
        model = Contract
        fields = ("status", "scheme")

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class ContractListView(generics.ListAPIView):
    """My contracts: those my insurer leads or is a member of (the admin's row scope)."""

    serializer_class = ContractSerializer
    permission_model = Contract
    filterset_class = ContractFilter

    def get_queryset(self):
        return contract_for_user(self.request.user).order_by("-id")


class ContractDetailView(generics.RetrieveAPIView):
    serializer_class = ContractSerializer
    permission_model = Contract

    def get_queryset(self):
        return contract_for_user(self.request.user)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    insurer = serializers.IntegerField(allow_null=True, help_text="所属保险机构ID / my insurer")
    insurer_name = serializers.CharField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField(), help_text="密钥的权限范围")
    contracts = ContractSerializer(many=True, help_text="可访问的合同 / the contracts I reach")


class MeView(APIView):
    """Who the key belongs to, its roles and scopes, and the contracts it reaches; insurers
    use it to check a key and to learn their contract ids."""

    open_to_any_key = True  # tells a key's holder only about himself

    @extend_schema(responses=MeSerializer, summary="当前用户 / current user")
    def get(self, request):
        insurer = insurer_of(request.user)
        contracts = contract_for_user(request.user).order_by("id")  # none without the permission
        data = {
            "username": request.user.get_username(),
            "roles": sorted(request.user.role_codes),
            "insurer": insurer.pk if insurer else None,
            "insurer_name": insurer.name if insurer else None,
            "scopes": sorted(getattr(request.auth, "scopes", []) or []),
            "contracts": contracts,
        }
        return Response(MeSerializer(data).data)
