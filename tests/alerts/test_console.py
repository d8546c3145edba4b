"""Alerts in the console: the tenant's admins edit its rules, and no one else; incidents and their notices are read
only, with filters; another tenant's rules, incidents and people are out of reach."""

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.evaluation import evaluate
from alerts.models import AlertIncident, AlertRule
from analytics.models import EventType
from tests.alerts.conftest import events
from tests.factories import UserFactory

RULES = reverse("admin:alerts_alertrule_changelist")
ADD = reverse("admin:alerts_alertrule_add")
INCIDENTS = reverse("admin:alerts_alertincident_changelist")


def form(**fields):
    return {
        "name": "Breaches pile up",
        "enabled": "on",
        "kind": "sla_breaches",
        "threshold": "3",
        "clear_after_minutes": "10",
        "window_minutes": "60",
        "channel": "",
        "notify_roles": ["admin"],
        "notify_channels": ["email", "whatsapp"],
        **fields,
    }


@pytest.mark.parametrize(
    "role, rules, add, incidents",
    [("admin", 200, 200, 200), ("approver", 403, 403, 403), ("support", 403, 403, 403), ("compliance", 403, 403, 403)],
)
def test_only_the_tenants_admins_reach_alerts(console_as, staff, role, rules, add, incidents):
    client = console_as(staff[role])
    assert [client.get(page).status_code for page in (RULES, ADD, INCIDENTS)] == [rules, add, incidents]


def test_an_admin_adds_a_rule_for_their_own_tenant(console_as, tenant_admin, other_tenant):
    colleague = UserFactory(tenant=tenant_admin.tenant, role="support")
    response = console_as(tenant_admin).post(ADD, form(notify_people=[str(colleague.pk)], tenant=str(other_tenant.pk)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = AlertRule.objects.get()
    assert (rule.tenant, rule.created_by, rule.notify_roles) == (tenant_admin.tenant, tenant_admin, ["admin"])
    assert list(rule.notify_people.all()) == [colleague] and rule.notify_channels == ["email", "whatsapp"]


def test_an_admin_sets_the_quiet_period_the_form_explains(console_as, tenant_admin):
    client = console_as(tenant_admin)
    page = client.get(ADD).content.decode()
    assert 'name="clear_after_minutes"' in page and 'value="10"' in page  # the default offered
    assert "Quiet period: an open incident clears only once the figure has stayed at or below" in page
    response = client.post(ADD, form(clear_after_minutes="30"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert AlertRule.objects.get().clear_after_minutes == 30


def test_a_person_of_another_tenant_is_refused(console_as, tenant_admin, outsider):
    response = console_as(tenant_admin).post(ADD, form(notify_people=[str(outsider.pk)]))
    assert response.status_code == 200
    assert "notify_people" in response.context["adminform"].form.errors
    assert not AlertRule.objects.exists()


def test_a_superuser_cannot_name_people_of_another_tenant_than_the_rules(console_as, superuser, tenant, outsider):
    response = console_as(superuser).post(ADD, form(tenant=str(tenant.pk), notify_people=[str(outsider.pk)]))
    assert response.context["adminform"].form.errors["notify_people"] == [
        "Only people of the rule's tenant can be notified."
    ]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "channel_failures"}, "channel"),
        ({"channel": "email"}, "channel"),
        ({"kind": "email_bounce_rate", "threshold": "150"}, "threshold"),
        ({"threshold": "-1"}, "threshold"),
        ({"window_minutes": "0"}, "window_minutes"),
        ({"clear_after_minutes": "-1"}, "clear_after_minutes"),
        ({"clear_after_minutes": "1441"}, "clear_after_minutes"),
        ({"clear_after_minutes": ""}, "clear_after_minutes"),
        ({"notify_channels": []}, "notify_channels"),
        ({"notify_roles": []}, "notify_roles"),
        ({"notify_channels": ["pigeon"]}, "notify_channels"),
    ],
)
def test_a_rule_that_makes_no_sense_is_refused_with_the_reason(console_as, tenant_admin, fields, field):
    response = console_as(tenant_admin).post(ADD, form(**fields))
    assert field in response.context["adminform"].form.errors
    assert not AlertRule.objects.exists()


def test_another_tenants_rules_and_incidents_are_out_of_reach(console_as, tenant_admin, outsider, rule, other_tenant):
    theirs = rule("sla_breaches", "0", of=other_tenant, name="Their rule")
    events(other_tenant, EventType.SLA_BREACHED, 1)
    evaluate(theirs.pk)
    incident = AlertIncident.objects.get()
    client = console_as(tenant_admin)
    assert client.get(reverse("admin:alerts_alertrule_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:alerts_alertincident_change", args=[incident.pk])).status_code == 404
    assert "Their rule" not in client.get(RULES).content.decode()
    assert "Their rule" not in client.get(INCIDENTS).content.decode()  # the rule filter lists the viewer's rules


def test_incidents_are_listed_with_their_history_and_filtered(console_as, tenant_admin, rule, tenant):
    quiet = rule("sla_breaches", "5", name="Calm rule")
    busy = rule("approvals_waiting", "-1", name="Busy rule")
    evaluate(busy.pk)
    AlertIncident.objects.update(cleared_at=timezone.now(), cleared_value=0)
    evaluate(busy.pk)
    evaluate(quiet.pk)
    client = console_as(tenant_admin)
    listed = {rule.name: rule.has_open_incident for rule in client.get(RULES).context["cl"].result_list}
    assert listed == {"Busy rule": True, "Calm rule": False}
    assert client.get(INCIDENTS).context["cl"].result_count == 2
    assert client.get(INCIDENTS, {"state": "open"}).context["cl"].result_count == 1
    assert client.get(INCIDENTS, {"state": "cleared"}).context["cl"].result_count == 1
    assert client.get(INCIDENTS, {"rule": str(quiet.pk)}).context["cl"].result_count == 0

    incident = AlertIncident.objects.filter(cleared_at=None).get()
    page = client.get(reverse("admin:alerts_alertincident_change", args=[incident.pk]))
    assert page.status_code == 200
    assert "Within the threshold since" in page.content.decode()
    assert tenant_admin.email in page.content.decode()  # its notices, who was told and how
    assert client.post(reverse("admin:alerts_alertincident_change", args=[incident.pk]), {}).status_code == 403
    assert client.get(reverse("admin:alerts_alertincident_add")).status_code == 403
    assert (
        client.post(reverse("admin:alerts_alertincident_delete", args=[incident.pk]), {"post": "yes"}).status_code
        == 403
    )
