"""/api/analytics/: the conversation and approval reports and the CSV exports. Staff roles only."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import Campaign
from analytics.models import HITLAnalytics, PeriodType
from conversations.access import MONITOR, conversations_for
from conversations.models import Channel, Conversation
from conversations.resources import ConversationResource
from hitl.payoff import DAYS as PAYOFF_DAYS
from hitl.payoff.measure import MAX_DAYS as MAX_PAYOFF_DAYS
from reports import cached_reports, payoff, queries
from reports.periods import DAY_RANGE, may_ask_for, zone_of
from reports.resources import (
    ConversationMetricsResource,
    HITLAnalyticsResource,
    PayoffChangeResource,
    PayoffResource,
)
from tenants.exports import csv_response, zone_for
from tenants.identity.token_scopes import TokenScopePermission
from tenants.models import AccessLog
from tenants.privacy.audit import record_export
from tenants.privacy.resources import AccessLogResource
from tenants.privacy.reveal import RevealQuery, requested_reveal

MAX_DAYS = 731
DEFAULT_DAYS = 30


class HoldsRolePermission(permissions.BasePermission):
    """The view's `role_permission`, as the admin asks for the same page (superusers hold every one)."""

    message = {"code": "forbidden", "detail": "Your role does not see this report."}

    def has_permission(self, request, view):
        return request.user.has_perm(view.role_permission)


class RangeQuery(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="First day, YYYY-MM-DD, in the tenant's time zone; 2000-01-01 to 2999-12-31."
    )
    end = serializers.DateField(required=False, help_text="Last day (included); today when left out.")

    def validate_start(self, day):
        return _askable(day)

    def validate_end(self, day):
        return _askable(day)

    def validate(self, data):
        today = timezone.now().astimezone(zone_of(self.context["user"])).date()
        data.setdefault("end", today)
        data.setdefault("start", data["end"] - timedelta(days=DEFAULT_DAYS - 1))
        if data["start"] > data["end"]:
            raise serializers.ValidationError({"end": "end must be on or after start."})
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            raise serializers.ValidationError({"end": f"A range holds at most {MAX_DAYS} days."})
        return data


def _askable(day):
    if not may_ask_for(day):
        raise serializers.ValidationError(gettext("Pick a day from %(first)s to %(last)s.") % DAY_RANGE)
    return day


class ConversationQuery(RangeQuery):
    group_by = serializers.ChoiceField(choices=[*queries.TIME_GROUPS, *queries.CONVERSATION_GROUPS], default="day")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    agent = serializers.CharField(required=False, help_text="Only conversations this agent type answered in.")


