"""The long console lists work out each of their links once per page (core.admin_changelist): unfold asks for the
column headers, and each sortable column's ordering links, again for every row."""

import re

import pytest
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from unfold.views import ChangeList as UnfoldChangeList

from conversations.admin import ConversationAdmin
from hitl.admin.approvals import HITLApprovalAdmin
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
