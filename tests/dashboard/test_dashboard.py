"""Reports → Dashboard: its figures, its tenant scoping, its Chart.js charts and its cost in queries."""

import html as html_lib
import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import AIAgent
from analytics.events import record
from analytics.models import EventType, PlatformEvent
from conversations.models import Conversation
from hitl.models import HITLApproval
from reports.cache import figures_changed
from reports.dashboard import conversations_per_day, dashboard_callback, format_duration
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")
# 23:30 UTC on 20 March is already 00:30 on 21 March in Paris (the test tenant's zone, UTC+1 then).
NOW = datetime(2025, 3, 20, 23, 30, tzinfo=UTC)
DASHBOARD = "/admin/dashboard/"  # Reports → Dashboard; the console's first page is the viewer's work (config.landing)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def approval(tenant, *, status="pending", requested_at=NOW, **fields):
    """An approval row as the services would leave it; status and requested_at are set past their guards."""
    row = HITLApprovalFactory(tenant=tenant, **fields)
    HITLApproval.objects.filter(pk=row.pk).update(status=status, requested_at=requested_at)
    return row


def decided(tenant, took: timedelta, *, at=NOW - timedelta(hours=1), **fields):
    """An approval a person approved `took` after it was requested, decided `at`."""
    return approval(tenant, status="approved", requested_at=at - took, approved_at=at, resolved_at=at, **fields)


def conversation(user, channel, started_at, agent=None):
    return ConversationFactory(user=user, channel=channel, started_at=started_at, agent=agent)


def answered(conv, agent_type, at):
    """The agent of `agent_type` replied in `conv` at `at`."""
    MessageFactory(
        conversation=conv, direction="outbound", sender_type="agent", text="Here.", created_at=at,
        metadata={"agent_type": agent_type},
    )  # fmt: skip


def series(chart) -> dict:
    """label -> values of each dataset of a Chart."""
    return {d["label"]: d["data"] for d in json.loads(chart.data)["datasets"]}


def figures(rf, user, app_list=(), **params):
    request = rf.get(DASHBOARD, params)
    request.user = user
    return dashboard_callback(request, {"app_list": list(app_list)})["dashboard"]


def kpis(board) -> dict:
    return {kpi.key: kpi.value for kpi in board["kpis"]}


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# --- Figures ----------------------------------------------------------------------------


def test_approval_cards_count_the_tenants_rows(rf, tenant, other_tenant, tenant_admin):
    approval(tenant)
    approval(tenant, sla_breached=True)
    approval(tenant, sla_breached=True, risk_level="critical")
    approval(tenant, status="rejected", sla_breached=True)  # breached once, decided since: not a breach now
    approval(tenant, status="expired")
    approval(other_tenant, sla_breached=True)
    approval(other_tenant)

    assert kpis(figures(rf, tenant_admin)) == {"pending": 3, "breached": 2, "median": "—", "today": 5}


def test_approvals_today_counts_from_the_tenants_midnight(rf, tenant, tenant_admin, superuser):
    approval(tenant, requested_at=paris(2025, 3, 21, 0, 15))  # 23:15 UTC on the 20th
    approval(tenant, requested_at=paris(2025, 3, 20, 23, 45))  # yesterday in Paris, today in UTC
    approval(tenant, requested_at=datetime(2025, 3, 19, 23, 59, tzinfo=UTC))  # yesterday everywhere
    decided(tenant, timedelta(minutes=5), at=paris(2025, 3, 21, 0, 20))
    decided(tenant, timedelta(minutes=5), at=paris(2025, 3, 20, 22, 0), decided_automatically=True)

    board = figures(rf, tenant_admin)
    today = next(kpi for kpi in board["kpis"] if kpi.key == "today")
    assert today.value == 2  # the 00:15 request and the decided one, requested at 00:15 too
    assert today.note == "requested since midnight · 1 decided"
    assert board["zone"] == "Europe/Paris"
    assert kpis(figures(rf, superuser))["today"] == 4  # UTC's day began at 00:00 UTC on the 20th


