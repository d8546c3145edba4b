"""Telling people about an incident: one AlertNotice per person and channel, written in the person's language when the
incident opens and again when it clears, and one per event for a channel read by many (Slack, written in the rule's
author's language); each sent by its own task after commit."""

from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import PERSONAL_CHANNELS, AlertIncident, AlertKind, AlertNotice, AlertRule
from alerts.slack_notices import speaking_for
from core.commit import after_commit
from reports.periods import zone_of
from tenants.languages import speaking
from tenants.models import User

SEND_TASK = "alerts.tasks.send_notice"  # by name: alerts.tasks imports this module
Event = AlertNotice.Event

# What each figure is, as a sentence's subject; and how its value reads.
WHAT = {
    AlertKind.FIRST_RESPONSE_P90: _("The first response time (90th percentile)"),
    AlertKind.SLA_BREACHES: _("The number of approval SLA breaches"),
    AlertKind.APPROVALS_WAITING: _("The number of approvals waiting"),
    AlertKind.OLDEST_WAITING_APPROVAL: _("The oldest waiting approval's age"),
    AlertKind.EMAIL_BOUNCE_RATE: _("The email bounce rate"),
    AlertKind.FAILED_EXECUTIONS: _("The number of failed executions"),
    AlertKind.CHANNEL_FAILURES: _("The number of failed %(channel)s sends"),
    AlertKind.AD_REAUTHORISATION: _("The number of ad platform connections needing re-authorisation"),
    AlertKind.AD_OUTSIDE_CHANGES: _("The number of campaign changes made outside Walker on the ad platforms"),
}
MINUTES = {AlertKind.FIRST_RESPONSE_P90, AlertKind.OLDEST_WAITING_APPROVAL}
SUBJECTS = {Event.OPENED: _("Alert: %(rule)s"), Event.CLEARED: _("Cleared: %(rule)s")}


def recipients(rule: AlertRule):
    """Active people of the rule's tenant holding one of its roles, and the people it names (of its tenant only)."""
    chosen = Q(role__in=rule.notify_roles) | Q(pk__in=rule.notify_people.values("pk"))
    return User.objects.filter(chosen, tenant_id=rule.tenant_id, is_active=True).order_by("pk")


def incident_url(incident: AlertIncident) -> str:
    return settings.PUBLIC_BASE_URL + reverse("admin:alerts_alertincident_change", args=[incident.pk])


def shown(value: Decimal, kind: str) -> str:
    """12.50 -> "12.5 min", 7 -> "7", in the active language's number format."""
    number = formats.number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize())
    if kind in MINUTES:
        return gettext("%(number)s min") % {"number": number}
    if kind == AlertKind.EMAIL_BOUNCE_RATE:
        return gettext("%(number)s %%") % {"number": number}
    return number


def _when(moment, zone) -> str:
    return formats.date_format(timezone.localtime(moment, zone), "DATETIME_FORMAT")


def text(incident: AlertIncident, event: str) -> tuple[str, str]:
    """The subject and message, in the active language: what, the figure, the threshold, a link to the console."""
    rule = incident.rule
    kind = rule.kind
    what = str(WHAT[kind]) % {"channel": rule.get_channel_display()}
    zone = zone_of(rule.tenant)
    threshold = shown(incident.threshold, kind)
    if event == Event.OPENED:
        lines = [
            gettext("%(what)s is %(value)s, above the threshold of %(threshold)s.")
            % {"what": what, "value": shown(incident.opened_value, kind), "threshold": threshold}
        ]
    else:
        lines = [
            gettext("%(what)s is back to %(value)s, within the threshold of %(threshold)s.")
            % {"what": what, "value": shown(incident.cleared_value, kind), "threshold": threshold},
            *_quiet_for(incident, zone),
            gettext("It opened on %(opened)s with %(value)s; the highest figure was %(peak)s.")
            % {
                "opened": _when(incident.opened_at, zone),
                "value": shown(incident.opened_value, kind),
                "peak": shown(incident.peak_value, kind),
            },
        ]
    if rule.windowed:
        lines.append(gettext("Measured over the last %(minutes)s minutes.") % {"minutes": rule.window_minutes})
    lines.append(gettext("See it in the console: %(url)s") % {"url": incident_url(incident)})
    return (str(SUBJECTS[event]) % {"rule": rule.name})[:300], "\n".join(lines)


def _quiet_for(incident: AlertIncident, zone) -> list[str]:
    """Since when it has been within the threshold, when the rule waited a quiet period before clearing."""
    if incident.quiet_since is None or incident.quiet_since >= incident.cleared_at:
        return []
    return [gettext("It has been within the threshold since %(since)s.") % {"since": _when(incident.quiet_since, zone)}]


def tell(incident: AlertIncident, event: str) -> list[AlertNotice]:
    """One row per person and personal channel, and one per shared channel (Slack), written at once; each is sent by
    its own task after commit."""
    rule = incident.rule
    personal = [channel for channel in rule.notify_channels if channel in PERSONAL_CHANNELS]
    shared = [channel for channel in rule.notify_channels if channel not in PERSONAL_CHANNELS]
    rows = []
    for person in recipients(rule) if personal else ():
        with speaking(person):
            subject, message = text(incident, event)
        rows += [_notice(incident, event, channel, subject, message, person) for channel in personal]
    if shared:
        with speaking_for(rule):
            subject, message = text(incident, event)
        rows += [_notice(incident, event, channel, subject, message) for channel in shared]
    AlertNotice.objects.bulk_create(rows)
    for row in rows:
        after_commit(current_app.tasks[SEND_TASK], str(row.pk))
    return rows


def _notice(incident, event, channel, subject, message, recipient=None) -> AlertNotice:
    return AlertNotice(
        tenant_id=incident.tenant_id,
        incident=incident,
        event=event,
        recipient=recipient,
        channel=channel,
        subject=subject,
        message=message,
    )
