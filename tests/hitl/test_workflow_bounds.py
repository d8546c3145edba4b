"""Workflows cannot break the tenant: bounded numbers and checked shapes on the way in, fail-closed on the way out
(issue 17, point 3)."""

import uuid

import pytest
from django.urls import reverse

from hitl.models import HITLWorkflow

LEVEL = {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1}


def level(**changes):
    return {**LEVEL, **changes}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"sla_hours": 2147483647}, "sla_hours"),
        ({"expire_hours": 24 * 400}, "expire_hours"),
        ({"max_reminders": 10_000}, "max_reminders"),
        ({"approval_levels": [level(required_approvals=10**30)]}, "approval_levels"),
        ({"approval_levels": [level(approvers={"users": [str(uuid.uuid4())]})]}, "approval_levels"),
        ({"approval_levels": [level(approvers={"users": ["nobody@acme.test"]})]}, "approval_levels"),
        ({"approval_levels": [level(approvers={"users": ["not an id"]})]}, "approval_levels"),
        ({"approval_levels": [LEVEL] * 11}, "approval_levels"),
        ({"approval_levels": [level(name={"a": "dict"})]}, "approval_levels"),
        ({"action_types": "set_budget"}, "action_types"),
        ({"action_types": ["launch_rocket"]}, "action_types"),
        ({"risk_levels": {"high": True}}, "risk_levels"),
        ({"risk_levels": ["apocalyptic"]}, "risk_levels"),
        ({"custom_rules": ["a", "list"]}, "custom_rules"),
    ],
)
def test_out_of_bounds_or_misshapen_workflows_are_refused(api_as, tenant_admin, payload, field):
    response = api_as(tenant_admin).post(
        "/api/hitl/workflows/", {"name": "Bad", "approval_levels": [LEVEL], **payload}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not HITLWorkflow.objects.exists()


def test_levels_may_name_people_of_the_tenant_by_id_or_email(api_as, tenant_admin, approver, outsider):
    people = [str(approver.pk), tenant_admin.email.upper()]
    client = api_as(tenant_admin)
    ok = client.post(
        "/api/hitl/workflows/",
        {"name": "People", "approval_levels": [level(approvers={"users": people})]},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    foreign = client.post(
        "/api/hitl/workflows/",
        {"name": "Foreign", "approval_levels": [level(approvers={"users": [str(outsider.pk)]})]},
        format="json",
    )
    assert foreign.status_code == 400 and str(outsider.pk) in foreign.json()["approval_levels"][0]


@pytest.mark.parametrize(
    "fields",
    [
        {"sla_hours": 2147483647},
        {"escalation_hours": 2147483647},
        {"approval_levels": []},  # the database refuses a level it could not apply; a workflow may have none
        {"action_types": "set_budget"},
        {"risk_levels": {"high": True}},
        {"notification_channels": "email"},
        {"max_reminders": 10**6},
    ],
)
def test_a_stored_workflow_that_cannot_be_applied_fails_closed(ask, workflow, fields):
    """Saved before validation existed (or by hand): the proposal still becomes a pending approval for humans."""
    workflow(name="Broken", **fields)
    approval = ask()
    approval.refresh_from_db()
    assert approval.status == "pending" and approval.workflow is None
    assert approval.workflow_snapshot["name"] == "Walker default"
    assert any("Broken" in flag and "unreadable" in flag for flag in approval.compliance_flags)


def test_the_admin_shows_why_a_workflow_is_passed_over(console_as, tenant_admin, workflow):
    workflow(name="Broken", sla_hours=2147483647)
    page = console_as(tenant_admin).get(reverse("admin:hitl_hitlworkflow_changelist"))
    assert page.status_code == 200
    assert "Not applied: Decide within (SLA) must be a whole number of hours from 1 to 8784" in page.content.decode()


def test_an_admin_who_reads_spanish_reads_why_in_spanish(console_as, tenant_admin, workflow):
    tenant_admin.language = "es"
    tenant_admin.save(update_fields=["language"])
    workflow(name="Broken", sla_hours=2147483647, auto_approve_conditions=[{"field": "cost", "op": "gt", "value": 1}])
    page = console_as(tenant_admin).get(reverse("admin:hitl_hitlworkflow_changelist")).content.decode()
    assert "No se aplica: Decidir en un plazo de (SLA) debe ser un número entero de horas de 1 a 8784." in page
    assert "must be" not in page


# The admin form's refusals (the same as the API's) are in test_workflow_forms.py.
