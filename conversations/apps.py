from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from conversations import inbox_totals, tasks  # noqa: F401  (register Celery tasks in every process)
        from conversations.approval_excerpt import excerpt
        from conversations.models import Conversation
        from conversations.retention import erase_conversations, export_conversations
        from hitl.services.responses import register_reviser
        from hitl.timeline import register_excerpt
        from tenants.privacy.encrypted_columns import register_json_key
        from tenants.privacy.personal_data import register

        register(
            "conversations", label=_("Conversations"), export=export_conversations, erase=erase_conversations, order=10
        )
        register_json_key("conversations.ConversationEvent", "payload", "sealed_values")
        register_excerpt(excerpt)
        post_save.connect(inbox_totals.conversation_saved, sender=Conversation, dispatch_uid="inbox_totals.saved")
        post_delete.connect(inbox_totals.conversation_deleted, sender=Conversation, dispatch_uid="inbox_totals.deleted")
        register_reviser(lambda approval_id: tasks.revise_proposal.delay(approval_id))
