"""A subject request reaches alerts: the notices a person was sent are in their export, and an erased person is taken
off the rules that named them (the notices stay: they say nothing about anyone)."""

from alerts.models import AlertNotice
from analytics.models import EventType
from tenants.privacy.audit import Origin
from tenants.privacy.subject_requests import erase_person, export_person
from tests.alerts.conftest import events
from tests.factories import UserFactory


def test_export_and_erasure(sent_after_commit, rule, tenant, tenant_admin):
    named = UserFactory(tenant=tenant, role="support")
    watched = rule("sla_breaches", "0", people=[named], notify_roles=[], name="Breaches")
    events(tenant, EventType.SLA_BREACHED, 1)
    sent_after_commit(watched)

    _, exported = export_person(tenant_admin, named, reason="Their request", origin=Origin())
    assert exported["alert_rules"] == [{"rule": "Breaches"}]
    notices = [(n["rule"], n["event"], n["subject"], n["status"]) for n in exported["alert_notices"]]
    assert notices == [("Breaches", "opened", "Alert: Breaches", "sent")]

    erase_person(tenant_admin, named, reason="request")
    assert list(watched.notify_people.all()) == []
    assert AlertNotice.objects.filter(recipient=named).count() == 1