class ApprovalQuery(RangeQuery):
    group_by = serializers.ChoiceField(choices=[*queries.TIME_GROUPS, "channel", "agent", "action_type"], default="day")
    action_type = serializers.CharField(required=False)
    agent = serializers.CharField(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class PayoffQuery(RangeQuery):
    group_by = serializers.ChoiceField(choices=payoff.GROUPS, default="action_type")
    platform = serializers.ChoiceField(
        choices=Campaign.Platform.choices, required=False, help_text="Only changes of that platform's campaigns."
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAYOFF_DAYS,
        default=PAYOFF_DAYS,
        help_text="Whole days before and after each change.",
    )
    page = serializers.IntegerField(min_value=1, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=payoff.MAX_PAGE_SIZE, default=payoff.PAGE_SIZE)


class PeriodQuery(RangeQuery):
    period_type = serializers.ChoiceField(choices=PeriodType.choices, default=PeriodType.DAY)


class ConversationExportQuery(RangeQuery):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    status = serializers.ChoiceField(choices=Conversation.Status.choices, required=False)


def _read(query_class, request) -> dict:
    form = query_class(data=request.query_params, context={"user": request.user})
    if not form.is_valid():
        raise InvalidQuery(form.errors)
    return form.validated_data


class InvalidQuery(serializers.ValidationError):
    def __init__(self, errors):
        detail = "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())
        super().__init__({"code": "invalid_query", "detail": detail, "fields": errors})


def _filters(data: dict, *names) -> dict:
    return {name: data[name] for name in names if data.get(name)}


SPREAD = {"mean": 1840.5, "p50": 1200.0, "p90": 5400.0}
CONVERSATION_EXAMPLE = {
    "start": "2026-03-01", "end": "2026-03-07", "timezone": "Europe/Paris", "group_by": "channel",
    "totals": {
        "conversations": 42, "messages": 310, "avg_duration_seconds": 912.4, "first_response_ms": SPREAD,
        "response_time_ms": SPREAD, "resolution_seconds": SPREAD, "resolved": 30, "resolution_rate": 0.7143,
        "escalated_to_human": 9,
        "satisfaction_avg": 4.25, "rated": 8, "satisfaction_distribution": {"1": 0, "2": 1, "3": 1, "4": 2, "5": 4},
        "hitl_approvals": 12,
    },
    "groups": [{"key": "whatsapp", "conversations": 30, "...": "the same figures"}],
}  # fmt: skip
APPROVAL_EXAMPLE = {
    "start": "2026-03-01", "end": "2026-03-31", "timezone": "Europe/Paris", "group_by": "week",
    "totals": {
        "requests": 120, "approved": 80, "rejected": 25, "expired": 5, "cancelled": 4, "pending": 6,
        "decision_minutes": {"mean": 42.5, "p50": 18.0, "p90": 120.0}, "sla_compliance_rate": 0.9125,
        "risk": {"low": 40, "medium": 50, "high": 25, "critical": 5},
        "cost_approved": {"JPY": "90000", "USD": "18250.00"}, "cost_rejected": {"USD": "9400.00"},
        "top_approvers": [
            {"approver_id": "…", "email": "a•••@acme.test", "decisions": 50, "approved": 40, "rejected": 10}
        ],
    },
    "groups": [{"key": "2026-02-23", "requests": 20, "...": "the same figures but top_approvers"}],
}  # fmt: skip
PAYOFF_FIGURES = {"spend": "700.00", "conversions": 28, "value": "2800.00", "cpa": "25.00", "roas": "4.0000"}
PAYOFF_EXAMPLE = {
    "start": "2026-11-01", "end": "2026-11-30", "timezone": "Europe/Paris", "group_by": "action_type",
    "platform": None, "days": 7,
    "totals": {
        "requests": 12, "approved_unedited": 6, "approved_edited": 2, "rejected": 3, "expired": 1, "executed": 8,
        "held": 5, "reverted": 1, "changed_again": 1, "holding": 1, "measuring": 2,
        "results": {"USD": {"changes_compared": 6, "spend_moved": "350.00", "before": PAYOFF_FIGURES,
                            "after": {**PAYOFF_FIGURES, "spend": "1050.00", "cpa": "25.00", "roas": "3.3333"}}},
    },
    "count": 3, "page": 1, "pages": 1,
    "groups": [{"key": "set_budget", "name": "Set budget", "requests": 8, "...": "the same figures"}],
}  # fmt: skip
ERRORS = {
    400: OpenApiResponse(description="Bad query: {code: invalid_query, detail, fields}"),
    403: OpenApiResponse(description="Members and signed-out callers"),
}
CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.STR, **ERRORS}


def _parameters(query_class):
    return [
        OpenApiParameter(name, OpenApiTypes.STR, description=str(field.help_text or ""))
        for name, field in query_class().fields.items()
    ]


class AnalyticsView(APIView):
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission, HoldsRolePermission]
    role_permission = "analytics.view_conversationmetrics"


