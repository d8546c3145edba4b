"""Add to Slack: Walker's own Slack app installed by Slack's OAuth v2 flow against a fake Slack on 127.0.0.1, the
team and bot token stored (encrypted), the channel picked from the list; refusals in plain words; Reconnect once
Slack refused the bot token; the manual form stays."""

import pytest
from django.urls import reverse

from adplatforms.simulator import consent
from channels_app.slack.models import SlackWorkspace
from tests.connect.conftest import follow, query, shown
from tests.slack.conftest import SECRET

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:channels_app_slackworkspace_changelist")
START = reverse("admin:channels_app_slackworkspace_install")
APP_SIGNING_SECRET = "app-signing-secret-0f9e8d7c6b5a"


@pytest.fixture
def slack_app(settings, slack_api):
    """This installation's Slack app is the fake's."""
    settings.SLACK_CLIENT_ID = slack_api.client_id
    settings.SLACK_CLIENT_SECRET = slack_api.client_secret
    settings.SLACK_SIGNING_SECRET = APP_SIGNING_SECRET
    settings.SLACK_OAUTH_AUTHORIZE_URL = slack_api.authorize_url
    return slack_api


def installed(client, *, allow=True, **form):
    started = client.post(START, form)
    assert started.status_code == 302, shown(started)
    return follow(client, consent.decide(started["Location"], allow=allow))


def test_add_to_slack_installs_the_app_and_the_admin_picks_the_channel(console_as, tenant_admin, slack_app):
    client = console_as(tenant_admin)
    assert 'data-testid="add-to-slack-button"' in client.get(CHANGELIST).content.decode()

    started = client.post(START)
    asked = query(started["Location"])
    assert started["Location"].startswith(slack_app.authorize_url) and asked["client_id"] == slack_app.client_id
    assert set(asked["scope"].split(",")) >= {"chat:write", "im:write", "channels:read"}
    assert asked["redirect_uri"].endswith("/admin/channels_app/slackworkspace/install/callback/") and asked["state"]

    back = follow(client, consent.decide(started["Location"]))
    assert "/install/pick/" in back["Location"], shown(back)
    page = client.get(back["Location"]).content.decode()
    assert "#approvals" in page and "#general" in page and "xoxb-" not in page
    done = client.post(back["Location"], {"channel": "C0GENERAL"})

    workspace = SlackWorkspace.objects.get(tenant=tenant_admin.tenant)
    assert done["Location"] == reverse("admin:channels_app_slackworkspace_change", args=[workspace.pk])
    assert (workspace.team_id, workspace.team_name, workspace.default_channel) == ("T0WALKER", "Acme", "C0GENERAL")
    assert workspace.bot_token in slack_app.bot_tokens and workspace.signing_secret == APP_SIGNING_SECRET
    exchange = slack_app.called("oauth.v2.access")[0]
    assert exchange["redirect_uri"] == asked["redirect_uri"] and "client_secret" not in exchange  # HTTP Basic


def test_cancelling_in_slack_connects_nothing(console_as, tenant_admin, slack_app):
    back = installed(console_as(tenant_admin), allow=False)

    assert back["Location"] == CHANGELIST and "You cancelled the install in Slack" in " ".join(shown(back))
    assert not SlackWorkspace.objects.exists()


def test_a_workspace_another_tenant_connected_is_refused(console_as, tenant_admin, outsider, slack_app):
    SlackWorkspace.objects.create(tenant=outsider.tenant, team_id="T0WALKER", bot_token="xoxb-g", signing_secret="s")
    client = console_as(tenant_admin)
    back = installed(client)
    done = client.post(back["Location"], {"channel": "C0APPROVALS"})

    assert "already connected to Walker by another organisation" in " ".join(shown(done))
    assert not SlackWorkspace.objects.filter(tenant=tenant_admin.tenant).exists()


def test_a_state_from_another_tenant_is_refused(console_as, tenant_admin, outsider, slack_app):
    callback = consent.decide(console_as(tenant_admin).post(START)["Location"])
    back = follow(console_as(outsider), callback)

    assert "started by someone else, or for another tenant" in " ".join(shown(back))
    assert not slack_app.called("oauth.v2.access")


def test_a_replayed_answer_is_refused(console_as, tenant_admin, slack_app):
    client = console_as(tenant_admin)
    callback = consent.decide(client.post(START)["Location"])
    follow(client, callback)

    assert "already finished or abandoned" in " ".join(shown(follow(client, callback)))


def test_slack_refusing_the_code_is_said_plainly(console_as, tenant_admin, slack_app, settings):
    settings.SLACK_CLIENT_SECRET = "not-the-secret"
    back = installed(console_as(tenant_admin))

    assert "Slack refused to finish the install (bad_client_secret)" in " ".join(shown(back))


def test_a_channel_not_listed_is_refused(console_as, tenant_admin, slack_app):
    client = console_as(tenant_admin)
    back = installed(client)
    refused = client.post(back["Location"], {"channel": "C0ELSEWHERE"})

    assert "Pick one of the channels listed." in " ".join(shown(refused))
    assert not SlackWorkspace.objects.exists()


def test_only_a_tenant_admin_may_add_slack(console_as, approver, colleague, slack_app):
    assert console_as(approver).post(START).status_code == 403
    member = console_as(colleague).post(START)
    assert member.status_code == 302 and not member["Location"].startswith(slack_app.authorize_url)


def test_the_policy_asks_for_a_fresh_second_factor_first(console_as, tenant_admin, slack_app):
    tenant = tenant_admin.tenant
    tenant.step_up_risk_level, tenant.step_up_minutes = "low", 15
    tenant.save(update_fields=["step_up_risk_level", "step_up_minutes"])

    started = console_as(tenant_admin).post(START)

    assert started["Location"].startswith("/accounts/2fa/") and not slack_app.calls


def test_without_the_installation_settings_the_page_says_what_to_set(console_as, tenant_admin, settings):
    settings.SLACK_CLIENT_ID = ""
    client = console_as(tenant_admin)
    page = client.get(CHANGELIST).content.decode()

    assert "until the operator sets SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET" in page
    assert "SLACK_CLIENT_ID" in " ".join(shown(client.post(START)))


def test_a_refused_token_gets_reconnect_and_a_reinstall_mends_it(console_as, tenant_admin, slack_app, workspace):
    SlackWorkspace.objects.filter(pk=workspace.pk).update(token_refusal="token_revoked", default_channel="C0GENERAL")
    client = console_as(tenant_admin)
    change = reverse("admin:channels_app_slackworkspace_change", args=[workspace.pk])

    assert 'data-testid="add-to-slack-button"' in client.get(change).content.decode()
    back = installed(client, back=change)
    assert 'value="C0GENERAL" selected' in client.get(back["Location"]).content.decode()
    client.post(back["Location"], {"channel": "C0GENERAL"})

    workspace.refresh_from_db()
    assert workspace.token_refusal == "" and workspace.bot_token in slack_app.bot_tokens
    assert workspace.signing_secret == APP_SIGNING_SECRET != SECRET
    assert SlackWorkspace.objects.count() == 1
