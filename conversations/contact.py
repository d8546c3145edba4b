"""The contact sidebar of a conversation's page: who the person is to the tenant's people (their name, role and
channels: every one they have written on), their verified numbers and address masked, their other conversations and
their approvals still open."""

from django.urls import reverse

from conversations.access import conversations_for
from conversations.models import Channel
from hitl.access import may_review
from hitl.models import ApprovalStatus, HITLApproval
from tenants.pii import mask

PAST_SHOWN = 5
OPEN = [ApprovalStatus.PENDING, ApprovalStatus.REVISING]  # still to be decided (revising: the agent is asked again)


def card(conversation, viewer) -> dict:
    person = conversation.user
    theirs = conversations_for(viewer).filter(user=person).order_by()
    past = theirs.exclude(pk=conversation.pk).order_by("-last_message_at")[:PAST_SHOWN]
    approvals = HITLApproval.objects.filter(
        tenant_id=conversation.tenant_id, requested_by=person, status__in=OPEN
    ).order_by("-requested_at")
    linked = may_review(viewer)  # who may open the approval queue gets links; support sees what is open
    return {
        "name": f"{person.first_name} {person.last_name}".strip() or mask(person.email),
        "role": person.get_role_display(),
        "email": mask(person.email),
        "channels": sorted(str(Channel(value).label) for value in theirs.values_list("channel", flat=True).distinct()),
        "numbers": [mask(phone.phone_number) for phone in person.phone_numbers.filter(verified=True)],
        "past": [
            (c.get_channel_display(), c.started_at, c.get_status_display(), _change(c))
            for c in past.only("pk", "channel", "status", "started_at")
        ],  # fmt: skip
        "past_total": theirs.count() - 1,
        "approvals": [
            (
                a.reference,
                mask(a.action_summary),
                reverse("admin:hitl_hitlapproval_change", args=[a.pk]) if linked else "",
            )
            for a in approvals[:PAST_SHOWN]
        ],
    }


def _change(conversation) -> str:
    return reverse("admin:conversations_conversation_change", args=[conversation.pk])
