"""Alert notices on Slack: one post per incident event (opened, cleared) per rule in the tenant's own workspace,
through the Slack app's Web API client against the fake Slack API on 127.0.0.1; retried while Slack is unavailable,
then recorded as failed; offered only to a tenant whose workspace is connected."""

import time
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.urls import reverse

from alerts import figures, sending
from alerts.evaluation import evaluate
from alerts.models import AlertIncident, AlertNotice, AlertRule
from alerts.tasks import send_notice
from channels_app.slack.models import SlackWorkspace
from core.sending import TransientSendError
from tests.concurrency import at_once
from tests.factories import UserFactory

BASE = "https://walker.example.com"
CHANNEL = "C0ALERTS"
ADD = reverse("admin:alerts_alertrule_add")


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.fixture
def figure_runs(monkeypatch):
    """`figure_runs(rule, *values, capture=…)`: the rule evaluated once per value of its figure, each commit's sends
    run."""

    def run(watched, *values, capture):
        outcomes = []
        for value in values:
            monkeypatch.setattr(figures, "figure", lambda rule, now, value=value: Decimal(value))
            with capture(execute=True):
                outcomes.append(evaluate(watched.pk))
        return outcomes

    return run


@pytest.fixture
def on_slack(rule, workspace, slack_api, tenant_admin):
    """`on_slack(**fields)`: an SLA breaches rule (threshold 2, 45 minutes) posting to CHANNEL on Slack only."""

    def make(**fields):
        values = {"name": "SLA breaches pile up", "window_minutes": 45, "notify_channels": ["slack"]}
        values.update({"slack_channel": CHANNEL, "notify_roles": [], "created_by": tenant_admin, **fields})
        return rule("sla_breaches", "2", **values)

    return make


def posts(slack_api):
    return slack_api.called("chat.postMessage")