def test_median_time_to_decision_over_people_decisions_of_the_last_7_days(rf, tenant, other_tenant, tenant_admin):
    for took in (timedelta(hours=1), timedelta(hours=2), timedelta(hours=2, minutes=28), timedelta(hours=5)):
        decided(tenant, took)
    approval(  # rejected by a person counts too
        tenant,
        status="rejected",
        requested_at=NOW - timedelta(hours=2, minutes=10),
        rejected_at=NOW,
        resolved_at=NOW,
    )
    decided(tenant, timedelta(days=2), decided_automatically=True)  # an automatic decision
    decided(tenant, timedelta(minutes=1), at=NOW - timedelta(days=8))  # too long ago
    approval(tenant, status="expired", requested_at=NOW - timedelta(days=1), resolved_at=NOW)  # nobody decided
    decided(other_tenant, timedelta(minutes=1))

    # 1 h, 2 h, 2 h 10, 2 h 28, 5 h: the middle one.
    assert kpis(figures(rf, tenant_admin))["median"] == "2 h 10 min"


def test_median_of_an_even_count_is_halfway_between_the_middle_two(rf, tenant, tenant_admin):
    for took in (timedelta(hours=1), timedelta(hours=2), timedelta(hours=2, minutes=28), timedelta(hours=5)):
        decided(tenant, took)

    assert kpis(figures(rf, tenant_admin))["median"] == "2 h 14 min"


def test_no_decisions_gives_a_dash(rf, tenant_admin):
    assert kpis(figures(rf, tenant_admin)) == {"pending": 0, "breached": 0, "median": "—", "today": 0}


def test_conversations_are_counted_on_tenant_local_days(tenant, other_tenant, tenant_admin, outsider):
    conversation(tenant_admin, "whatsapp", datetime(2025, 3, 17, 23, 30, tzinfo=UTC))  # 18 March in Paris
    conversation(tenant_admin, "whatsapp", paris(2025, 3, 18, 12, 0))
    conversation(tenant_admin, "email", paris(2025, 3, 18, 23, 59))
    conversation(tenant_admin, "chat", paris(2025, 3, 21, 0, 10))  # today
    conversation(tenant_admin, "api", paris(2025, 3, 8, 0, 0))  # the first of the 14 days, at midnight
    conversation(tenant_admin, "api", paris(2025, 3, 7, 23, 59))  # just before the window
    conversation(outsider, "whatsapp", paris(2025, 3, 18, 12, 0))

    scoped = Conversation.objects.for_user(tenant_admin)
    per_day = conversations_per_day(scoped, start=paris(2025, 3, 8), zone=PARIS)

    assert per_day == {
        (datetime(2025, 3, 18).date(), "whatsapp"): 2,
        (datetime(2025, 3, 18).date(), "email"): 1,
        (datetime(2025, 3, 21).date(), "chat"): 1,
        (datetime(2025, 3, 8).date(), "api"): 1,
    }


def test_conversations_chart_draws_the_14_days(rf, tenant, tenant_admin, outsider):
    conversation(tenant_admin, "whatsapp", datetime(2025, 3, 17, 23, 30, tzinfo=UTC))
    conversation(tenant_admin, "whatsapp", paris(2025, 3, 18, 12, 0))
    conversation(tenant_admin, "email", paris(2025, 3, 21, 0, 10))
    conversation(tenant_admin, "api", paris(2025, 3, 7, 23, 0))  # 15 days ago
    conversation(outsider, "chat", paris(2025, 3, 18, 12, 0))

    board = figures(rf, tenant_admin, [{"models": [{"model": Conversation, "admin_url": "/admin/c/"}]}])
    chart = board["conversations_chart"]
    labels = json.loads(chart.data)["labels"]

    assert board["conversations_total"] == 3
    assert (labels[0], labels[-1], len(labels)) == ("8 Mar", "21 Mar", 14)
    assert series(chart) == {"WhatsApp": [0] * 10 + [2, 0, 0, 0], "Email": [0] * 13 + [1]}  # only channels with any
    options = json.loads(chart.options)
    assert options["plugins"]["tooltip"]["enabled"] and options["scales"]["y"]["stacked"]
    whatsapp_18 = json.loads(chart.links)[0][10]  # the bar opens that day's WhatsApp conversations
    assert whatsapp_18 == (
        "/admin/c/?channel__exact=whatsapp&started_at__gte=2025-03-17T23%3A00%3A00%2B00%3A00"
        "&started_at__lt=2025-03-18T23%3A00%3A00%2B00%3A00"
    )


