"""Who may take a conversation over: admin and support of its own tenant; nobody else. Who may end a hold someone
else has: an admin of the tenant, not a colleague."""

import pytest

from conversations import takeover
from conversations.access import handlers_for, may_handle, may_take_from
from conversations.models import Conversation
from tenants.access import AccessDenied
from tenants.roles import Role

pytestmark = pytest.mark.shape_neutral("who may do what: the same permission checks on either database")


@pytest.mark.parametrize(
    "role, allowed",
    [(Role.ADMIN, True), (Role.SUPPORT, True), (Role.APPROVER, False), (Role.COMPLIANCE, False), (Role.MEMBER, False)],
)
def test_only_admin_and_support_may_take_over(chatting, staff, role, allowed):
    person = staff[role]
    assert may_handle(person, chatting) is allowed
    if allowed:
        takeover.assign(chatting.pk, actor=person)
        assert Conversation.objects.get(pk=chatting.pk).held_by == person
    else:
        with pytest.raises(AccessDenied) as refused:
            takeover.assign(chatting.pk, actor=person)
        # Approvers and members do not see the tenant's conversations at all (404, as everywhere); compliance
        # sees them but may not handle them (403).
        assert refused.value.code == ("forbidden" if role == Role.COMPLIANCE else "not_found")
        assert Conversation.objects.get(pk=chatting.pk).held_by is None


def test_another_tenants_admin_finds_no_such_conversation(chatting, outsider):
    assert not may_handle(outsider, chatting)
    with pytest.raises(AccessDenied) as refused:
        takeover.assign(chatting.pk, actor=outsider)
    assert refused.value.code == "not_found"


def test_a_platform_superuser_sees_but_does_not_answer_a_tenants_customers(chatting, superuser):
    with pytest.raises(AccessDenied) as refused:
        takeover.assign(chatting.pk, actor=superuser)
    assert refused.value.code == "forbidden"


def test_assignees_are_the_tenants_active_admins_and_support(chatting, staff, outsider):
    staff[Role.ADMIN].is_active = False
    staff[Role.ADMIN].save()
    assert handlers_for(chatting) == [staff[Role.SUPPORT]]


@pytest.mark.parametrize("role", [Role.APPROVER, Role.COMPLIANCE, Role.MEMBER])
def test_assigning_to_someone_without_the_right_is_refused(chatting, staff, support, role):
    with pytest.raises(takeover.TakeoverError) as refused:
        takeover.assign(chatting.pk, actor=support, to=staff[role].pk)
    assert refused.value.code == "ineligible_assignee"
    assert Conversation.objects.get(pk=chatting.pk).held_by is None


def test_assigning_to_another_tenants_support_is_refused(chatting, support, other_tenant):
    from tests.factories import UserFactory

    theirs = UserFactory(tenant=other_tenant, role=Role.SUPPORT)
    with pytest.raises(takeover.TakeoverError) as refused:
        takeover.assign(chatting.pk, actor=support, to=theirs.pk)
    assert refused.value.code == "ineligible_assignee"


HOLD_ENDING_STEPS = {
    "release": lambda conversation, actor, colleague: takeover.release(conversation.pk, actor=actor),
    "resolve": lambda conversation, actor, colleague: takeover.resolve(conversation.pk, actor=actor),
    "assign": lambda conversation, actor, colleague: takeover.assign(conversation.pk, actor=actor, to=colleague.pk),
}


@pytest.mark.parametrize("step", HOLD_ENDING_STEPS)
def test_a_colleagues_hold_is_ended_only_by_them_or_an_admin(chatting, staff, support, support2, step):
    """Issue 29: support2 could hand back a conversation support held."""
    takeover.assign(chatting.pk, actor=support)
    assert not may_take_from(support2, chatting_now(chatting))
    with pytest.raises(takeover.TakeoverError) as refused:
        HOLD_ENDING_STEPS[step](chatting, support2, staff[Role.ADMIN])
    assert (refused.value.code, refused.value.detail) == (
        "forbidden",
        "Support Smith holds this conversation: only they or an admin may hand it back, pass it on or resolve it.",
    )
    held = chatting_now(chatting)
    assert (held.held_by, held.is_open) == (support, True)

    for allowed in (staff[Role.ADMIN], support):  # an admin, and the holder
        assert may_take_from(allowed, held)
    HOLD_ENDING_STEPS[step](chatting, staff[Role.ADMIN], support2)
    assert chatting_now(chatting).held_by == (support2 if step == "assign" else None)


def test_the_holder_hands_back_their_own_and_anyone_may_act_on_an_unheld_one(chatting, support, support2):
    assert may_take_from(support2, chatting)  # nobody holds it
    takeover.assign(chatting.pk, actor=support)
    takeover.release(chatting.pk, actor=support)
    assert chatting_now(chatting).held_by is None
    takeover.resolve(chatting.pk, actor=support2)
    assert not chatting_now(chatting).is_open


def chatting_now(conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)
