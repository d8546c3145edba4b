"""The deadline columns an approval gets from its workflow (scanned by hitl.tasks.process_deadlines)."""

from datetime import timedelta

HOUR = timedelta(hours=1)


def deadlines(rules: dict, now, *, critical: bool) -> dict:
    """SLA, first reminder, escalation, and the end: auto-approval where set (never critical), else expiry."""
    auto_approve = None if critical else rules.get("auto_approve_hours")
    reminder = rules.get("reminder_frequency_hours")
    escalation = rules.get("escalation_hours")
    return {
        "sla_deadline": now + rules["sla_hours"] * HOUR,
        "next_reminder_at": now + reminder * HOUR if reminder and rules.get("max_reminders") else None,
        "escalation_due_at": now + escalation * HOUR if escalation else None,
        "expires_at": now + (auto_approve or rules["expire_hours"]) * HOUR,
    }
