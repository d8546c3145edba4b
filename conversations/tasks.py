from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from conversations.models import ConversationEvent


@shared_task(expires=3600)
def prune_chat_events() -> int:
    """Delete chat events past the replay window; conversations and messages are untouched."""
    cutoff = timezone.now() - timedelta(days=settings.CHAT_EVENT_RETENTION_DAYS)
    deleted, _ = ConversationEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
