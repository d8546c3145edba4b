"""The tables Walker writes to a warehouse, defined here once: their BigQuery schema, their partitioning and
clustering, the rows they read and how each row leaves Walker (personal data never does).

A column added here is added to existing tables by the next export (`bigquery.ensure_table`); BigQuery adds
columns only as NULLABLE, so every column after the first release stays NULLABLE. A column is never removed or
retyped: a new name is added instead.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from google.cloud.bigquery import SchemaField

from analytics.models import ConversationMetrics, HITLAnalytics, PlatformEvent
from tenants.pii import redact_data
from tenants.privacy.sealing import placeholders


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    position_field: str  # rows are read in (position_field, id) order; a changed row moves to the end
    partition_field: str
    schema: tuple[SchemaField, ...]
    values: Callable[[models.Model], dict]

    def rows(self, tenant_id=None) -> models.QuerySet:
        """The table's source rows, of one tenant or (None) of every tenant, in export order."""
        rows = self.model.objects.all()
        if tenant_id is not None:
            rows = rows.filter(tenant_id=tenant_id)
        return rows.order_by(self.position_field, "pk")

    def row(self, instance, insert_id: str) -> dict:
        return {"insert_id": insert_id, **self.values(instance)}


def _id(value) -> str | None:
    return None if value is None else str(value)


def _time(value) -> str | None:
    return None if value is None else value.isoformat()


def without_personal_data(value):
    """What the event log shows a masked reader: sealed text's placeholders ("[phone]"), and any personal data
    that reached a value anyway redacted the same way."""
    if isinstance(value, str):
        return placeholders(value)
    if isinstance(value, dict):
        return {key: without_personal_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_personal_data(item) for item in value]
    return value


def _event(event: PlatformEvent) -> dict:
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    return {
        "event_id": str(event.pk),
        "tenant_id": str(event.tenant_id),
        "user_id": _id(event.user_id),  # Walker's id of the person, never their name, address or number
        "event_type": event.event_type,
        "conversation_id": _id(event.conversation_id),
        "subject_id": _id(event.subject_id),
        "metadata": json.dumps(redact_data(without_personal_data(metadata)), sort_keys=True),
        "created_at": _time(event.created_at),
    }


def _conversation(row: ConversationMetrics) -> dict:
    return {
        "conversation_id": str(row.conversation_id),
        "tenant_id": str(row.tenant_id),
        "channel": row.channel,
        "agent_types": list(row.agent_types or []),
        "message_count": row.message_count,
        "duration_seconds": row.duration_seconds,
        "first_response_ms": row.first_response_ms,
        "avg_response_time_ms": row.avg_response_time_ms,
        "user_satisfaction_score": row.user_satisfaction_score,
        "issue_resolved": row.issue_resolved,
        "escalated_to_human": row.escalated_to_human,
        "hitl_approvals_count": row.hitl_approvals_count,
        "started_at": _time(row.started_at),
        "ended_at": _time(row.ended_at),
        "computed_at": _time(row.computed_at),
    }


def _approvals(row: HITLAnalytics) -> dict:
    return {
        "row_id": str(row.pk),
        "tenant_id": str(row.tenant_id),
        "period_type": row.period_type,
        "period_start": row.period_start.isoformat(),
        **{name: getattr(row, name) for name in _APPROVAL_COUNTS},
        "avg_decision_minutes": row.avg_decision_minutes,
        "median_decision_minutes": row.median_decision_minutes,
        "p90_decision_minutes": row.p90_decision_minutes,
        "sla_compliance_rate": row.sla_compliance_rate,
        "action_type_breakdown": json.dumps(row.action_type_breakdown or {}, sort_keys=True),
        "top_approvers": json.dumps(row.top_approvers or [], sort_keys=True),  # ids and counts only
        "computed_at": _time(row.computed_at),
        "cost_approved": json.dumps(row.cost_approved or {}, sort_keys=True),  # {"JPY": "9000", "USD": "10144.93"}
        "cost_rejected": json.dumps(row.cost_rejected or {}, sort_keys=True),
    }


