"""One rule for who sees conversations (conversations.access.conversations_for), whatever door asks: a member sees
their own, the roles that monitor (admin, support, compliance) see their tenant's, an approver only their own, and
nobody sees another tenant's (issue 32: the model's queryset once held a second rule, by role name)."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from conversations.access import conversations_for
from conversations.models import Conversation
from tenants.roles import Role
from tests.factories import ConversationFactory


@pytest.fixture
def conversations(staff, colleague, outsider):
    return {
        "colleague": ConversationFactory(user=colleague),
        "approver": ConversationFactory(user=staff[Role.APPROVER]),
        "member": ConversationFactory(user=staff[Role.MEMBER]),
        "other tenant": ConversationFactory(user=outsider),
    }


def _seen(user, conversations) -> set[str]:
    pks = set(conversations_for(user).values_list("pk", flat=True))
    return {name for name, conversation in conversations.items() if conversation.pk in pks}


def test_a_member_sees_their_own(conversations, colleague):
    assert _seen(colleague, conversations) == {"colleague"}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPPORT, Role.COMPLIANCE])
def test_the_roles_that_monitor_see_their_tenants(conversations, staff, role):
    assert _seen(staff[role], conversations) == {"colleague", "approver", "member"}


def test_an_approver_sees_only_their_own(conversations, staff):
    assert _seen(staff[Role.APPROVER], conversations) == {"approver"}


def test_another_tenants_admin_sees_only_theirs(conversations, outsider):
    assert _seen(outsider, conversations) == {"other tenant"}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPPORT, Role.COMPLIANCE])
def test_the_console_lists_what_the_rule_allows(conversations, staff, role):
    request = RequestFactory().get("/admin/conversations/conversation/")
    request.user = staff[role]
    listed = set(site._registry[Conversation].get_queryset(request).values_list("pk", flat=True))
    assert listed == set(conversations_for(staff[role]).values_list("pk", flat=True))
