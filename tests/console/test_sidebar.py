"""The console's sidebar is organised by the work (issue 50): its groups in order, each role only its entries, and
every admin list reachable from it."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from config.sidebar import SIDEBAR


def shown(client) -> dict[str, list[str]]:
    """The sidebar the page rendered: each group's title -> the titles of the entries the viewer may open."""
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    groups = {}
    for group in page.context["sidebar_navigation"]:
        titles = [str(item["title"]) for item in group["items"] if item["has_permission"]]
        if titles:
            groups[str(group["title"])] = titles
    return groups


def links(client) -> set[str]:
    navigation = client.get(reverse("admin:index")).context["sidebar_navigation"]
    return {item["link"] for group in navigation for item in group["items"] if item["has_permission"]}


def test_groups_come_in_the_order_of_the_work():
    assert [str(group.title) for group in SIDEBAR] == [
        "Inbox",
        "Approvals",
        "Conversations",
        "Reports",
        "Marketing data",
        "Automation",
        "Settings",
        "Platform",
    ]


MARKETING = [
    "AI agents",
    "Campaigns",
    "Campaign daily stats",
    "Keyword rankings",
    "Target keywords",
    "Content pieces",
    "Audience segments",
]


def test_a_tenant_admin_sees_every_group_but_the_platforms(console_as, staff):
    assert shown(console_as(staff["admin"])) == {
        "Inbox": ["My work"],
        "Approvals": [
            "Approval queue", "Standing approvals", "Changes made on platforms", "Changes outside Walker",
            "Platform recommendations",
        ],
        "Conversations": [
            "Conversations", "Messages", "Labels", "Canned responses", "WhatsApp sends", "Email delivery log",
        ],
        "Reports": [
            "Dashboard", "Approval analytics", "Did it pay off", "Conversation metrics", "Event log", "Access log",
            "Tool call audits",
        ],
        "Marketing data": MARKETING,
        "Automation": [
            "Workflows", "Risk policies", "Action types", "Ad guardrails", "Performance rules", "Rule firings",
            "Alert rules", "Alert incidents",
        ],
        "Settings": [
            "Tenants", "People", "Invitations", "User phone numbers", "User email preferences",
            "Ad platform connections", "WhatsApp numbers", "WhatsApp templates", "Slack workspaces",
            "Warehouse destinations", "Engine choices", "Single sign-on providers", "Integration tokens",
            "Subject requests",
        ],
    }  # fmt: skip


def test_an_approver_sees_approvals_and_what_they_decide_on(console_as, staff):
    assert shown(console_as(staff["approver"])) == {
        "Inbox": ["My work"],
        "Approvals": [
            "Approval queue",
            "Standing approvals",
            "Changes made on platforms",
            "Changes outside Walker",
            "Platform recommendations",
        ],
        "Reports": ["Dashboard", "Approval analytics", "Did it pay off"],
        "Marketing data": MARKETING,
        "Automation": ["Workflows", "Ad guardrails"],
        "Settings": ["Tenants", "Integration tokens"],
    }


def test_support_sees_conversations_and_no_approvals(console_as, staff):
    assert shown(console_as(staff["support"])) == {
        "Inbox": ["My work"],
        "Conversations": ["Conversations", "Messages", "Labels", "Canned responses", "Email delivery log"],
        "Reports": ["Dashboard", "Conversation metrics"],
        "Marketing data": MARKETING,
        "Settings": ["Tenants", "Integration tokens"],
    }


def test_compliance_sees_records_and_audits_and_no_settings_to_change(console_as, staff):
    assert shown(console_as(staff["compliance"])) == {
        "Inbox": ["My work"],
        "Approvals": [
            "Approval queue", "Standing approvals", "Changes made on platforms", "Changes outside Walker",
            "Platform recommendations",
        ],
        "Conversations": ["Conversations", "Messages", "Email delivery log"],
        "Reports": [
            "Dashboard", "Approval analytics", "Did it pay off", "Conversation metrics", "Event log", "Access log",
            "Tool call audits",
        ],
        "Marketing data": MARKETING,
        "Automation": ["Ad guardrails"],
        "Settings": ["Tenants", "Integration tokens", "Subject requests"],
    }  # fmt: skip


def test_a_member_is_refused_the_console_and_its_sidebar(client, staff):
    client.force_login(staff["member"])
    page = client.get(reverse("admin:index"))
    assert page.status_code == 302 and "/login/" in page["Location"]
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_sidebar_does_not_offer_the_app_list_by_django_app(console_as, staff):
    html = console_as(staff["admin"]).get(reverse("admin:index")).content.decode()
    assert "All applications" not in html
    assert "Site administration" not in html


def _admin_lists(user) -> set[str]:
    """Every admin list `user` may open, as Django's app list gives them (all registered ModelAdmins, for a
    superuser)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return {model["admin_url"] for app in admin.site.get_app_list(request) for model in app["models"]}


@pytest.mark.parametrize("viewer", ["superuser", "tenant_admin"])
def test_every_admin_list_the_viewer_may_open_is_in_the_sidebar(request, console_as, viewer):
    user = request.getfixturevalue(viewer)
    expected = _admin_lists(user)
    assert len(expected) > (50 if viewer == "superuser" else 35)
    assert expected - links(console_as(user)) == set()


def test_each_entry_is_a_registered_admin_list_named_once():
    entries = [entry.model for group in SIDEBAR for entry in group.entries if entry.model]
    assert len(entries) == len(set(entries))
    assert all(admin.site.is_registered(apps.get_model(label)) for label in entries)
