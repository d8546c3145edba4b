"""The HITL API. Same rules as the admin: every change goes through hitl.services."""

from django.db import InterfaceError, OperationalError
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from agents.models import AgentType
from core.api_fields import StrictBooleanFilter
from core.errors import http_status
from core.serializer_fields_once import FieldsBuiltOnce
from core.tenant_viewsets import TenantOwnedWrites
from hitl import rules
from hitl.access import approvals_for, may_manage, may_review
from hitl.errors import DecisionError, StepUpRequired
from hitl.levels_api import WorkflowLevelSerializer
from hitl.models import (
    Automation,
    HITLApproval,
    HITLApprovalHistory,
    HITLDecision,
    HITLNotification,
    HITLWorkflow,
    RiskLevel,
)
from hitl.payoff import measure_one
from hitl.payoff.data import as_data
from hitl.resources import ApprovalResource
from hitl.services import standing, verbs
from hitl.services.verbs import Door, Note
from hitl.services.workflows import replace_levels
from hitl.standing_api import StandingApprovalSerializer, StandingBoundsSerializer, bounds_of
from tenants.access import Need
from tenants.exports import csv_response, zone_for
from tenants.identity.signin.step_up import api_factor
from tenants.identity.token_scopes import Scope, TokenScopePermission
from tenants.models import User
from tenants.privacy.audit import Origin, record, record_access, record_export
from tenants.privacy.reveal import RevealQuery, requested_reveal, shown_email


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@extend_schema_field({"type": "string", "nullable": True, "example": "r•••@acme.test"})
class PersonField(serializers.Field):
    """A person an approval names, by address: masked (r•••@acme.test) unless it is the reader's own, or the
    reader revealed (`?reveal=1&reason=`, view_pii; recorded). The view puts `revealed` in the context."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, person):
        own = person.pk == self.context["request"].user.pk
        return shown_email(person.email, own=own, revealed=self.context.get("revealed", False))


class DecisionSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    approver = PersonField()

    class Meta:
        model = HITLDecision
        fields = ["level", "approver", "decision", "notes", "via", "decided_at"]


class HistorySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    actor = PersonField()

    class Meta:
        model = HITLApprovalHistory
        fields = [
            "event_type", "description", "actor", "actor_role", "previous_status", "new_status", "changes", "timestamp"
        ]  # fmt: skip


class LinkedApprovalSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """Another approval for the same target, in a line."""

    class Meta:
        model = HITLApproval
        fields = ["id", "reference", "status", "action_summary", "requested_at"]


class ApprovalSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    requested_by = PersonField()
    assigned_to = PersonField()
    related_to = LinkedApprovalSerializer(
        read_only=True,
        allow_null=True,
        help_text="The pending approval for the same target, filed earlier, that this one conflicts with "
        "(null when there is none or it is outside what you may see).",
    )
    conflicting = LinkedApprovalSerializer(
        many=True, read_only=True, help_text="Approvals filed later for the same target that conflict with this one."
    )
    agent_type = serializers.ChoiceField(
        choices=AgentType.choices,
        allow_blank=True,
        read_only=True,
        help_text="Which of Walker's agents proposed it; empty when an agent outside Walker asked (`outside_agent`).",
    )
    outside_agent = serializers.CharField(
        source="outside_request.agent_name",
        default=None,
        read_only=True,
        allow_null=True,
        help_text="The agent outside Walker that asked (its integration token's name); null for Walker's own agents.",
    )
    requested_by_automation = serializers.SerializerMethodField(
        help_text="The tenant's own automation that asked, with no person behind it: `kind` `rule` (a performance "
        "rule; `name`, its name) or `recommendation` (a platform's recommendations; `name`, e.g. Google Ads "
        "recommendations); null when a person, an agent or an agent outside Walker asked."
    )

    class Meta:
        model = HITLApproval
        fields = [
            "id", "reference", "status", "action_type", "action_summary", "action_data", "estimated_cost",
            "estimated_reach", "confidence", "risk_level", "risk_score", "priority", "agent_type",
            "approval_level", "total_levels", "required_approvals", "received_approvals", "requested_by",
            "requested_by_automation", "requested_at", "assigned_to", "sla_deadline", "sla_breached",
            "sla_breach_duration_minutes", "resolved_at", "rejection_reason", "execution_status", "executed_at",
            "conversation", "related_to", "conflicting", "outside_agent",
        ]  # fmt: skip

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"kind": {"type": "string", "enum": list(Automation.values)}, "name": {"type": "string"}},
            "example": {"kind": "rule", "name": "High CPA"},
        }
    )
    def get_requested_by_automation(self, approval):
        """A name without a kind is a rule's, as hitl.presentation.requester_name reads it."""
        if not approval.requested_by_rule:
            return None
        return {"kind": approval.requested_by_automation or Automation.RULE, "name": approval.requested_by_rule}


