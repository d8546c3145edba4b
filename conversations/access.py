"""Who may see and do what with a conversation: the one rule for the admin, the API, chat and exports.

- view: the person the conversation is with; and the tenant's staff roles that monitor conversations
  (admin, support, compliance: the role's `view_conversation`).
- write: only the person the conversation is with.
- handle (take over, reply as themselves, note, assign, release, resolve): people of the conversation's own
  tenant whose role holds `handle_conversation` (admin and support). A platform superuser is nobody's staff
  and does not answer a tenant's customers; neither does anyone of another tenant. A hold someone has is
  ended (released, resolved) or passed on (assigned) only by its holder or an admin of the tenant, who
  manages its people (`may_take_from`).
- reveal: personal data unmasked, for holders of django-guardian's `view_pii` on the tenant. The person
  the conversation is with always sees their own words (`shows_unmasked`).
"""

from conversations.models import Conversation
from tenants.access import MANAGE_PEOPLE, AccessDenied, Need, is_signed_in
from tenants.models import User
from tenants.privacy.audit import may_see_pii
from tenants.roles import HANDLE_CONVERSATIONS, ROLE_MODEL_PERMISSIONS

MONITOR = "conversations.view_conversation"


def may_monitor(user) -> bool:
    """Whether `user` may read the tenant's conversations, not only their own."""
    return is_signed_in(user) and (user.is_superuser or (user.tenant_id is not None and user.has_perm(MONITOR)))


def may_handle(user, conversation: Conversation | None = None) -> bool:
    """Whether `user` may take over and answer the conversations of their tenant (of `conversation`'s, if given)."""
    return (
        is_signed_in(user)
        and user.tenant_id is not None
        and (conversation is None or conversation.tenant_id == user.tenant_id)
        and user.has_perm(HANDLE_CONVERSATIONS)
    )


def may_take_from(user, conversation: Conversation) -> bool:
    """Whether `user` may end or pass on the hold a person has on `conversation` (release, resolve, assign it on):
    its holder, or an admin of the tenant; for a conversation nobody holds, whoever may handle it."""
    if not may_handle(user, conversation):
        return False
    return conversation.held_by_id in (None, user.pk) or user.has_perm(MANAGE_PEOPLE, conversation.tenant)


def handlers_for(conversation: Conversation) -> list[User]:
    """The people a conversation may be assigned to: its tenant's active people who may handle it."""
    roles = [role for role, perms in ROLE_MODEL_PERMISSIONS.items() if HANDLE_CONVERSATIONS in perms]
    people = User.objects.filter(tenant_id=conversation.tenant_id, role__in=roles, is_active=True, is_superuser=False)
    return [person for person in people if may_handle(person, conversation)]


def conversations_for(user):
    """The conversations `user` may see."""
    if not is_signed_in(user):
        return Conversation.objects.none()
    conversations = Conversation.objects.for_user(user)
    return conversations if may_monitor(user) else conversations.filter(user=user)


def may(user, need: Need, conversation: Conversation) -> bool:
    """Whether `user`, who can see `conversation`, may do `need` with it."""
    if need == Need.VIEW:
        return True
    if need == Need.WRITE:
        return conversation.user_id == user.pk
    if need == Need.REVEAL:
        return may_see_pii(user, conversation.tenant)
    if need == Need.HANDLE:
        return may_handle(user, conversation)
    return False


def shows_unmasked(user, conversation: Conversation) -> bool:
    """The person a conversation is with reads it as they wrote it; anyone else sees it masked unless revealing."""
    return conversation.user_id == user.pk


def get_conversation_for_user(user, conversation_id, need: Need = Need.VIEW, *, for_update=False):
    """The conversation if `user` may `need` it: `not_found` outside what they may see, `forbidden` otherwise."""
    conversations = conversations_for(user).select_related("tenant")
    if for_update:
        conversations = conversations.select_for_update(no_key=True, of=("self",))
    conversation = conversations.filter(pk=conversation_id).first()
    if conversation is None:
        raise AccessDenied("not_found", "No such conversation.")
    if not may(user, need, conversation):
        raise AccessDenied("forbidden", f"You may not {Need(need).label} this conversation.")
    return conversation