class ConversationReportView(AnalyticsView):
    @extend_schema(
        summary="Conversation metrics, totals and per group",
        parameters=_parameters(ConversationQuery),
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        examples=[OpenApiExample("By channel", value=CONVERSATION_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        data = _read(ConversationQuery, request)
        span = queries.range_for(request.user, data["start"], data["end"])
        return Response(
            cached_reports.conversation_report(
                request.user, span, data["group_by"], **_filters(data, "channel", "agent")
            )
        )


class ApprovalReportView(AnalyticsView):
    role_permission = "analytics.view_hitlanalytics"

    @extend_schema(
        summary="Approval analytics, totals and per group",
        parameters=_parameters(ApprovalQuery),
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        examples=[OpenApiExample("By week", value=APPROVAL_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        data = _read(ApprovalQuery, request)
        span = queries.range_for(request.user, data["start"], data["end"])
        filters = _filters(data, "action_type", "agent", "channel")
        return Response(cached_reports.approval_report(request.user, span, data["group_by"], **filters))


class PayoffReportView(AnalyticsView):
    role_permission = "analytics.view_hitlanalytics"

    @extend_schema(
        summary="Did it pay off: proposals' outcomes, whether executed changes held and their results before and "
        "after, per agent, rule, approver or action type",
        parameters=_parameters(PayoffQuery),
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        examples=[OpenApiExample("By action type", value=PAYOFF_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        data = _read(PayoffQuery, request)
        span = queries.range_for(request.user, data["start"], data["end"])
        return Response(
            payoff.payoff_report(
                request.user,
                span,
                data["group_by"],
                platform=data.get("platform", ""),
                days=data["days"],
                page=data["page"],
                page_size=data["page_size"],
            )
        )


class PayoffReportExportView(AnalyticsView):
    role_permission = "analytics.view_hitlanalytics"

    @extend_schema(
        summary="CSV: the did-it-pay-off report, a row per group (every group, not paged)",
        parameters=[p for p in _parameters(PayoffQuery) if p.name not in ("page", "page_size")],
        responses=CSV_RESPONSE,
    )
    def get(self, request):
        data = _read(PayoffQuery, request)
        span = queries.range_for(request.user, data["start"], data["end"])
        _totals, groups = payoff.payoff_groups(
            request.user, span, data["group_by"], platform=data.get("platform", ""), days=data["days"]
        )
        rows = [{"group_by": data["group_by"], **group.as_data()} for group in groups]
        return csv_response(PayoffResource(), rows, "payoff", zone=zone_for(request.user))


class PayoffChangesExportView(AnalyticsView):
    role_permission = "analytics.view_hitlanalytics"

    @extend_schema(
        summary="CSV: each executed change of a synced campaign among the proposals requested in the range, with its "
        "figures before and after and whether it held",
        parameters=[p for p in _parameters(PayoffQuery) if p.name not in ("group_by", "page", "page_size")],
        responses=CSV_RESPONSE,
    )
    def get(self, request):
        data = _read(PayoffQuery, request)
        span = queries.range_for(request.user, data["start"], data["end"])
        rows = payoff.payoff_changes(request.user, span, platform=data.get("platform", ""), days=data["days"])
        return csv_response(PayoffChangeResource(), rows, "payoff-changes", zone=zone_for(request.user))


class ConversationReportExportView(AnalyticsView):
    @extend_schema(
        summary="CSV: one row of metrics per conversation started in the range",
        parameters=_parameters(ConversationQuery),
        responses=CSV_RESPONSE,
    )
    def get(self, request):
        data = _read(ConversationQuery, request)
        span = queries.range_for(request.user, data["start"], data["end"])
        rows = queries.conversation_metrics_for(request.user, span, **_filters(data, "channel", "agent"))
        return csv_response(
            ConversationMetricsResource(),
            rows.distinct().order_by("started_at", "pk"),
            "conversation-metrics",
            zone=zone_for(request.user),
        )


class ApprovalReportExportView(AnalyticsView):
    role_permission = "analytics.view_hitlanalytics"

    @extend_schema(
        summary="CSV: the stored approval analytics of each period in the range",
        parameters=_parameters(PeriodQuery),
        responses=CSV_RESPONSE,
    )
    def get(self, request):
        data = _read(PeriodQuery, request)
        rows = HITLAnalytics.objects.for_user(request.user).filter(
            period_type=data["period_type"], period_start__gte=data["start"], period_start__lte=data["end"]
        )
        return csv_response(
            HITLAnalyticsResource(),
            rows.order_by("period_start", "pk"),
            "approval-analytics",
            zone=zone_for(request.user),
        )


class ConversationExportView(AnalyticsView):
    role_permission = MONITOR  # conversations.access: the roles that monitor the tenant's conversations

    @extend_schema(
        summary="CSV: conversations started in the range, personal data masked",
        parameters=[*_parameters(ConversationExportQuery), RevealQuery],
        responses=CSV_RESPONSE,
    )
    def get(self, request):
        data = _read(ConversationExportQuery, request)
        reveal, reason = requested_reveal(request, request.user.tenant)
        start, end = queries.range_for(request.user, data["start"], data["end"]).utc
        rows = conversations_for(request.user).filter(started_at__gte=start, started_at__lt=end)
        rows = rows.filter(**_filters(data, "channel", "status"))
        record_export(request, Conversation, tenant=request.user.tenant, revealed=reveal, reason=reason)
        return csv_response(
            ConversationResource(reveal=reveal),
            ConversationResource.prepared(rows),
            "conversations",
            zone=zone_for(request.user),
        )


class AccessLogExportView(AnalyticsView):
    role_permission = "tenants.view_accesslog"

    @extend_schema(
        summary="CSV: the access log in the range", parameters=_parameters(RangeQuery), responses=CSV_RESPONSE
    )
    def get(self, request):
        data = _read(RangeQuery, request)
        start, end = queries.range_for(request.user, data["start"], data["end"]).utc
        rows = AccessLog.objects.for_user(request.user).filter(created_at__gte=start, created_at__lt=end)
        return csv_response(
            AccessLogResource(),
            rows.select_related("actor").order_by("-created_at", "pk"),
            "access-log",
            zone=zone_for(request.user),
        )
