"""The long console lists work out each of their links once per page (core.admin_changelist): unfold asks for the
column headers, and each sortable column's ordering links, again for every row. Each row's checkbox and coloured
labels are rendered once a process, and the page stays the one unfold makes."""

import re

import pytest
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from unfold import utils as unfold_utils
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.views import ChangeList as UnfoldChangeList

from conversations.admin import ConversationAdmin
from core.admin_changelist import OncePerPageChangeListMixin, label_cell
from hitl.admin.approvals import RISK_COLOURS, STATUS_COLOURS, HITLApprovalAdmin
from tenants.roles import Role
from tests.page_budgets.test_pages_do_not_grow import fill

LISTS = {
    "the inbox": ("admin:conversations_conversation_changelist", ""),
    "the inbox, ordered by two columns": ("admin:conversations_conversation_changelist", "?o=3.-5"),
    "the approval queue": ("admin:hitl_hitlapproval_changelist", "?queue=all"),
}


@pytest.fixture
def links_made(monkeypatch):
    """How many query strings Django's ChangeList computed."""
    made = []
    computed = ChangeList.get_query_string

    def counted(self, new_params=None, remove=None):
        made.append((new_params, remove))
        return computed(self, new_params, remove)

    monkeypatch.setattr(ChangeList, "get_query_string", counted)
    return made


def without_tokens(page: bytes) -> bytes:
    """Each response masks its CSRF token afresh."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def opened(client, name, query) -> bytes:
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("shown", LISTS)
def test_a_page_of_more_rows_computes_no_more_links(console_as, tenant, staff, paid_ads, links_made, shown):
    client = console_as(staff[Role.ADMIN])
    name, query = LISTS[shown]
    fill(tenant, paid_ads, staff, 0, 2)
    opened(client, name, query)
    links_made.clear()
    opened(client, name, query)
    few = len(links_made)
    fill(tenant, paid_ads, staff, 2, 8)
    links_made.clear()
    opened(client, name, query)
    assert len(links_made) == few


@pytest.mark.parametrize("shown", LISTS)
def test_the_page_is_the_same_as_unfolds_own_list_makes_it(console_as, tenant, staff, paid_ads, monkeypatch, shown):
    client = console_as(staff[Role.ADMIN])
    name, query = LISTS[shown]
    fill(tenant, paid_ads, staff, 0, 4)
    once = opened(client, name, query)
    for admin_class in (ConversationAdmin, HITLApprovalAdmin):
        monkeypatch.setattr(admin_class, "get_changelist", lambda self, request, **kwargs: UnfoldChangeList)
    assert without_tokens(opened(client, name, query)) == without_tokens(once)


def unfolds_own_rows(monkeypatch):
    """Each row as unfold renders it: its checkbox, and the labels display(label=…) renders."""
    monkeypatch.setattr(OncePerPageChangeListMixin, "action_checkbox", ModelAdmin.action_checkbox)

    @display(description=HITLApprovalAdmin.risk.short_description, ordering="risk_score", label=RISK_COLOURS)
    def risk(self, obj):
        return obj.risk_level, obj.get_risk_level_display()

    @display(description=HITLApprovalAdmin.status_badge.short_description, ordering="status", label=STATUS_COLOURS)
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    monkeypatch.setattr(HITLApprovalAdmin, "risk", risk)
    monkeypatch.setattr(HITLApprovalAdmin, "status_badge", status_badge)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("shown", LISTS)
def test_the_rows_checkboxes_and_labels_are_unfolds(console_as, tenant, staff, paid_ads, monkeypatch, shown, language):
    staff[Role.ADMIN].language = language
    staff[Role.ADMIN].save(update_fields=["language"])
    client = console_as(staff[Role.ADMIN])
    name, query = LISTS[shown]
    fill(tenant, paid_ads, staff, 0, 4)
    ours = opened(client, name, query)
    assert ours.count(b'name="_selected_action"') == (4 if "approval" in shown else 0)  # the inbox has no actions
    unfolds_own_rows(monkeypatch)
    assert without_tokens(opened(client, name, query)) == without_tokens(ours)


def test_a_label_is_rendered_once_for_each_value_and_words(monkeypatch):
    rendered = []
    render = unfold_utils.render_to_string
    monkeypatch.setattr(unfold_utils, "render_to_string", lambda *a, **kw: rendered.append(a) or render(*a, **kw))
    label = label_cell(RISK_COLOURS)
    shown = [label("high", "High"), label("high", "High"), label("low", "Low"), label("high", "Alto")]
    assert len(rendered) == 3
    assert shown[0] == shown[1] == unfold_utils.display_for_label(("high", "High"), "", RISK_COLOURS)
    assert "High" in shown[0] and "Alto" in shown[3]
