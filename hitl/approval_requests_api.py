"""`/api/v1/approval-requests/`: agents outside Walker ask for approval, and wait for the decision.

Only an integration token with the `request` scope calls it: the token is the agent, named by the token's name.
Filing goes through hitl.services.outside (the one `request_approval`); the decision is read as the agent receives
it (hitl.outside_decisions). A read with `?wait=<seconds>` answers as soon as the request is decided.
"""

from adrf.views import APIView as AsyncAPIView
from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response

from agents.tenant_actions.models import MAX_EXPIRY, MIN_EXPIRY
from core.api_fields import StrictCharField
from core.errors import http_status
from core.throttling import CredentialRateThrottle
from hitl.models import Answer, ApprovalRequest, ApprovalStatus
from hitl.outside_decisions import decision_of
from hitl.outside_reads import result_of, risk_of
from hitl.outside_waiting import handing_back, on_the_watch, until_decided
from hitl.services.outside import CALLBACK_URL_MAX, KEY_MAX, TEXT_MAX, Ask, Refused, file_request
from hitl.services.outside_results import DETAIL_MAX, OUTCOMES, report_result
from tenants.identity.token_scopes import Scope, TokenScopePermission
from tenants.models import IntegrationToken

MAX_BODY_BYTES = 96 * 1024  # the args' 64 KiB, the description and context, and the rest of the body


class AsksWithAToken(permissions.BasePermission):
    message = "Approval requests are filed and read with an integration token that has the request scope."

    def has_permission(self, request, view):
        return isinstance(request.auth, IntegrationToken)