_APPROVAL_COUNTS = (
    "total_requests", "total_approved", "total_rejected", "total_expired", "total_cancelled", "total_pending",
    "low_risk_count", "medium_risk_count", "high_risk_count", "critical_risk_count",
)  # fmt: skip


def _field(name, kind, mode="NULLABLE", description=None):
    return SchemaField(name, kind, mode=mode, description=description)


INSERT_ID = _field("insert_id", "STRING", "REQUIRED", "The batch id and the row id: unique per row sent (dedupe on it)")
TENANT_ID = _field("tenant_id", "STRING", "REQUIRED")

PLATFORM_EVENTS = Table(
    name="platform_events",
    model=PlatformEvent,
    position_field="created_at",
    partition_field="created_at",
    schema=(
        INSERT_ID,
        _field("event_id", "STRING", "REQUIRED"),
        TENANT_ID,
        _field("user_id", "STRING"),
        _field("event_type", "STRING", "REQUIRED"),
        _field("conversation_id", "STRING"),
        _field("subject_id", "STRING"),
        _field("metadata", "JSON", description="The event's details, personal data as placeholders ([email])"),
        _field("created_at", "TIMESTAMP", "REQUIRED"),
    ),
    values=_event,
)

CONVERSATION_METRICS = Table(
    name="conversation_metrics",
    model=ConversationMetrics,
    position_field="computed_at",
    partition_field="started_at",
    schema=(
        INSERT_ID,
        _field("conversation_id", "STRING", "REQUIRED"),
        TENANT_ID,
        _field("channel", "STRING"),
        _field("agent_types", "STRING", "REPEATED"),
        _field("message_count", "INTEGER"),
        _field("duration_seconds", "INTEGER"),
        _field("first_response_ms", "INTEGER"),
        _field("avg_response_time_ms", "FLOAT"),
        _field("user_satisfaction_score", "INTEGER"),
        _field("issue_resolved", "BOOLEAN"),
        _field("escalated_to_human", "BOOLEAN"),
        _field("hitl_approvals_count", "INTEGER"),
        _field("started_at", "TIMESTAMP", "REQUIRED"),
        _field("ended_at", "TIMESTAMP"),
        _field("computed_at", "TIMESTAMP", "REQUIRED", "A recomputed conversation is sent again: the latest wins"),
    ),
    values=_conversation,
)

PER_CURRENCY_COST = 'Estimated costs by currency code, as text: {"JPY": "9000", "USD": "10144.93"}'
RETIRED_COST = "No longer written (it added currencies together): see cost_approved and cost_rejected"

APPROVAL_ANALYTICS = Table(
    name="approval_analytics",
    model=HITLAnalytics,
    position_field="computed_at",
    partition_field="period_start",
    schema=(
        INSERT_ID,
        _field("row_id", "STRING", "REQUIRED"),
        TENANT_ID,
        _field("period_type", "STRING", "REQUIRED"),
        _field("period_start", "DATE", "REQUIRED"),
        *(_field(name, "INTEGER") for name in _APPROVAL_COUNTS),
        _field("avg_decision_minutes", "FLOAT"),
        _field("median_decision_minutes", "FLOAT"),
        _field("p90_decision_minutes", "FLOAT"),
        _field("sla_compliance_rate", "FLOAT"),
        _field("action_type_breakdown", "JSON"),
        _field("total_estimated_cost_approved", "NUMERIC", description=RETIRED_COST),
        _field("total_estimated_cost_rejected", "NUMERIC", description=RETIRED_COST),
        _field("top_approvers", "JSON"),
        _field("computed_at", "TIMESTAMP", "REQUIRED", "A recomputed period is sent again: the latest wins"),
        _field("cost_approved", "JSON", description=PER_CURRENCY_COST),
        _field("cost_rejected", "JSON", description=PER_CURRENCY_COST),
    ),
    values=_approvals,
)

TABLES = {table.name: table for table in (PLATFORM_EVENTS, CONVERSATION_METRICS, APPROVAL_ANALYTICS)}
