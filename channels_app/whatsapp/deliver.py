"""Delivering Walker's messages on WhatsApp: conversation messages (replies, outcomes) and direct ones.

Conversation messages go through the Celery task `deliver_message`; direct messages
(approver notifications, verification codes) are sent by the caller's own task.
"""

from django.urls import reverse
from django.utils import translation

from channels_app.console.notices import publish_notice
from channels_app.whatsapp import send
from channels_app.whatsapp.models import TemplatePurpose
from conversations.delivery import as_sent
from conversations.models import Message
from conversations.services import mark_failed
from core.metrics import WHATSAPP_SEND_FAILURES, inc_on_commit
from hitl.models import HITLApproval
from hitl.notifying import told
from tenants.models import UserPhoneNumber


def recipient(message: Message) -> str | None:
    """The verified number the person last wrote from in this conversation, else their primary verified one."""
    last = (
        Message.objects.filter(conversation_id=message.conversation_id, direction=Message.Direction.INBOUND)
        .order_by("-created_at")
        .values_list("metadata", flat=True)
        .first()
    )
    verified = UserPhoneNumber.objects.filter(user_id=message.conversation.user_id, verified=True)
    if last and last.get("whatsapp_from_hash"):
        wrote_from = verified.filter(phone_hash=last["whatsapp_from_hash"]).values_list("phone_number", flat=True)
        if number := wrote_from.first():
            return number
    return verified.order_by("-is_primary", "created_at").values_list("phone_number", flat=True).first()


def _outcome_values(message: Message) -> dict:
    shown = ("action_summary", "action_type", "action_data", "language", "requested_by")
    approval = HITLApproval.objects.filter(pk=message.metadata.get("approval_id")).only(*shown).first()
    summary = ""
    if approval is not None:  # the requester's, as the outcome's text (hitl.notifying.announce)
        with translation.override(told.requesters_language(approval)):
            summary = approval.summary
    return {
        "reference": message.metadata.get("reference", ""),
        "status": message.metadata.get("status", ""),
        "summary": summary or "",
        "text": message.text,
    }


def deliver_message(message_id) -> None:
    """Send a stored outbound message once; WhatsApp's refusals and Twilio's final errors are recorded on it."""
    message = Message.objects.select_related("conversation").get(pk=message_id)
    if message.status != Message.Status.PENDING:
        return  # sent (or recorded as failed or blocked) by an earlier run of this task
    to = recipient(message)
    if to is None:
        block(message, "the person has no verified WhatsApp number")
        return
    outgoing = _outgoing(message, to)
    try:
        sids = send.send(outgoing)
    except send.Blocked as reason:
        block(message, str(reason))
        return
    except send.twilio_api.TwilioSendError as error:
        mark_failed(message, str(error))
        inc_on_commit(WHATSAPP_SEND_FAILURES, stage="refused")
        return
    Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
        status=Message.Status.SENT, channel_message_id=sids[0]
    )


def _outgoing(message: Message, to: str) -> send.Outgoing:
    is_outcome = bool(message.metadata.get("approval_id"))
    return send.Outgoing(
        tenant_id=message.tenant_id,
        to=to,
        text=as_sent(message),  # a person's first reply says who answers: WhatsApp shows no sender name
        purpose=TemplatePurpose.OUTCOME if is_outcome else None,
        values=_outcome_values(message) if is_outcome else {},
        message_id=message.pk,
    )


def refuse(message: Message) -> str | None:
    """Before a conversation message is queued (conversations.delivery.hand_over): why WhatsApp's rules forbid
    sending it now (no number, outside the 24-hour window with no fitting template), recorded as blocked exactly
    as `deliver_message` would; None when it may go."""
    to = recipient(message)
    reason = "the person has no verified WhatsApp number" if to is None else send.refusal(_outgoing(message, to))
    if reason:
        block(message, reason)
    return reason


def block(message: Message, reason: str) -> None:
    """WhatsApp's rules forbid the send: the message is kept as blocked with the reason, shown in the admin, and
    the tenant's admins, who can add a template, hear of it on the console's live feed."""
    mark_failed(message, f"blocked: {reason}", status=Message.Status.BLOCKED)
    inc_on_commit(WHATSAPP_SEND_FAILURES, stage="blocked")
    link = reverse("admin:conversations_conversation_change", args=[message.conversation_id])
    publish_notice(message.tenant_id, "whatsapp_blocked", f"A WhatsApp reply was not sent: {reason}.", link)


def give_up(message_id, error: Exception) -> None:
    """The delivery task ran out of retries."""
    message = Message.objects.filter(pk=message_id).first()
    if message is not None and message.status == Message.Status.PENDING:
        mark_failed(message, f"gave up after retries: {error}")
        inc_on_commit(WHATSAPP_SEND_FAILURES, stage="gave_up")


def send_direct(address: str, text: str, *, tenant_id, purpose=None, values=None, notification_id=None) -> str:
    """The registered direct sender: a message to one person outside any conversation; returns the first SID."""
    outgoing = send.Outgoing(
        tenant_id=tenant_id,
        to=address,
        text=text,
        purpose=purpose,
        values=values or {},
        notification_id=notification_id,
    )
    return send.send(outgoing)[0]