class Guarded:
    """What every approval-request endpoint shares: who may call it, the scope it needs, its rate per token."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, AsksWithAToken]
    token_scope = Scope.REQUEST
    throttle_classes = [CredentialRateThrottle]
    throttle_rate_setting = "APPROVAL_REQUESTS_RATE"


class ApprovalRequestBody(serializers.Serializer):
    action = StrictCharField(max_length=40, help_text="The key of an action type the tenant registered.")
    args = serializers.DictField(help_text="The action's args, checked against the type's JSON Schema (64 KiB).")
    description = StrictCharField(max_length=TEXT_MAX, help_text="What the agent wants and why; approvers read it.")
    context = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    idempotency_key = StrictCharField(
        max_length=KEY_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="The same key with the same args answers the same request (200); with other args, 409.",
    )
    expires_in = serializers.IntegerField(
        min_value=int(MIN_EXPIRY.total_seconds()),
        max_value=int(MAX_EXPIRY.total_seconds()),
        required=False,
        help_text="Seconds until the request ends rejected without a decision; the type's default expiry if left out.",
    )
    allowed_decisions = serializers.ListField(
        child=serializers.ChoiceField(choices=Answer.choices),
        min_length=1,
        max_length=len(Answer),
        required=False,
        help_text="What approvers may answer; all by default (edit only for a type with editable fields).",
    )
    callback_url = StrictCharField(
        max_length=CALLBACK_URL_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where each decision is POSTed, signed with the tenant's action webhook secret (a public https URL).",
    )


class RequestDecisionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Answer.choices, help_text="Act only on accept or edit.")
    args = serializers.DictField(help_text="The args to act on: the approver's edits included.")
    args_sha256 = serializers.CharField(
        help_text='SHA-256 of `args` as json.dumps(args, sort_keys=True, separators=(",", ":")).'
    )
    note = serializers.CharField(help_text="The approver's note or reason (empty when none).")
    decided_by = serializers.CharField(help_text="Who decided, by name.")
    decided_at = serializers.DateTimeField(allow_null=True)


class RequestRiskFactorSerializer(serializers.Serializer):
    factor = serializers.CharField()
    label = serializers.CharField()
    points = serializers.FloatField()
    max = serializers.IntegerField()
    detail = serializers.CharField()


class RequestRiskSerializer(serializers.Serializer):
    score = serializers.FloatField()
    level = serializers.CharField()
    factors = RequestRiskFactorSerializer(many=True)


class RequestResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(outcome.value, outcome.label) for outcome in OUTCOMES])
    detail = serializers.CharField()
    reported_at = serializers.DateTimeField()


class ResultBody(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[outcome.value for outcome in OUTCOMES], help_text="How carrying out the approved action went."
    )
    detail = StrictCharField(max_length=DETAIL_MAX, help_text="What happened, in words approvers read.")


class ApprovalRequestSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="approval.pk", help_text="The approval's id, as approvers see it.")
    reference = serializers.CharField(source="approval.reference")
    status = serializers.ChoiceField(source="approval.status", choices=ApprovalStatus.choices)
    action = serializers.CharField(source="approval.action_type")
    args_sha256 = serializers.CharField(help_text="SHA-256 of the args as sent (canonical JSON).")
    agent = serializers.CharField(source="agent_name", help_text="The integration token's name.")
    description = serializers.CharField()
    context = serializers.CharField()
    allowed_decisions = serializers.ListField(child=serializers.ChoiceField(choices=Answer.choices))
    callback_url = serializers.CharField(help_text="Where each decision is POSTed (empty: nowhere).")
    risk = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(source="approval.requested_at")
    expires_at = serializers.DateTimeField(source="approval.expires_at", allow_null=True)
    decision = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    wait_url = serializers.SerializerMethodField()

    @extend_schema_field(RequestRiskSerializer)
    def get_risk(self, asked):
        return risk_of(asked.approval)

    @extend_schema_field(RequestDecisionSerializer(allow_null=True))
    def get_decision(self, asked):
        decision = decision_of(asked)
        return RequestDecisionSerializer(decision).data if decision is not None else None

    @extend_schema_field(RequestResultSerializer(allow_null=True))
    def get_result(self, asked):
        reported = result_of(asked.approval)
        return RequestResultSerializer(reported).data if reported is not None else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_wait_url(self, asked) -> str:
        return f"/api/v1/approval-requests/{asked.approval_id}/?wait={settings.API_EVENTS_MAX_WAIT}"


class StatusFilter(filters.FilterSet):
    status = filters.ChoiceFilter(field_name="approval__status", choices=ApprovalStatus.choices)

    class Meta:
        model = ApprovalRequest
        fields = ["status"]


class WaitQuery(serializers.Serializer):
    wait = serializers.IntegerField(
        min_value=0, required=False, default=0, help_text="Seconds to wait for the decision (at most 30)."
    )

    def validate_wait(self, value):
        if value > settings.API_EVENTS_MAX_WAIT:
            raise serializers.ValidationError(f"At most {settings.API_EVENTS_MAX_WAIT} seconds.")
        return value


def requests_of(token):
    """The requests of the token's tenant (every agent of it), never another tenant's."""
    rows = ApprovalRequest.objects.filter(tenant_id=token.tenant_id, approval__isnull=False)
    return rows.select_related("approval__approved_by", "approval__rejected_by")


REFUSALS = {
    400: OpenApiResponse(description="Field errors by name (an unknown action type names `action`)."),
    403: OpenApiResponse(description="Not an integration token with the `request` scope."),
    409: OpenApiResponse(description="The idempotency key with other args, or the same action already waiting."),
    413: OpenApiResponse(description="A body over 96 KiB: `{code: too_large, detail}`."),
    429: OpenApiResponse(description="Throttled, or the tenant's cap on waiting requests: `{code, detail}`."),
}


class ApprovalRequestsView(Guarded, generics.GenericAPIView):
    serializer_class = ApprovalRequestSerializer
    filterset_class = StatusFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no token
            return ApprovalRequest.objects.none()
        return requests_of(self.request.auth).order_by("-created_at", "pk")

    @extend_schema(operation_id="approval_requests_list", responses={200: ApprovalRequestSerializer(many=True)})
    def get(self, request):
        """The tenant's approval requests from agents outside Walker, newest first (`?status=`)."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="approval_requests_create",
        request=ApprovalRequestBody,
        examples=[
            OpenApiExample(
                "A budget change",
                request_only=True,
                value={
                    "action": "update_budget",
                    "args": {"campaign": "Summer Sale", "amount": "700.00", "audience": 12000},
                    "description": "Raise Summer Sale to 700 a day: it sold out yesterday by noon.",
                    "context": "https://ads.example.com/campaigns/summer-sale",
                    "idempotency_key": "run-42-call-1",
                    "expires_in": 3600,
                    "allowed_decisions": ["accept", "edit", "reject"],
                },
            )
        ],
        responses={
            202: ApprovalRequestSerializer,
            200: OpenApiResponse(ApprovalRequestSerializer, description="The request this idempotency key filed."),
            **REFUSALS,
        },
    )
    def post(self, request):
        """Ask for approval of an action of a type the tenant registered: filed as Walker's own agents' requests
        are (risk, workflow, notifications); 202 with its risk and where to wait for the decision."""
        if len(request.body) > MAX_BODY_BYTES:
            detail = f"The request body is larger than {MAX_BODY_BYTES} bytes."
            return Response({"code": "too_large", "detail": detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        body = ApprovalRequestBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ask = Ask(
            **{**data, "allowed_decisions": tuple(data["allowed_decisions"]) if "allowed_decisions" in data else None}
        )
        try:
            filed = file_request(request.auth, ask)
        except Refused as refused:
            return _refusal(refused)
        answer = status.HTTP_202_ACCEPTED if filed.created else status.HTTP_200_OK
        return Response(self.get_serializer(requests_of(request.auth).get(pk=filed.request.pk)).data, status=answer)


class ApprovalRequestView(Guarded, AsyncAPIView):
    """A read of one request; with `?wait=` a long poll. Its sync work is two steps: signing in with the checks and
    finding whether the request waits (`initial`), then reading it, on the watch's own connection once decided
    (hitl.outside_waiting), else from the pool. A thousand waiting reads hold no connection meanwhile."""

    @handing_back
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        query = WaitQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        # Only what deciding to wait takes: every agent asks again each time its wait runs out.
        self.asked = requests_of(request.auth).filter(approval_id=kwargs["pk"]).values("pk", "approval__status").first()
        if self.asked is None:
            raise Http404
        self.wait_seconds = query.validated_data["wait"]

    @extend_schema(
        operation_id="approval_requests_retrieve",
        parameters=[WaitQuery],
        responses={
            200: ApprovalRequestSerializer,
            400: OpenApiResponse(description="`wait` is not a whole number from 0 to 30."),
            404: OpenApiResponse(description="No such request in the token's tenant."),
        },
    )
    async def get(self, request, pk):
        """The request and, once decided, its decision. With `?wait=<seconds>` (at most 30) a waiting request is
        answered as soon as it is decided, or as it stands when the time is up."""
        asked = self.asked["pk"]  # the ApprovalRequest's; `pk` is its approval's
        waits = self.wait_seconds and self.asked["approval__status"] == ApprovalStatus.PENDING
        if waits and await until_decided(asked, self.wait_seconds):
            return Response(await on_the_watch(_answer, request.auth, asked))
        return Response(await sync_to_async(_read)(request.auth, asked))


def _refusal(refused: Refused) -> Response:
    """A field's refusal as the API's field errors (400); any other with its code and the code's status."""
    if refused.field is not None:
        raise serializers.ValidationError({refused.field: [refused.detail]}) from None
    return Response({"code": refused.code, "detail": refused.detail}, status=http_status(refused.code))


def _answer(token, pk) -> dict:
    """The request `pk` as the agent reads it."""
    return ApprovalRequestSerializer(requests_of(token).get(pk=pk)).data


_read = handing_back(_answer)  # from the pool, which gets its connection back


class ApprovalRequestResultView(Guarded, generics.GenericAPIView):
    serializer_class = ApprovalRequestSerializer

    @extend_schema(
        operation_id="approval_requests_result",
        request=ResultBody,
        responses={
            201: ApprovalRequestSerializer,
            200: OpenApiResponse(ApprovalRequestSerializer, description="The same outcome, reported again."),
            400: OpenApiResponse(description="Field errors by name."),
            403: OpenApiResponse(description="Not the integration token that asked, or without the request scope."),
            404: OpenApiResponse(description="No such request in the token's tenant."),
            409: OpenApiResponse(
                description="Not approved, carried out by Walker, or its outcome reported otherwise before."
            ),
        },
    )
    def post(self, request, pk):
        """The agent that asked reports how carrying out the approved action went (a type that runs by the agent):
        recorded once, on the approval as its outcome; the same report again answers 200, another 409."""
        asked = get_object_or_404(requests_of(request.auth), approval_id=pk)
        if asked.token_id != request.auth.pk:
            detail = "Only the agent that asked reports the outcome of its request."
            return Response({"code": "forbidden", "detail": detail}, status=status.HTTP_403_FORBIDDEN)
        body = ResultBody(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            _, recorded = report_result(asked, **body.validated_data)
        except Refused as refused:
            return _refusal(refused)
        answer = status.HTTP_201_CREATED if recorded else status.HTTP_200_OK
        return Response(self.get_serializer(requests_of(request.auth).get(pk=asked.pk)).data, status=answer)
