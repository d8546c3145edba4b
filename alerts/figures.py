"""Each kind's figure for one tenant, from the same queries the reports use, as a Decimal (None: nothing to measure).

Figures read only the rule's tenant's rows: every query below filters on `tenant_id` first.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q

from adplatforms.models import AdConnection, ConnectionState, OutsideChange
from alerts.models import AlertKind, AlertRule, WatchedChannel
from analytics.models import ConversationMetrics, EmailDeliveryLog, EventType, PlatformEvent
from channels_app.slack.models import SlackApprovalMessage
from channels_app.whatsapp.models import SendStatus, WhatsAppSend
from hitl.models import HITLApproval
from reports.aggregates import aggregate
from reports.dashboard import PENDING
from reports.queries import conversation_expressions

CENT = Decimal("0.01")
# An email that left Walker (the provider took it); of those, the ones that came back.
LEFT = [s for s in EmailDeliveryLog.Status if s not in (EmailDeliveryLog.Status.QUEUED, EmailDeliveryLog.Status.FAILED)]
BOUNCED = [EmailDeliveryLog.Status.BOUNCED, EmailDeliveryLog.Status.DROPPED]
EMAIL_FAILED = [EmailDeliveryLog.Status.FAILED, *BOUNCED]


@dataclass(frozen=True)
class Scope:
    tenant_id: object
    since: datetime  # the start of the rule's window
    now: datetime
    channel: str = ""


def first_response_p90_minutes(scope: Scope):
    """The analytics API's first-response p90 (reports.queries), over conversations started in the window."""
    rows = ConversationMetrics.objects.filter(tenant_id=scope.tenant_id, started_at__gte=scope.since)
    p90 = aggregate(rows, {"p90": conversation_expressions()["first_response_ms_p90"]})["p90"]
    return None if p90 is None else Decimal(p90) / 60000


def _events(scope: Scope, event_type: str) -> int:
    return PlatformEvent.objects.filter(
        tenant_id=scope.tenant_id, event_type=event_type, created_at__gte=scope.since
    ).count()


def sla_breaches(scope: Scope):
    """Approvals whose SLA ran out in the window (the clock's `sla_breached` events)."""
    return Decimal(_events(scope, EventType.SLA_BREACHED))


def failed_executions(scope: Scope):
    """Approved actions whose execution failed in the window."""
    return Decimal(_events(scope, EventType.EXECUTION_FAILED))


def _waiting(scope: Scope) -> dict:
    """The dashboard's "pending" approvals (reports.dashboard.PENDING), now."""
    return HITLApproval.objects.filter(PENDING, tenant_id=scope.tenant_id).aggregate(
        waiting=Count("pk"), oldest=Min("requested_at")
    )


def approvals_waiting(scope: Scope):
    return Decimal(_waiting(scope)["waiting"])


def oldest_waiting_minutes(scope: Scope):
    """0 when nothing waits: an incident about an old approval clears once it is decided."""
    oldest = _waiting(scope)["oldest"]
    return Decimal(0) if oldest is None else Decimal((scope.now - oldest) / timedelta(minutes=1))


def email_bounce_rate(scope: Scope):
    """Bounced or dropped, in % of the emails the provider took in the window (the email delivery log)."""
    figures = EmailDeliveryLog.objects.filter(
        tenant_id=scope.tenant_id, created_at__gte=scope.since, status__in=LEFT
    ).aggregate(left=Count("pk"), bounced=Count("pk", filter=Q(status__in=BOUNCED)))
    return None if not figures["left"] else Decimal(100 * figures["bounced"]) / figures["left"]


def channel_failures(scope: Scope):
    """Sends that failed in the window on the watched channel: Twilio's failed statuses for WhatsApp, the
    provider's failures, bounces and drops for email, the approvals' Slack messages failed (and not since taken)."""
    if scope.channel == WatchedChannel.WHATSAPP:
        sends = WhatsAppSend.objects.filter(tenant_id=scope.tenant_id, created_at__gte=scope.since)
        return Decimal(sends.filter(status=SendStatus.FAILED).count())
    if scope.channel == WatchedChannel.SLACK:
        messages = SlackApprovalMessage.objects.filter(approval__tenant_id=scope.tenant_id, failed_at__gte=scope.since)
        return Decimal(messages.filter(status=SlackApprovalMessage.Status.FAILED).count())
    emails = EmailDeliveryLog.objects.filter(tenant_id=scope.tenant_id, created_at__gte=scope.since)
    return Decimal(emails.filter(status__in=EMAIL_FAILED).count())


def ad_reauthorisation(scope: Scope):
    """The tenant's ad platform connections stopped until someone authorises them again (adplatforms' state)."""
    waiting = AdConnection.objects.filter(tenant_id=scope.tenant_id, state=ConnectionState.NEEDS_REAUTHORISATION)
    return Decimal(waiting.count())


def ad_outside_changes(scope: Scope):
    """Changes to the tenant's synced campaigns' budgets or statuses made outside Walker, found by a sync in the
    window (adplatforms.outside): a change made days ago and first read now counts now, when it can be acted on."""
    found = OutsideChange.objects.filter(tenant_id=scope.tenant_id, detected_at__gte=scope.since)
    return Decimal(found.count())


FIGURES = {
    AlertKind.FIRST_RESPONSE_P90: first_response_p90_minutes,
    AlertKind.SLA_BREACHES: sla_breaches,
    AlertKind.APPROVALS_WAITING: approvals_waiting,
    AlertKind.OLDEST_WAITING_APPROVAL: oldest_waiting_minutes,
    AlertKind.EMAIL_BOUNCE_RATE: email_bounce_rate,
    AlertKind.FAILED_EXECUTIONS: failed_executions,
    AlertKind.CHANNEL_FAILURES: channel_failures,
    AlertKind.AD_REAUTHORISATION: ad_reauthorisation,
    AlertKind.AD_OUTSIDE_CHANGES: ad_outside_changes,
}


def figure(rule: AlertRule, now: datetime) -> Decimal | None:
    """The rule's figure now, rounded to cents as stored on its incidents."""
    scope = Scope(rule.tenant_id, now - timedelta(minutes=rule.window_minutes), now, rule.channel)
    value = FIGURES[rule.kind](scope)
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