class ApprovalDetailSerializer(ApprovalSerializer):
    decisions = DecisionSerializer(many=True, read_only=True)
    history = HistorySerializer(many=True, read_only=True)
    revision_of = LinkedApprovalSerializer(
        read_only=True,
        allow_null=True,
        help_text="The approval an approver answered with a note (`respond`), which the agent revised into this one.",
    )
    revisions = LinkedApprovalSerializer(
        many=True, read_only=True, help_text="The agent's revisions of this approval after an approver's note."
    )
    payoff = serializers.SerializerMethodField(
        help_text="Did it pay off (an executed change of a synced campaign; null otherwise): the campaign's figures "
        "of the 7 whole days before and after the day it ran, in its currency, and whether it held for 7 days "
        "(docs/reports.md)."
    )

    class Meta(ApprovalSerializer.Meta):
        fields = [
            *ApprovalSerializer.Meta.fields, "risk_factors", "workflow", "compliance_flags", "execution_result",
            "execution_error", "execution_attempts", "execution_started_at", "escalated_to", "escalation_reason",
            "decisions", "history", "revision_of", "revisions", "payoff",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payoff(self, approval) -> dict | None:
        return as_data(measure_one(approval))


class ApproveSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    edits = serializers.DictField(
        required=False, help_text="Change the action before approving: action_data, estimated_cost, estimated_reach."
    )
    standing = StandingBoundsSerializer(
        required=False,
        help_text="Also let the same change on the same target go ahead again without asking, within these bounds "
        "(answered as `standing_approval`, or `standing_refused` with the reason when it cannot be given).",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why; shown to the requester.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoteToAgentSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="What the agent should change, e.g. “propose a cheaper option”.")


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "decimal", "pattern": r"^-?\d{0,12}(?:\.\d{0,2})?$"}, {"type": "number"}]}
)
class MoneyField(serializers.DecimalField):
    """Money: answered as a decimal string; a plain number is accepted too, as DRF always has."""


class ApprovalFilter(filters.FilterSet):
    breached = StrictBooleanFilter(field_name="sla_breached")
    risk_level = filters.ChoiceFilter(choices=RiskLevel.choices)
    assigned_to_me = StrictBooleanFilter(method="filter_assigned_to_me", help_text="Waiting for my decision.")

    class Meta:
        model = HITLApproval
        fields = ["status", "risk_level", "breached", "action_type", "agent_type", "assigned_to_me"]

    def filter_assigned_to_me(self, queryset, name, value):
        mine = HITLApproval.objects.waiting_for(self.request.user)
        return queryset.filter(mine) if value else queryset.exclude(mine)


