"""`GET /api/v1/persons/{psn_no}/?scope=...`: an insurer looks up one insured person (R-SUP-5).

The door is the person's consent, not the register's `person_for_user` (which shows insurers no
people at all): without a valid, unexpired, unrevoked consent of that person for the caller's
insurer and the asked scope the answer is 403, whether or not the person exists. With consent the
answer is the minimum necessary and masked: person number, masked name, insurance type, and
whether the person is enrolled in a scheme of the insurer's contracts on a date. No ID number, no
phone, no settlement or other medical data is ever returned here, so nothing here can serve
underwriting or a pre-existing-condition check (R-JN-3). Every query, answered or refused, is
written to the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import events
from audit.api.problems import problem_response
from audit.choices import ApiScope, AuditAction, ConsentScope
from audit.masking import mask_name
from audit.models import ApiKey, Consent
from audit.selectors import consent_valid
from contracts.selectors import contract_for_user, insurer_of
from insurance.choices import EnrollmentStatus
from insurance.models import Enrollment, Person


class PersonLookupSerializer(serializers.Serializer):
    psn_no = serializers.CharField()
    name_masked = serializers.CharField()
    insutype = serializers.CharField()
    insutype_display = serializers.CharField()
    on = serializers.DateField()
    enrolled = serializers.BooleanField()
    contracts = serializers.ListField(child=serializers.CharField())
    scope = serializers.CharField()
    consent_expires_at = serializers.DateTimeField()


def _enrolled_contracts(user, person: Person, on: dt.date) -> list[str]:
    """Numbers of the caller's contracts in force on `on` whose scheme the person is enrolled in."""
    contracts = contract_for_user(user).filter(coverage_from__lte=on, ends_on__gte=on)
    scheme_ids = set(
        Enrollment.objects.filter(
            person=person,
            scheme_year__scheme_id__in=contracts.values("scheme_id"),
            start_date__lte=on,
            end_date__gte=on,
        )
        .exclude(status=EnrollmentStatus.CANCELLED, cancelled_on__lte=on)
        .values_list("scheme_year__scheme_id", flat=True)
    )
    return sorted(c.number for c in contracts if c.scheme_id in scheme_ids)


class PersonLookupView(APIView):
    # The door is the person's consent (below); the caller must hold the consent view permission.
    permission_model = Consent
    required_scopes = (ApiScope.PERSONS_READ,)

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=ConsentScope.values, required=True),
            OpenApiParameter("date", dt.date, description="参保状态的日期，默认今天"),
        ],
        responses={
            200: PersonLookupSerializer,
            400: OpenApiResponse(description="scope 或 date 有误 / bad scope or date"),
            403: OpenApiResponse(description="无有效授权 / no valid consent (code: no_consent)"),
            404: OpenApiResponse(description="没有该参保人 / no such person"),
        },
        summary="经授权查询参保人 / look up an insured person with consent",
    )
    def get(self, request, psn_no: str):
        scope = request.query_params.get("scope", "")
        insurer = insurer_of(request.user)
        extra = {"scope": scope, "insurer_id": insurer.pk if insurer else None}
        if isinstance(request.auth, ApiKey):
            extra["api_key"] = request.auth.prefix

        def answer(code: str, http_status: int, detail: str, data: dict | None = None):
            allowed = http_status == status.HTTP_200_OK
            events.record(
                action=AuditAction.API_READ,
                actor=request.user,
                object_type="insurance.person",
                object_id=psn_no[:64],
                object_repr=psn_no[:200],
                summary=f"保险机构查询参保人（{'已答复' if allowed else '拒绝'}：{code}）",
                extra={**extra, "allowed": allowed, "result": code},
                ip=events.client_ip(request),
            )
            if not allowed:
                return problem_response(http_status, detail, code=code)
            return Response(data, status=http_status)

        if insurer is None:
            return answer("not_insurer", 403, _("本接口仅供已关联保险机构的用户使用。"))
        if scope not in ConsentScope.values:
            return answer(
                "bad_scope",
                400,
                _("请用 scope 参数指明授权范围，可选：%(s)s。")
                % {"s": "、".join(ConsentScope.values)},
            )
        try:
            on = (
                dt.date.fromisoformat(request.query_params["date"])
                if "date" in request.query_params
                else timezone.localdate()
            )
        except ValueError:
            return answer("bad_date", 400, _("date 参数应为 YYYY-MM-DD 格式的日期。"))
        extra["on"] = on.isoformat()
        consent = consent_valid(psn_no=psn_no, insurer_id=insurer.pk, scope=scope)
        if consent is None:
            return answer(
                "no_consent",
                403,
                _(
                    "没有该参保人对本机构此范围的有效授权（未授权、已过期或已撤回），不能查询其个人信息。"
                ),
            )
        extra["consent_id"] = consent.pk
        person = Person.objects.filter(psn_no=psn_no).first()
        if person is None:
            return answer("not_found", 404, _("没有这个人员编号的参保人。"))
        contracts = _enrolled_contracts(request.user, person, on)
        data = {
            "psn_no": person.psn_no,
            "name_masked": mask_name(person.name),
            "insutype": person.insutype,
            "insutype_display": person.get_insutype_display(),
            "on": on,
            "enrolled": bool(contracts),
            "contracts": contracts,
            "scope": scope,
            "consent_expires_at": consent.expires_at,
        }
        return answer("ok", 200, "", PersonLookupSerializer(data).data)