def test_the_viewer_picks_the_days(rf, tenant_admin):
    conversation(tenant_admin, "chat", paris(2025, 2, 10, 12))
    board = figures(rf, tenant_admin, start="2025-02-01", end="2025-02-28")
    assert (board["start"], board["end"], board["note"]) == ("2025-02-01", "2025-02-28", "")
    assert len(json.loads(board["conversations_chart"].data)["labels"]) == 28
    assert board["conversations_total"] == 1
    for bad in ({"start": "yesterday"}, {"start": "2025-03-02", "end": "2025-03-01"}, {"start": "2024-01-01"}):
        refused = figures(rf, tenant_admin, **bad)
        assert refused["note"] and (refused["start"], refused["end"]) == ("2025-03-08", "2025-03-21")


def test_risk_levels_of_the_chosen_days(rf, tenant, other_tenant, tenant_admin):
    approval(tenant, risk_level="high")
    approval(tenant, risk_level="high", status="rejected")
    approval(tenant, risk_level="low", requested_at=NOW - timedelta(days=3))
    approval(tenant, risk_level="critical", requested_at=NOW - timedelta(days=15))  # before the 14 days
    approval(other_tenant, risk_level="critical")

    board = figures(rf, tenant_admin)

    assert board["risk_total"] == 3
    assert json.loads(board["risk_chart"].data)["labels"] == ["Low", "Medium", "High", "Critical"]
    assert series(board["risk_chart"]) == {"Pending": [1, 0, 1, 0], "Decided or closed": [0, 0, 1, 0]}


def test_busiest_agents_count_every_agent_that_answered(rf, tenant, other_tenant, tenant_admin, outsider):
    ads = AIAgent.objects.create(tenant=tenant, name="Acme Ads", agent_type="paid_ads")
    for _ in range(3):
        conv = conversation(tenant_admin, "whatsapp", NOW - timedelta(days=1), agent=ads)
        answered(conv, "paid_ads", NOW - timedelta(days=1))
        answered(conv, "paid_ads", NOW - timedelta(hours=20))  # twice in one conversation: counted once
    handed_on = conversation(tenant_admin, "chat", NOW - timedelta(days=2), agent=ads)  # last routed to Ads...
    answered(handed_on, "seo", NOW - timedelta(days=2))  # ...but SEO answered first: both count
    answered(handed_on, "paid_ads", NOW - timedelta(days=2))
    old = conversation(tenant_admin, "chat", NOW - timedelta(days=20))
    answered(old, "content", NOW - timedelta(days=20))  # before the 14 days
    for _ in range(5):
        answered(conversation(outsider, "email", NOW - timedelta(days=1)), "seo", NOW - timedelta(days=1))

    board = figures(rf, tenant_admin, [{"models": [{"model": Conversation, "admin_url": "/admin/c/"}]}])

    assert [(row["agent_type"], row["n"]) for row in board["agents"]] == [("paid_ads", 4), ("seo", 1)]
    chart = board["agents_chart"]
    assert json.loads(chart.data)["labels"] == ["Paid Ads", "SEO"]
    assert json.loads(chart.options)["indexAxis"] == "y"
    assert json.loads(chart.links)[0][1].startswith("/admin/c/?answered_by=seo&answered_since=2025-03-07T23")


def test_another_tenants_rows_are_never_counted(rf, other_tenant, tenant_admin, outsider):
    approval(other_tenant, sla_breached=True, risk_level="high")
    decided(other_tenant, timedelta(hours=1))
    answered(conversation(outsider, "whatsapp", NOW - timedelta(hours=1)), "seo", NOW - timedelta(hours=1))

    board = figures(rf, tenant_admin)

    assert kpis(board) == {"pending": 0, "breached": 0, "median": "—", "today": 0}
    assert (board["conversations_total"], board["conversations_chart"], board["risk_total"], board["agents"]) == (
        0,
        None,
        0,
        [],
    )
    assert kpis(figures(rf, outsider)) == {"pending": 1, "breached": 1, "median": "1 h", "today": 1}