def test_opened_and_cleared_each_post_once_to_the_rules_channel(
    on_slack,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    watched = on_slack(clear_after_minutes=0)  # no quiet period: clears at the first evaluation at or below
    figure_runs(watched, 3, 2, capture=django_capture_on_commit_callbacks)
    incident = AlertIncident.objects.get()
    opened, cleared = posts(slack_api)
    assert opened["channel"] == cleared["channel"] == CHANNEL
    url = f"{BASE}/admin/alerts/alertincident/{incident.pk}/change/"
    assert opened["text"].splitlines() == [
        "*Alert: SLA breaches pile up*",
        "The number of approval SLA breaches is 3, above the threshold of 2.",
        "Measured over the last 45 minutes.",
        f"See it in the console: {url}",
    ]
    assert cleared["text"].splitlines()[:2] == [
        "*Cleared: SLA breaches pile up*",
        "The number of approval SLA breaches is back to 2, within the threshold of 2.",
    ]
    notices = AlertNotice.objects.order_by("created_at")
    assert [(n.event, n.channel, n.recipient_id, n.status, n.provider) for n in notices] == [
        ("opened", "slack", None, "sent", "slack"),
        ("cleared", "slack", None, "sent", "slack"),
    ]
    assert notices[0].provider_message_id and notices[0].sent_at


def test_a_figure_that_stays_high_posts_once_per_incident_event_not_once_per_person(
    on_slack,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
    tenant,
    mailoutbox,
):
    UserFactory(tenant=tenant, role="admin")
    watched = on_slack(notify_roles=["admin"], notify_channels=["slack", "email"], clear_after_minutes=0)
    outcomes = figure_runs(watched, 3, 5, 4, 1, 0, 6, capture=django_capture_on_commit_callbacks)
    assert outcomes == ["opened", "ongoing", "ongoing", "cleared", "quiet", "opened"]
    assert [post["text"].splitlines()[0] for post in posts(slack_api)] == [
        "*Alert: SLA breaches pile up*",
        "*Cleared: SLA breaches pile up*",
        "*Alert: SLA breaches pile up*",
    ]
    assert len(mailoutbox) == 2 * 3  # the two admins by email, at each of the three events
    assert AlertNotice.objects.filter(channel="slack").count() == 3


def test_the_workspaces_default_channel_when_the_rule_names_none(
    on_slack,
    slack_api,
    workspace,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    workspace.default_channel = "C0DEFAULT"
    workspace.save()
    figure_runs(on_slack(slack_channel=""), 3, capture=django_capture_on_commit_callbacks)
    [post] = posts(slack_api)
    assert post["channel"] == "C0DEFAULT"


def test_slack_unavailable_is_retried_then_posts_once(
    on_slack,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    slack_api.fail("chat.postMessage", times=1, status=503, error="service_unavailable")
    with pytest.raises(Retry):  # eager: the first attempt's retry reaches the caller
        figure_runs(on_slack(), 3, capture=django_capture_on_commit_callbacks)
    notice = AlertNotice.objects.get()
    assert notice.status == "pending"
    send_notice.apply(args=[str(notice.pk)])  # the retry
    send_notice.apply(args=[str(notice.pk)])  # delivered again: already sent
    notice.refresh_from_db()
    assert notice.status == "sent"
    assert len(posts(slack_api)) == 2  # the failed attempt, then the one that posted


def test_slack_down_through_the_retries_leaves_the_notice_failed(
    on_slack,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    assert (send_notice.autoretry_for, send_notice.max_retries) == ((TransientSendError,), 4)
    slack_api.fail("chat.postMessage", times=10, status=429, error="ratelimited")
    with pytest.raises(Retry):
        figure_runs(on_slack(), 3, capture=django_capture_on_commit_callbacks)
    notice = AlertNotice.objects.get()
    with pytest.raises(TransientSendError, match="HTTP 429 ratelimited"):
        sending.send(notice.pk)
    send_notice.on_failure(TransientSendError("Slack answered"), "id", [str(notice.pk)], {}, None)
    notice.refresh_from_db()
    assert (notice.status, notice.failure_reason) == ("failed", "gave up: Slack answered")


def test_a_channel_slack_refuses_fails_at_once(
    on_slack,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    slack_api.fail("chat.postMessage", times=1, status=200, error="channel_not_found")
    figure_runs(on_slack(), 3, capture=django_capture_on_commit_callbacks)
    notice = AlertNotice.objects.get()
    assert (notice.status, notice.failure_reason) == ("failed", "channel_not_found")
    assert len(posts(slack_api)) == 1


def test_another_tenants_workspace_is_never_used(
    rule,
    other_tenant,
    workspace,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    """The other tenant has no workspace of its own: its notice fails rather than posting to this tenant's."""
    watched = rule("sla_breaches", "2", of=other_tenant, notify_channels=["slack"], slack_channel=CHANNEL)
    figure_runs(watched, 3, capture=django_capture_on_commit_callbacks)
    notice = AlertNotice.objects.get()
    assert (notice.tenant_id, notice.status) == (other_tenant.pk, "failed")
    assert notice.failure_reason == "the tenant has no Slack workspace connected"
    assert posts(slack_api) == []


def test_each_tenant_posts_with_its_own_workspaces_token(
    rule,
    on_slack,
    other_tenant,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    SlackWorkspace.objects.create(
        tenant=other_tenant, team_id="T0GLOBEX", bot_token="xoxb-globex", signing_secret="s" * 32
    )
    figure_runs(on_slack(), 3, capture=django_capture_on_commit_callbacks)
    theirs = rule("sla_breaches", "2", of=other_tenant, notify_channels=["slack"], slack_channel="C0GLOBEX")
    figure_runs(theirs, 3, capture=django_capture_on_commit_callbacks)
    tokens = [(body["channel"], token) for name, body, token in slack_api.calls if name == "chat.postMessage"]
    assert tokens == [(CHANNEL, "Bearer xoxb-acme"), ("C0GLOBEX", "Bearer xoxb-globex")]


def test_a_spanish_author_gets_the_post_in_spanish(
    on_slack,
    slack_api,
    tenant_admin,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    tenant_admin.language = "es"
    tenant_admin.save()
    figure_runs(on_slack(name="Incumplimientos"), 3, capture=django_capture_on_commit_callbacks)
    [post] = posts(slack_api)
    lines = post["text"].splitlines()
    assert lines[0] == "*Alerta: Incumplimientos*"
    assert "Míralo en la consola" in lines[-1]


def test_what_people_typed_is_shown_as_typed(
    on_slack,
    slack_api,
    figure_runs,
    django_capture_on_commit_callbacks,
):
    figure_runs(on_slack(name="<!channel> & co"), 3, capture=django_capture_on_commit_callbacks)
    [post] = posts(slack_api)
    assert post["text"].splitlines()[0] == "*Alert: &lt;!channel&gt; &amp; co*"


@pytest.mark.postgres("two deliveries of one send at once, each on its own connection, with a real row lock")
def test_two_deliveries_of_one_notice_at_once_post_once(
    postgres_only,
    on_slack,
    slack_api,
    monkeypatch,
):
    watched = on_slack()
    monkeypatch.setattr("alerts.notices.after_commit", lambda task, *args: None)  # sent below, twice at once
    monkeypatch.setattr(figures, "figure", lambda rule, now: Decimal(3))
    evaluate(watched.pk)
    notice = AlertNotice.objects.get()
    real = sending.SENDERS["slack"]

    def slow(row):
        time.sleep(0.3)  # long enough for both deliveries to have read the row
        return real(row)

    monkeypatch.setitem(sending.SENDERS, "slack", slow)
    at_once(lambda: sending.send(notice.pk), lambda: sending.send(notice.pk))
    assert len(posts(slack_api)) == 1
    notice.refresh_from_db()
    assert notice.status == "sent"


def rule_form(**fields):
    return {
        "name": "Breaches pile up",
        "enabled": "on",
        "kind": "sla_breaches",
        "threshold": "3",
        "clear_after_minutes": "10",
        "window_minutes": "60",
        "channel": "",
        "notify_roles": [],
        "notify_channels": ["slack"],
        "slack_channel": "",
        **fields,
    }


def offered_channels(page) -> list[str]:
    """The channels the rule form offers to notify on (a failed-sends rule's watched channels are another field)."""
    return [value for value, _ in page.context["adminform"].form.fields["notify_channels"].widget.choices]


def test_without_a_workspace_the_form_neither_offers_nor_takes_slack(console_as, tenant_admin):
    client = console_as(tenant_admin)
    assert "slack" not in offered_channels(client.get(ADD))
    response = client.post(ADD, rule_form(slack_channel=CHANNEL))
    assert response.context["adminform"].form.errors["notify_channels"] == [
        "The tenant has no Slack workspace connected: connect it under Slack workspaces to notify on Slack."
    ]
    assert not AlertRule.objects.exists()


def test_another_tenants_workspace_does_not_make_slack_valid(console_as, outsider, workspace):
    response = console_as(outsider).post(ADD, rule_form(slack_channel=CHANNEL))
    assert "notify_channels" in response.context["adminform"].form.errors
    assert not AlertRule.objects.exists()


def test_with_a_workspace_a_slack_only_rule_is_added(console_as, tenant_admin, workspace):
    client = console_as(tenant_admin)
    assert "slack" in offered_channels(client.get(ADD))
    response = client.post(ADD, rule_form(slack_channel=CHANNEL))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = AlertRule.objects.get()
    assert (rule.notify_channels, rule.slack_channel, rule.notify_roles) == (["slack"], CHANNEL, [])


@pytest.mark.parametrize(
    "fields, field, error",
    [
        ({"slack_channel": ""}, "slack_channel", "Name the Slack channel: the tenant's Slack workspace has no default"
         " channel."),
        ({"slack_channel": "general"}, "slack_channel", "A Slack channel id, e.g. C0123ABCD."),
        ({"slack_channel": CHANNEL, "notify_channels": ["email"], "notify_roles": ["admin"]}, "slack_channel",
         "Only a rule that notifies on Slack names a Slack channel."),
        ({"slack_channel": CHANNEL, "notify_channels": ["slack", "email"]}, "notify_roles",
         "Pick the roles or the people to notify."),
    ],
)  # fmt: skip
def test_slack_settings_that_cannot_work_are_refused(console_as, tenant_admin, workspace, fields, field, error):
    response = console_as(tenant_admin).post(ADD, rule_form(**fields))
    assert response.context["adminform"].form.errors[field] == [error]
