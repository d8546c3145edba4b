"""The channels' models live in their sub-packages; Django finds them through this module."""

from channels_app.email.models import ProcessedInboundEmail  # noqa: F401
from channels_app.slack.models import SlackApprovalMessage, SlackUserLink, SlackWorkspace  # noqa: F401
from channels_app.whatsapp.models import (  # noqa: F401
    WhatsAppContact,
    WhatsAppReceipt,
    WhatsAppSend,
    WhatsAppSender,
    WhatsAppTemplate,
)