def test_a_superuser_sees_every_tenant_in_utc(rf, tenant, other_tenant, tenant_admin, outsider, superuser):
    approval(tenant)
    approval(other_tenant)
    conversation(tenant_admin, "whatsapp", datetime(2025, 3, 17, 23, 30, tzinfo=UTC))
    conversation(outsider, "whatsapp", datetime(2025, 3, 17, 12, 0, tzinfo=UTC))

    board = figures(rf, superuser)

    assert (kpis(board)["pending"], board["scope"], board["zone"]) == (2, "All tenants", "UTC")
    assert series(board["conversations_chart"]) == {"WhatsApp": [0] * 10 + [2, 0, 0, 0]}  # 17 March in UTC


def test_cards_link_to_the_filtered_admin_lists_the_viewer_has(rf, tenant_admin):
    app_list = [
        {"models": [{"model": HITLApproval, "admin_url": "/admin/hitl/hitlapproval/"}]},
        {"models": [{"model": Conversation, "admin_url": None}]},  # listed, but the viewer may not open it
    ]
    board = figures(rf, tenant_admin, app_list)
    links = {kpi.key: kpi.href for kpi in board["kpis"]}

    assert links == {
        "pending": "/admin/hitl/hitlapproval/?status__exact=pending",
        "breached": "/admin/hitl/hitlapproval/?status__exact=pending&sla_breached__exact=1",
        "median": None,
        "today": "/admin/hitl/hitlapproval/?requested_at__gte=2025-03-20T23%3A00%3A00%2B00%3A00",  # Paris midnight
    }
    assert board["conversations_url"] is None
    pending_low, all_low = (links[0] for links in json.loads(board["risk_chart"].links))
    assert pending_low == (
        "/admin/hitl/hitlapproval/?risk_level__exact=low&status__exact=pending"
        "&requested_at__gte=2025-03-07T23%3A00%3A00%2B00%3A00&requested_at__lt=2025-03-21T23%3A00%3A00%2B00%3A00"
    )
    assert all_low.startswith("/admin/hitl/hitlapproval/?risk_level__exact=low&requested_at__gte=")
    assert figures(rf, tenant_admin)["kpis"][0].href is None  # no admin list at all: a plain card


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (timedelta(seconds=40), "< 1 min"),
        (timedelta(minutes=35, seconds=59), "35 min"),
        (timedelta(hours=2, minutes=14), "2 h 14 min"),
        (timedelta(hours=1, seconds=59), "1 h"),
        (timedelta(days=3, hours=4, minutes=50), "3 d 4 h"),
    ],
)
def test_format_duration(value, text):
    assert format_duration(value) == text


# --- The page ----------------------------------------------------------------------------


def dashboard_html(response) -> str:
    """The page from the dashboard's element on (the rest is unfold's scripts)."""
    html = response.content.decode()
    return html[html.index('data-live="dashboard"') :]


def kpi_values(html) -> dict:
    return dict(re.findall(r'data-kpi="(\w+)"[^>]*>([^<]*)<', html))


