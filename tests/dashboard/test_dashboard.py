"""The admin index dashboard: its figures, its tenant scoping, its SVG and its cost in queries."""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import AIAgent
from analytics.charts import Bar, Series, bar_list, nice_ticks, stacked_bars
from analytics.dashboard import conversations_per_day, dashboard_callback, format_duration
from conversations.models import Conversation
from hitl.models import HITLApproval
from tests.factories import UserFactory

PARIS = ZoneInfo("Europe/Paris")
# 23:30 UTC on 20 March is already 00:30 on 21 March in Paris (the test tenant's zone, UTC+1 then).
NOW = datetime(2025, 3, 20, 23, 30, tzinfo=UTC)
_references = itertools.count(100_000)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def approval(tenant, *, status="pending", requested_at=NOW, **fields):
    """An approval row as the services would leave it; status and requested_at are set past their guards."""
    row = HITLApproval.objects.create(
        tenant=tenant,
        reference=f"BR-{next(_references)}",
        agent_type="paid_ads",
        action_type="set_budget",
        action_summary="Raise Summer Sale daily budget",
        **fields,
    )
    HITLApproval.objects.filter(pk=row.pk).update(status=status, requested_at=requested_at)
    return row


def decided(tenant, took: timedelta, *, at=NOW - timedelta(hours=1), **fields):
    """An approval a person approved `took` after it was requested, decided `at`."""
    return approval(tenant, status="approved", requested_at=at - took, approved_at=at, resolved_at=at, **fields)


def conversation(user, channel, started_at, agent=None):
    return Conversation.objects.create(
        tenant=user.tenant, user=user, channel=channel, started_at=started_at, agent=agent
    )


def figures(rf, user, app_list=()):
    request = rf.get("/admin/")
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

    board = figures(rf, tenant_admin)
    svg = ET.fromstring(str(board["conversations_chart"]))

    assert board["conversations_total"] == 3
    bars = [rect.findtext("title") for rect in svg.iter("rect") if rect.find("title") is not None]
    assert bars == ["18 Mar · WhatsApp: 2", "Today · Email: 1"]
    days = [text.text for text in svg.iter("text") if text.get("y") == "250"]
    assert days[0] == "8 Mar" and days[-1] == "Today" and len(days) == 14
    legend = [text.text for text in svg.iter("text") if text.get("y") == "17"]
    assert legend == ["WhatsApp", "Email"]  # only channels with conversations, in channel order


def test_risk_levels_of_the_last_7_days(rf, tenant, other_tenant, tenant_admin):
    approval(tenant, risk_level="high")
    approval(tenant, risk_level="high", status="rejected")
    approval(tenant, risk_level="low", requested_at=NOW - timedelta(days=3))
    approval(tenant, risk_level="critical", requested_at=NOW - timedelta(days=8))  # too long ago
    approval(other_tenant, risk_level="critical")

    board = figures(rf, tenant_admin)
    svg = ET.fromstring(str(board["risk_chart"]))

    assert board["risk_total"] == 3
    rows = [group.findtext("title") for group in svg.findall("g")]
    assert rows == ["Low: 1 · 1 pending", "Medium: 0", "High: 2 · 1 pending", "Critical: 0"]


def test_busiest_agents_by_conversations_of_the_last_7_days(rf, tenant, other_tenant, tenant_admin, outsider):
    seo = AIAgent.objects.get(is_system_agent=True, agent_type="seo")
    ads = AIAgent.objects.create(tenant=tenant, name="Acme <Ads> & Co", agent_type="paid_ads")
    for _ in range(3):
        conversation(tenant_admin, "whatsapp", NOW - timedelta(days=1), agent=ads)
    conversation(tenant_admin, "chat", NOW - timedelta(days=2), agent=seo)
    conversation(tenant_admin, "chat", NOW - timedelta(days=9), agent=seo)  # too long ago
    conversation(tenant_admin, "chat", NOW - timedelta(days=1))  # no agent
    for _ in range(5):
        conversation(outsider, "email", NOW - timedelta(days=1), agent=seo)

    board = figures(rf, tenant_admin)
    svg = ET.fromstring(str(board["agents_chart"]))

    assert [(row["agent__name"], row["n"]) for row in board["agents"]] == [("Acme <Ads> & Co", 3), (seo.name, 1)]
    assert [group.findtext("title") for group in svg.findall("g")] == ["Acme <Ads> & Co: 3", f"{seo.name}: 1"]


