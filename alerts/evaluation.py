"""Evaluating a rule: its figure against its threshold, opening an incident once and clearing it once (hysteresis).

An open incident clears only once the figure has stayed at or below the threshold for the rule's quiet period
(`AlertRule.clear_after_minutes`, counted from the incident's `quiet_since`); above again in the meantime, the same
incident stays open, nothing is sent, and the wait starts over. A figure hovering at the threshold is so told once.

The rule's row is locked for the evaluation (SKIP LOCKED: a second evaluation at the same time passes it by), and
at most one incident per rule may be open (a conditional unique constraint), so two evaluations at once never
open two incidents nor send two notices.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alerts import figures, notices
from alerts.models import AlertIncident, AlertNotice, AlertRule

log = logging.getLogger(__name__)


class Outcome:
    OPENED = "opened"
    CLEARED = "cleared"
    ONGOING = "ongoing"  # above, and an incident is already open: nothing is sent
    CLEARING = "clearing"  # at or below with an incident open, not yet for the quiet period: nothing is sent
    QUIET = "quiet"
    UNKNOWN = "unknown"  # nothing to measure (no conversation or email in the window): the state stays as it is
    SKIPPED = "skipped"  # disabled or deleted since it was listed, or another evaluation holds it


def evaluate(rule_id, *, now=None) -> str:
    now = now or timezone.now()
    with transaction.atomic():
        rule = (
            AlertRule.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tenant")
            .filter(pk=rule_id, enabled=True)
            .first()
        )
        if rule is None:
            return Outcome.SKIPPED
        value = figures.figure(rule, now)
        incident = rule.incidents.filter(cleared_at__isnull=True).first()
        if value is None:
            return Outcome.UNKNOWN
        if value > rule.threshold:
            if incident is not None:
                _keep_open(incident, value)
                return Outcome.ONGOING
            incident = AlertIncident.objects.create(
                tenant_id=rule.tenant_id,
                rule=rule,
                threshold=rule.threshold,
                opened_at=now,
                opened_value=value,
                peak_value=value,
            )
            notices.tell(incident, AlertNotice.Event.OPENED)
            return Outcome.OPENED
        if incident is None:
            return Outcome.QUIET
        quiet_since = incident.quiet_since or now
        if now - quiet_since < timedelta(minutes=rule.clear_after_minutes):
            if incident.quiet_since is None:
                AlertIncident.objects.filter(pk=incident.pk).update(quiet_since=now)
            return Outcome.CLEARING
        incident.quiet_since, incident.cleared_at, incident.cleared_value = quiet_since, now, value
        incident.save(update_fields=["quiet_since", "cleared_at", "cleared_value"])
        notices.tell(incident, AlertNotice.Event.CLEARED)
        return Outcome.CLEARED


def _keep_open(incident: AlertIncident, value) -> None:
    """Above again: the highest figure kept, and a quiet period under way starts over."""
    changes = {"quiet_since": None} if incident.quiet_since is not None else {}
    if value > incident.peak_value:
        changes["peak_value"] = value
    if changes:
        AlertIncident.objects.filter(pk=incident.pk).update(**changes)


def evaluate_all(*, now=None) -> dict[str, int]:
    """Every enabled rule of every tenant; one rule's failure is logged and the others carry on."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for rule_id in AlertRule.objects.filter(enabled=True).order_by("pk").values_list("pk", flat=True):
        try:
            outcome = evaluate(rule_id, now=now)
        except Exception:  # one rule's bad figure must not stop the others (reports.tasks does the same)
            log.exception("Alert rule %s could not be evaluated", rule_id)
            outcome = "failed"
        done[outcome] = done.get(outcome, 0) + 1
    return done