@pytest.mark.parametrize("viewer", ["tenant_admin", "approver"])
def test_the_dashboard_page_shows_the_figures(request, console_as, tenant, other_tenant, viewer):
    user = request.getfixturevalue(viewer)
    approval(tenant, sla_breached=True, risk_level="high")
    approval(tenant)
    approval(other_tenant)
    decided(tenant, timedelta(minutes=42))
    conversation(user, "whatsapp", NOW - timedelta(days=1))

    response = console_as(user).get(DASHBOARD)
    html = response.content.decode()
    board = dashboard_html(response)

    assert response.status_code == 200
    assert html.count('data-live="dashboard"') == 1
    assert kpi_values(board) == {
        "pending": "2",
        "breached": "1",
        "median": "42 min",
        "today": "2",
        "conversations": "1",
    }
    assert "No agent answered in this period." in board
    canvases = re.findall(r'<canvas class="chart"[^>]*data-type="(\w+)" data-value="([^"]*)"', board)
    assert [kind for kind, _ in canvases] == ["bar", "bar"]  # conversations, risk: unfold's Chart.js component
    for _, value in canvases:
        json.loads(html_lib.unescape(value))
    drills = re.findall(r'data-drill="([^"]*)"', board)
    assert len(drills) == 2 and all(isinstance(json.loads(html_lib.unescape(d)), list) for d in drills)
    assert "<svg" not in board  # the hand-drawn SVG charts are gone
    assert "http://" not in board and "https://" not in board
    assert "/static/admin/walker-charts.js" in html and "/static/unfold/js/chart/chart.js" in html
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/") for url in assets)


def test_the_dashboard_page_shows_empty_states(console_as, tenant_admin):
    board = dashboard_html(console_as(tenant_admin).get(DASHBOARD))

    assert kpi_values(board) == {"pending": "0", "breached": "0", "median": "—", "today": "0"}
    assert "No conversations in this period." in board
    assert "No approvals requested in this period." in board
    assert "<canvas" not in board


def test_members_do_not_reach_the_console(client, colleague):
    client.force_login(colleague)

    assert client.get("/admin/").status_code == 302
    assert client.get(DASHBOARD).status_code == 302


def test_dashboard_queries_are_few_and_do_not_grow_with_rows(
    console_as, tenant, tenant_admin, django_assert_max_num_queries
):
    client = console_as(tenant_admin)
    agent = AIAgent.objects.create(tenant=tenant, name="Acme Ads", agent_type="paid_ads")

    def seed(count):
        for i in range(count):
            approval(tenant, sla_breached=i % 2 == 0, risk_level=["low", "medium", "high", "critical"][i % 4])
            decided(tenant, timedelta(minutes=10 + i))
            conversation(tenant_admin, ["whatsapp", "email", "chat"][i % 3], NOW - timedelta(days=i % 14), agent)
        for _ in range(count):
            conversation(UserFactory(tenant=tenant), "api", NOW - timedelta(hours=1))

    seed(2)
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as few:
        assert client.get(DASHBOARD).status_code == 200
    seed(30)
    figures_changed(tenant.pk)  # as the aggregation job does after writing: the next read computes them again
    with CaptureQueriesContext(connection) as many:
        assert client.get(DASHBOARD).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)


def test_messages_no_attempt_could_answer_show_as_an_alert_card_linked_to_their_events(
    rf, time_machine, tenant, other_tenant, tenant_admin, superuser, console_as
):
    """An answer that failed every attempt (issue 29) is for someone to look into: a red card while any did this
    week, opening the events behind it."""
    assert "failed_answers" not in kpis(figures(rf, tenant_admin))  # nothing failed: no card
    time_machine.move_to(NOW - timedelta(days=8), tick=False)
    record(EventType.ANSWER_FAILED, tenant=tenant, attempts=3, error="older than a week")
    time_machine.move_to(NOW, tick=False)
    record(EventType.ANSWER_FAILED, tenant=tenant, attempts=3, error="IntegrityError: one_event_per_seq")
    record(EventType.ANSWER_FAILED, tenant=other_tenant, attempts=3, error="another tenant's")
    figures_changed(tenant.pk)  # the metrics job's next run, recomputing their conversations, refreshes the cache

    app_list = [{"models": [{"model": PlatformEvent, "admin_url": "/admin/analytics/platformevent/"}]}]
    (card,) = [kpi for kpi in figures(rf, tenant_admin, app_list)["kpis"] if kpi.key == "failed_answers"]
    assert (card.value, card.alert) == (1, True)
    assert card.href == (
        "/admin/analytics/platformevent/?event_type__exact=answer_failed&created_at__gte=2025-03-13T23%3A30%3A00%2B00%3A00"
    )
    assert kpis(figures(rf, superuser))["failed_answers"] == 2
    page = console_as(superuser).get(card.href)
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 2
