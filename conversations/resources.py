"""What the conversations' CSV export holds: personal data masked as the viewer sees it in the admin.

Masked with tenants.pii.mask unless the export is built with `reveal=True`, which only a
holder of the tenant's view_pii may ask for (and which is recorded as a reveal).
"""

from django.utils import timezone
from import_export import fields

from conversations.models import Conversation
from conversations.privacy import message_text
from tenants.exports import ReadableResource
from tenants.pii import mask


class ConversationResource(ReadableResource):
    person = fields.Field(column_name="person")
    agent = fields.Field(attribute="agent__name", column_name="agent")
    messages = fields.Field(column_name="messages")
    transcript = fields.Field(column_name="transcript")

    class Meta:
        model = Conversation
        fields = [
            "id", "channel", "status", "agent", "person", "started_at", "last_message_at", "ended_at", "messages",
            "transcript",
        ]  # fmt: skip
        export_order = fields

    def __init__(self, *, reveal: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.reveal = reveal

    def _shown(self, text: str) -> str:
        return text if self.reveal else mask(text)

    def dehydrate_person(self, conversation):
        return self._shown(conversation.user.email)

    def dehydrate_messages(self, conversation):
        return len(conversation.messages.all())

    def dehydrate_transcript(self, conversation):
        return "\n".join(
            f"{timezone.localtime(m.created_at).isoformat(timespec='minutes')} {m.get_sender_type_display()}: "
            f"{message_text(m, revealed=self.reveal)}"
            for m in conversation.messages.all()
        )

    @staticmethod
    def prepared(queryset):
        """The queryset with what each row reads, fetched a chunk at a time."""
        return queryset.select_related("user", "agent").prefetch_related("messages").order_by("-started_at", "pk")