class ApprovalViewSet(viewsets.ReadOnlyModelViewSet):
    """Approvals of the caller's tenant, most urgent first. Decide with the actions below. The people named are
    masked but for yourself; holders of view_pii may pass `?reveal=1&reason=<why>` (recorded in the access log)."""

    filterset_class = ApprovalFilter
    revealed = False  # set by a read that asked for a reveal; a view instance serves one request
    token_scope = None  # set per verb: what an integration token needs (tenants.identity.token_scopes)

    def get_queryset(self):
        visible = approvals_for(self.request.user)  # a linked approval is shown only to who may see it
        approvals = visible.select_related("requested_by", "assigned_to", "outside_request").prefetch_related(
            Prefetch("related_to", queryset=visible),
            Prefetch("conflicting", queryset=visible.order_by("requested_at")),
        )
        if self.action == "retrieve":  # an approver's note links the request and the agent's revision of it
            approvals = approvals.prefetch_related(
                "decisions__approver",
                "history__actor",
                Prefetch("revision_of", queryset=visible),
                Prefetch("revisions", queryset=visible.order_by("requested_at")),
            )
        return approvals.order_by("sla_deadline", "priority", "pk")

    def get_serializer_class(self):
        return ApprovalDetailSerializer if self.action == "retrieve" else ApprovalSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "revealed": self.revealed}

    def _reveal(self, request, tenant) -> str:
        """Whether the read asks to name people in full (400 without a reason, 403 without view_pii); the reason."""
        self.revealed, reason = requested_reveal(request, tenant)
        return reason

    @extend_schema(parameters=[RevealQuery])
    def list(self, request, *args, **kwargs):
        reason = self._reveal(request, request.user.tenant)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if self.revealed and page:
            record(request.user, page, tenant=request.user.tenant, origin=Origin.of_request(request), revealed=True,
                   reason=reason)  # fmt: skip
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[RevealQuery])
    def retrieve(self, request, *args, **kwargs):
        approval = self.get_object()  # 404 outside what the caller may see
        reason = self._reveal(request, approval.tenant)
        if self.revealed:
            record_access(request, approval, tenant=approval.tenant, revealed=True, reason=reason)
        return Response(self.get_serializer(approval).data)

    @extend_schema(
        summary="CSV of the queue, with the same filters as the list (roles that review approvals)",
        parameters=[RevealQuery],
        responses={(200, "text/csv"): OpenApiTypes.STR, 403: OpenApiResponse(description="Roles that do not review")},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        if not may_review(request.user):
            return Response(
                {"code": "forbidden", "detail": "Only the roles that review approvals export the queue."},
                status=status.HTTP_403_FORBIDDEN,
            )
        reason = self._reveal(request, request.user.tenant)
        approvals = ApprovalResource.prepared(self.filter_queryset(self.get_queryset()))
        if self.revealed:
            record_export(request, HITLApproval, tenant=request.user.tenant, revealed=True, reason=reason)
        resource = ApprovalResource(viewer=request.user, revealed=self.revealed)
        return csv_response(resource, approvals, "approvals", zone=zone_for(request.user))

    @classmethod
    def get_extra_actions(cls):
        """The routes of the viewset's own actions and of every verb the API offers (hitl.services.verbs): one
        POST endpoint per verb, made when a router first asks."""
        for verb in verbs.offered_at(Door.API):
            if not hasattr(cls, verb.name):
                setattr(cls, verb.name, _endpoint(verb))
        return super().get_extra_actions()

    def _target(self):
        """The approval a verb is said of, 404 outside the caller's view: its row alone, as the verb reads it again
        under its lock and the answer (`_detail`) reads it again with what the detail shows."""
        approval = get_object_or_404(approvals_for(self.request.user), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, approval)
        return approval

    def _say(self, request, verb):
        approval = self._target()
        form = _body_of(verb)(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            decided = verbs.act(
                verb.name,
                approval.pk,
                actor=request.user,
                origin=Origin.of_request(request, via=HITLDecision.Via.API, factor=api_factor(request)),
                note=data.get(verb.note_field, ""),
                edits=data.get("edits"),
            )
        except StepUpRequired as err:  # a token cannot show a second factor: the console can (docs/api.md)
            body = {"code": err.code, "detail": err.detail, "console_url": err.url}
            return Response(body, status=http_status(err.code))
        except DecisionError as err:
            if _said_before(approval, request.user, verb, err):  # a retry of a decision that was recorded
                return self._detail(approval.pk, headers={"Walker-Decision": "already-recorded"})
            return Response({"code": err.code, "detail": err.detail}, status=http_status(err.code))
        given = self._give_standing(approval, request.user, data["standing"]) if "standing" in data else {}
        try:
            answer = self._detail(approval.pk)
        except CUT_OFF:  # committed, then the connection dropped: answered from what the verb returned
            return Response({**DecidedSerializer(decided).data, "complete": False, **given})
        answer.data.update(given)
        return answer

    @staticmethod
    def _give_standing(approval, actor, asked: dict) -> dict:
        """The standing approval asked with the approval, given; or why not (the approval stands either way)."""
        try:
            grant = standing.give(approval.pk, actor=actor, bounds=bounds_of(asked))
        except DecisionError as err:
            return {"standing_refused": {"code": err.code, "detail": err.detail}}
        return {"standing_approval": StandingApprovalSerializer(grant).data}

    def _detail(self, pk, headers=None) -> Response:
        approval = self.get_queryset().prefetch_related("decisions__approver", "history__actor").get(pk=pk)
        body = ApprovalDetailSerializer(approval, context=self.get_serializer_context()).data
        return Response(body, headers=headers)


# The database connection dropped or could not be had: nothing about the request was wrong.
CUT_OFF = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class DecidedSerializer(serializers.ModelSerializer):
    """An approval as a decision left it, from its own row alone: what the API answers when the decision committed
    but the full approval could not be read back (docs/api.md, "Decisions and dropped connections")."""

    class Meta:
        model = HITLApproval
        fields = [
            "id", "reference", "status", "approval_level", "total_levels", "required_approvals", "received_approvals",
            "resolved_at", "rejection_reason", "execution_status",
        ]  # fmt: skip


def _said_before(approval, actor, verb, refusal: DecisionError) -> bool:
    """The refused decision is one `actor` already recorded on `approval` with the same verb: the client is sending
    again a decision whose first answer it did not get (a dropped connection)."""
    if refusal.code not in {"not_pending", "already_decided"} or verb.name not in HITLDecision.Decision.values:
        return False
    return HITLDecision.objects.filter(approval_id=approval.pk, approver=actor, decision=verb.name).exists()


def _unavailable() -> Response:
    body = {
        "code": "database_unavailable",
        "detail": "The database could not be reached; the decision may or may not have been recorded. Send the same "
        "decision again: once it is recorded, the answer is 200.",
    }
    return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _body_of(verb):
    """What the verb's endpoint reads from the request body."""
    if verb.edits:
        return ApproveSerializer
    if verb.note_field == "note":
        return NoteToAgentSerializer
    return {Note.REQUIRED: ReasonSerializer, Note.OPTIONAL: OptionalReasonSerializer}.get(
        verb.note, serializers.Serializer
    )


def _endpoint(verb):
    def endpoint(self, request, pk=None):
        try:
            return self._say(request, verb)
        except CUT_OFF:  # before the decision committed, or unknown whether it did: the same decision again says
            return _unavailable()

    endpoint.__name__ = verb.name
    endpoint.__doc__ = verb.description
    body = _body_of(verb)
    # An integration token decides only with the "decide" scope (tenants.identity.token_scopes); cancelling is writing.
    scope = Scope.DECIDE if verb.need == Need.DECIDE else Scope.WRITE
    routed = action(detail=True, methods=["post"], url_path=verb.url_path, token_scope=scope)(endpoint)
    return extend_schema(request=None if body is serializers.Serializer else body, responses=ApprovalDetailSerializer)(
        routed
    )


class IsTenantAdmin(permissions.BasePermission):
    message = "Only tenant admins manage workflows."

    def has_permission(self, request, view):
        return may_manage(request.user)


class WorkflowSerializer(serializers.ModelSerializer):
    approval_levels = WorkflowLevelSerializer(many=True, source="levels")
    min_cost_threshold = MoneyField(max_digits=14, decimal_places=2, allow_null=True, required=False)
    max_cost_threshold = MoneyField(max_digits=14, decimal_places=2, allow_null=True, required=False)

    class Meta:
        model = HITLWorkflow
        exclude = ["tenant", "created_by"]

    def get_fields(self):
        """Slack responders are people of the caller's tenant (the workflow's): no one else is a choice."""
        fields = super().get_fields()
        request = self.context.get("request")
        tenant_id = getattr(getattr(request, "user", None), "tenant_id", None)
        fields["slack_responders"].child_relation.queryset = User.objects.filter(tenant_id=tenant_id, is_active=True)
        return fields

    def validate_custom_rules(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("custom_rules must be an object.")
        return value

    def validate(self, data):
        tenant = self.instance.tenant if self.instance is not None else self.context["request"].user.tenant
        errors = rules.workflow_errors(data, tenant=tenant, instance=self.instance)  # the admin's form asks the same
        if errors:
            raise serializers.ValidationError(errors)
        return data

    def create(self, validated_data):
        levels = validated_data.pop("levels")
        workflow = super().create(validated_data)
        replace_levels(workflow, levels)
        return workflow

    def update(self, instance, validated_data):
        levels = validated_data.pop("levels", None)
        workflow = super().update(instance, validated_data)
        if levels is not None:
            replace_levels(workflow, levels)
        return workflow


class WorkflowViewSet(TenantOwnedWrites, viewsets.ModelViewSet):
    """The tenant's approval workflows (tenant admins)."""

    serializer_class = WorkflowSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, IsTenantAdmin]
    owned_rows = "Workflows"

    def get_queryset(self):
        workflows = HITLWorkflow.objects.for_user(self.request.user).order_by("name", "pk")
        return workflows.prefetch_related("slack_responders", "levels__users", "levels__groups")

    def lost_race(self):  # another request made a default active between validation and saving
        return Conflict("This tenant already has an active default workflow.")


class NotificationSerializer(serializers.ModelSerializer):
    approval_reference = serializers.CharField(source="approval.reference")

    class Meta:
        model = HITLNotification
        fields = ["id", "approval", "approval_reference", "event", "subject", "message", "status", "created_at"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's in-app notifications about approvals, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return HITLNotification.objects.none()
        return (
            HITLNotification.objects.for_user(self.request.user)
            .filter(recipient=self.request.user, channel=HITLNotification.Channel.IN_APP)
            .select_related("approval")
            .order_by("-created_at", "pk")
        )
