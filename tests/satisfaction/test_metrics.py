"""Ratings in the conversation metrics (`user_satisfaction_score`, who resolved it) and in the analytics report:
averages and distribution by agent, channel and holder; the dashboard's card; the conversation's admin page."""

import re

import pytest

from analytics.models import ConversationMetrics
from conversations import satisfaction
from conversations.delivery import display_name
from reports.conversation_metrics import recompute
from tenants.roles import Role
from tests.analytics.test_admin_pages import charts
from tests.factories import MessageFactory, UserFactory
from tests.satisfaction.conftest import conversation_on, resolve


def answered(conversation, agent_type):
    MessageFactory(conversation=conversation, direction="outbound", sender_type="agent",
                   metadata={"agent_type": agent_type}, text="On it")  # fmt: skip
    return conversation


@pytest.fixture
def rated(customer, support, tenant_admin):
    """Four conversations: three rated (by channel, agent and who resolved them), one asked and not rated."""
    plan = [  # channel, agent, resolved by, score
        ("chat", "paid_ads", support, 5),
        ("whatsapp", "paid_ads", support, 3),
        ("email", "seo", tenant_admin, 4),
        ("chat", "seo", tenant_admin, None),
    ]
    conversations = []
    for channel, agent, holder, score in plan:
        conversation = resolve(answered(conversation_on(channel, customer, holder), agent), holder)
        if score is not None:
            satisfaction.rate(conversation.satisfaction, score)
        conversations.append(conversation)
    recompute([c.pk for c in conversations])
    return conversations


def test_the_metrics_hold_the_rating_and_who_resolved_it(rated, support, tenant_admin):
    rows = {row.conversation_id: row for row in ConversationMetrics.objects.all()}
    assert [rows[c.pk].user_satisfaction_score for c in rated] == [5, 3, 4, None]
    assert [rows[c.pk].resolved_by for c in rated] == [support, support, tenant_admin, tenant_admin]


def report(api_as, viewer, group_by):
    response = api_as(viewer).get("/api/analytics/conversations/", {"group_by": group_by})
    assert response.status_code == 200, response.content
    body = response.json()
    return body["totals"], {group["key"]: group for group in body["groups"]}


def figures(group) -> tuple:
    return group["satisfaction_avg"], group["rated"], group["satisfaction_distribution"]


def dist(**counts) -> dict:
    return {str(score): counts.get(f"s{score}", 0) for score in range(1, 6)}


def test_the_report_averages_and_distributes_ratings_by_holder_channel_and_agent(api_as, rated, tenant_admin, support):
    totals, by_holder = report(api_as, tenant_admin, "holder")
    assert figures(totals) == (4.0, 3, dist(s3=1, s4=1, s5=1))
    assert figures(by_holder[str(support.pk)]) == (4.0, 2, dist(s3=1, s5=1))
    assert figures(by_holder[str(tenant_admin.pk)]) == (4.0, 1, dist(s4=1))
    assert by_holder[str(support.pk)]["name"] == "Support Smith"  # a name, never an address
    assert "@" not in str(by_holder)

    _, by_channel = report(api_as, tenant_admin, "channel")
    assert figures(by_channel["chat"]) == (5.0, 1, dist(s5=1))
    assert figures(by_channel["whatsapp"]) == (3.0, 1, dist(s3=1))
    assert figures(by_channel["email"]) == (4.0, 1, dist(s4=1))

    _, by_agent = report(api_as, tenant_admin, "agent")
    assert figures(by_agent["paid_ads"]) == (4.0, 2, dist(s3=1, s5=1))
    assert figures(by_agent["seo"]) == (4.0, 1, dist(s4=1))


def test_another_tenants_staff_see_none_of_the_ratings(api_as, rated, other_tenant):
    totals, groups = report(api_as, UserFactory(tenant=other_tenant, role=Role.ADMIN), "holder")
    assert (totals["rated"], groups) == (0, {})


def test_the_dashboard_shows_the_ratings_card(console_as, rated, tenant_admin):
    page = console_as(tenant_admin).get("/admin/dashboard/")
    (card,) = [kpi for kpi in page.context["dashboard"]["kpis"] if kpi.key == "satisfaction"]
    assert (card.value, card.note) == ("4.0 / 5", "3 rated of 4 asked, in the period")
    assert card.href.startswith("/admin/analytics/platformevent/?event_type__exact=satisfaction_rated")
    assert 'data-kpi="satisfaction"' in page.content.decode()


def test_the_conversation_page_shows_its_rating(console_as, rated, tenant_admin):
    first, *_, unrated = rated
    shown = console_as(tenant_admin).get(f"/admin/conversations/conversation/{first.pk}/change/").content.decode()
    assert "5 of 5, rated" in shown
    waiting = console_as(tenant_admin).get(f"/admin/conversations/conversation/{unrated.pk}/change/")
    assert "not rated yet" in waiting.content.decode()


def test_no_card_before_anyone_was_asked(console_as, tenant_admin):
    page = console_as(tenant_admin).get("/admin/dashboard/")
    assert "satisfaction" not in [kpi.key for kpi in page.context["dashboard"]["kpis"]]


def test_the_conversation_metrics_page_charts_the_ratings_by_channel_agent_and_holder(
    console_as, rated, tenant_admin, support
):
    page = console_as(tenant_admin).get("/admin/analytics/conversationmetrics/")
    titled = dict(zip(re.findall(r'data-chart-title="([^"]*)"', page.content.decode()), charts(page), strict=True))

    def ratings(title):
        chart = titled[title]
        assert chart["kind"] == "bar" and [d["label"] for d in chart["data"]["datasets"]] == ["1", "2", "3", "4", "5"]
        rows = chart["data"]["labels"]
        return {row: [d["data"][i] for d in chart["data"]["datasets"]] for i, row in enumerate(rows)}, chart

    by_channel, chart = ratings("Ratings by channel")
    assert by_channel == {"Chat": [0, 0, 0, 0, 1], "Email": [0, 0, 0, 1, 0], "WhatsApp": [0, 0, 1, 0, 0]}
    chat_fives = chart["links"][4][0]  # a bar opens the rows it counts
    assert "channel__exact=chat" in chat_fives and "user_satisfaction_score=5" in chat_fives
    assert console_as(tenant_admin).get(chat_fives).context["cl"].result_count == 1
    assert ratings("Ratings by agent")[0] == {"Paid Ads": [0, 0, 1, 0, 1], "SEO": [0, 0, 0, 1, 0]}
    by_holder = ratings("Ratings by who resolved it")[0]
    assert by_holder == {display_name(support): [0, 0, 1, 0, 1], display_name(tenant_admin): [0, 0, 0, 1, 0]}