def test_another_tenants_rows_are_never_counted(rf, other_tenant, tenant_admin, outsider):
    approval(other_tenant, sla_breached=True, risk_level="high")
    decided(other_tenant, timedelta(hours=1))
    conversation(outsider, "whatsapp", NOW - timedelta(hours=1), agent=AIAgent.objects.filter(is_system_agent=True)[0])

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
    svg = ET.fromstring(str(board["conversations_chart"]))

    assert (kpis(board)["pending"], board["scope"], board["zone"]) == (2, "All tenants", "UTC")
    assert [rect.findtext("title") for rect in svg.iter("rect") if rect.find("title") is not None] == [
        "17 Mar · WhatsApp: 2"
    ]


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
        "today": "/admin/hitl/hitlapproval/?requested_at__gte=2025-03-21T00%3A00%3A00%2B01%3A00",
    }
    assert board["conversations_url"] is None
    risk_link = (
        "/admin/hitl/hitlapproval/?risk_level__exact=low&amp;requested_at__gte=2025-03-13T23%3A30%3A00%2B00%3A00"
    )
    assert f'<a href="{risk_link}">' in str(board["risk_chart"])
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


# --- SVG ---------------------------------------------------------------------------------


def test_svg_is_well_formed_escaped_and_self_contained():
    hostile = "<script>alert('x')</script> & \"quotes\""
    charts = [
        stacked_bars(
            ["1 Mar", hostile], [Series(hostile, "#22c55e", [1, 3]), Series("Email", "#3b82f6", [0, 2])], title=hostile
        ),
        bar_list([Bar(hostile, 4, "#ef4444", href="/admin/x/?a=1&b=<2>", detail=hostile)], title=hostile),
    ]
    for chart in charts:
        svg = ET.fromstring(str(chart))
        assert (svg.tag, svg.get("role"), svg.get("aria-label"), svg.findtext("title")) == (
            "svg",
            "img",
            hostile,
            hostile,
        )
        assert "<script" not in str(chart) and "http" not in str(chart)
    assert ET.fromstring(str(charts[1])).find("a").get("href") == "/admin/x/?a=1&b=<2>"


def test_stacked_bars_scale_to_round_gridlines():
    svg = ET.fromstring(str(stacked_bars(["a", "b"], [Series("Chat", "#8b5cf6", [9, 4])], title="t")))
    gridlines = [text.text for text in svg.iter("text") if text.get("text-anchor") == "end"]
    heights = [float(rect.get("height")) for rect in svg.iter("rect") if rect.find("title") is not None]

    assert gridlines == ["0", "5", "10"]
    assert heights[0] / heights[1] == pytest.approx(9 / 4)
    assert nice_ticks(0) == [0, 1] and nice_ticks(41) == [0, 20, 40, 60]


# --- The page ----------------------------------------------------------------------------


def dashboard_html(response) -> str:
    """The page from the dashboard's element on (the rest is unfold's scripts)."""
    html = response.content.decode()
    return html[html.index('data-live="dashboard"') :]


def kpi_values(html) -> dict:
    return dict(re.findall(r'data-kpi="(\w+)"[^>]*>([^<]*)<', html))


@pytest.mark.parametrize("viewer", ["tenant_admin", "approver"])
def test_index_shows_the_dashboard(request, console_as, tenant, other_tenant, viewer):
    user = request.getfixturevalue(viewer)
    approval(tenant, sla_breached=True, risk_level="high")
    approval(tenant)
    approval(other_tenant)
    decided(tenant, timedelta(minutes=42))
    conversation(user, "whatsapp", NOW - timedelta(days=1))

    response = console_as(user).get("/admin/")
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
    assert "No agent conversations in the last 7 days." in board
    for svg in re.findall(r"<svg\b.*?</svg>", board, flags=re.S):
        ET.fromstring(svg)
    assert "http://" not in board and "https://" not in board
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/") for url in assets)


def test_index_shows_empty_states(console_as, tenant_admin):
    board = dashboard_html(console_as(tenant_admin).get("/admin/"))

    assert kpi_values(board) == {"pending": "0", "breached": "0", "median": "—", "today": "0"}
    assert "No conversations in the last 14 days." in board
    assert "No approvals requested in the last 7 days." in board
    assert "<svg" not in board


def test_members_do_not_reach_the_console(client, colleague):
    client.force_login(colleague)

    assert client.get("/admin/").status_code == 302


def test_index_queries_are_few_and_do_not_grow_with_rows(
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
        assert client.get("/admin/").status_code == 200
    seed(30)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/").status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)
