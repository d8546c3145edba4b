"""Labels on a conversation, put by the people who may handle it; only their own tenant's labels."""

from django.db import transaction

from conversations.access import get_conversation_for_user
from conversations.models import Label
from conversations.takeover import TakeoverError
from tenants.access import Need


@transaction.atomic
def set_labels(conversation_id, *, actor, label_ids) -> list[Label]:
    """The conversation's labels become exactly these; an id that is no label of its tenant refuses all of them
    (`unknown_label`), so a label of another tenant is never put, nor told to exist."""
    conversation = get_conversation_for_user(actor, conversation_id, Need.HANDLE, for_update=True)
    wanted = {str(label_id) for label_id in label_ids}
    if not all(label_id.isdigit() for label_id in wanted):
        raise TakeoverError("unknown_label", "No such label.")
    labels = list(Label.objects.filter(tenant_id=conversation.tenant_id, pk__in=[int(i) for i in wanted]))
    if len(labels) != len(wanted):
        raise TakeoverError("unknown_label", "No such label.")
    conversation.labels.set(labels)
    return labels
