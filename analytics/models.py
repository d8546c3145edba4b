import uuid

from django.conf import settings
from django.db import models

from tenants.scoping import TenantScopedQuerySet


class EventType(models.TextChoices):
    CONVERSATION_OPENED = "conversation_opened", "Conversation opened"
    CONVERSATION_CLOSED = "conversation_closed", "Conversation closed"
    MESSAGE_RECEIVED = "message_received", "Message received"
    AGENT_RESPONDED = "agent_responded", "Agent responded"
    ENGINE_ERROR = "engine_error", "Engine error"
    ACTION_REFUSED = "action_refused", "Action refused by the gateway"
    APPROVAL_REQUESTED = "approval_requested", "Approval requested"


class PlatformEvent(models.Model):
    """An append-only log of what happened; aggregates are computed from it by scheduled jobs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # Plain ids, not foreign keys: analytics sits below the apps whose rows it describes.
    conversation_id = models.UUIDField(null=True, blank=True)
    subject_id = models.UUIDField(null=True, blank=True, help_text="The message, approval or agent the event is about.")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "event_type", "created_at"]),
            models.Index(fields=["conversation_id", "created_at"]),
        ]

    def __str__(self):
        return f"{self.event_type} at {self.created_at:%Y-%m-%d %H:%M:%S}"
