"""Platform events for what the channel and pipeline code changes by saving rows.

Handoffs and channel failures happen inside code other modules own (the pipeline
switches a conversation's agent; a channel's sender marks a message failed). Both are
saved through the ORM, so these receivers record them without a statement on the
ordinary path: a conversation costs one more INSERT only when its agent changes, a
message only when it fails. Callers that use QuerySet.update() bypass them and must
call analytics.events.record themselves.
"""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from analytics.events import record
from analytics.models import EventType
from conversations.models import Conversation, Message
from tenants.pii import redact


@receiver(post_init, sender=Conversation)
def remember_agent(sender, instance, **kwargs):
    instance._loaded_agent_id = instance.__dict__.get("agent_id")


@receiver(post_save, sender=Conversation)
def record_handoff(sender, instance, created, update_fields=None, **kwargs):
    before = getattr(instance, "_loaded_agent_id", None)
    now = instance.agent_id
    instance._loaded_agent_id = now
    if created or before is None or now is None or before == now:
        return
    if update_fields is not None and "agent" not in update_fields:
        return
    record(
        EventType.HANDOFF,
        tenant=instance.tenant_id,
        conversation_id=instance.pk,
        subject_id=now,
        from_agent_id=str(before),
        to_agent_id=str(now),
    )


@receiver(post_init, sender=Message)
def remember_status(sender, instance, **kwargs):
    instance._loaded_status = instance.__dict__.get("status")


@receiver(post_save, sender=Message)
def record_channel_failure(sender, instance, created, update_fields=None, **kwargs):
    before = None if created else getattr(instance, "_loaded_status", None)
    instance._loaded_status = instance.status
    if instance.status != Message.Status.FAILED or before == Message.Status.FAILED:
        return
    record(
        EventType.CHANNEL_FAILURE,
        tenant=instance.tenant_id,
        conversation_id=instance.conversation_id,
        subject_id=instance.pk,
        channel=instance.channel,
        error=redact(instance.error)[:300],
    )
