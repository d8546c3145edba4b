"""The tenant's Slack workspace in the console (tenant admins; the bot token and signing secret write-only, stored
encrypted) and the workflow's Slack channel and responders."""

import pytest
from django.db import connection
from django.urls import reverse

from channels_app.slack.models import SlackUserLink, SlackWorkspace
from hitl.models import HITLWorkflow

pytestmark = pytest.mark.django_db
ADD = reverse("admin:channels_app_slackworkspace_add")
TOKEN = "xoxb-1111-2222-s3cr3t"


def form_data(**values):
    fields = {"team_id": "t0acme", "team_name": "Acme", "default_channel": "C0GENERAL", "bot_token": TOKEN,
              "signing_secret": "signing-s3cr3t", "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0",
              "links-MIN_NUM_FORMS": "0", "links-MAX_NUM_FORMS": "0"}  # fmt: skip
    return {**fields, **values}


def stored(column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM hitl_slackworkspace")  # noqa: S608 - a column name of this test's
        return cursor.fetchone()[0]


def test_a_tenant_admin_connects_the_workspace_and_the_secrets_are_encrypted_and_never_shown(
    console_as, tenant_admin, tenant
):
    browser = console_as(tenant_admin)
    response = browser.post(ADD, form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    workspace = SlackWorkspace.objects.get()
    assert (workspace.tenant, workspace.team_id, workspace.bot_token) == (tenant, "T0ACME", TOKEN)
    assert TOKEN not in stored("bot_token") and "signing-s3cr3t" not in stored("signing_secret")

    change = reverse("admin:channels_app_slackworkspace_change", args=[workspace.pk])
    page = browser.get(change).content.decode()
    assert TOKEN not in page and "signing-s3cr3t" not in page
    assert browser.post(change, form_data(bot_token="", signing_secret="", team_name="Acme HQ")).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.team_name, workspace.bot_token, workspace.signing_secret) == ("Acme HQ", TOKEN, "signing-s3cr3t")
    assert browser.get(ADD).status_code == 302  # one workspace per tenant: "add" opens it


def test_a_team_id_that_is_not_one_is_refused(console_as, tenant_admin):
    response = console_as(tenant_admin).post(ADD, form_data(team_id="acme workspace"))
    assert response.status_code == 200 and "A Slack team id looks like T0123ABCD." in response.content.decode()
    assert not SlackWorkspace.objects.exists()


def test_approvers_do_not_see_the_workspace(console_as, approver, tenant):
    SlackWorkspace.objects.create(tenant=tenant, team_id="T0ACME", bot_token=TOKEN, signing_secret="x")
    assert console_as(approver).get(reverse("admin:channels_app_slackworkspace_changelist")).status_code == 403


def test_the_links_are_listed_but_not_added_in_the_console(console_as, tenant_admin, tenant, approver):
    workspace = SlackWorkspace.objects.create(tenant=tenant, team_id="T0ACME", bot_token=TOKEN, signing_secret="x")
    SlackUserLink.objects.create(workspace=workspace, slack_user_id="U0APPROVER", user=approver)
    page = console_as(tenant_admin).get(reverse("admin:channels_app_slackworkspace_change", args=[workspace.pk]))
    assert "U0APPROVER" in page.content.decode()


def test_a_workflows_slack_channel_and_responders_are_set_in_its_form(console_as, tenant_admin, approver, outsider):
    browser = console_as(tenant_admin)
    page = browser.get(reverse("admin:hitl_hitlworkflow_add")).content.decode()
    assert 'name="slack_channel"' in page and 'name="slack_responders"' in page
    assert outsider.email not in page and approver.email in page  # only the tenant's people are offered


def test_the_api_takes_slack_responders_of_the_tenant_only(api_as, tenant_admin, approver, outsider):
    client = api_as(tenant_admin)
    body = {"name": "Slack budgets", "approval_levels": [{"name": "A", "approvers": {"roles": ["approver"]}}],
            "slack_channel": "C0BUDGETS", "slack_responders": [str(outsider.pk)]}  # fmt: skip
    refused = client.post("/api/hitl/workflows/", body, format="json")
    assert refused.status_code == 400 and "slack_responders" in refused.json()
    made = client.post("/api/hitl/workflows/", {**body, "slack_responders": [str(approver.pk)]}, format="json")
    assert made.status_code == 201, made.json()
    workflow = HITLWorkflow.objects.get(name="Slack budgets")
    assert workflow.slack_channel == "C0BUDGETS" and list(workflow.slack_responders.all()) == [approver]
