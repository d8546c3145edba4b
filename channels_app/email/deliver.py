"""Emails of a conversation (agent replies, approval outcomes) and answers to inbound emails, as OutgoingEmails."""

import json

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from analytics.models import EmailDeliveryLog
from channels_app.email import send
from channels_app.email.providers import OutgoingEmail
from channels_app.email.threading import bracketed, headers_for, message_id_for, reply_address
from conversations.delivery import signed_as, signed_text
from conversations.models import Message, SatisfactionSurvey
from conversations.satisfaction import rating_url
from tenants import crypto
from tenants.languages import speaking
from tenants.privacy.sealing import seal_for_storage, unseal_from_storage

REPLY_FOOTER = _('Reply to this email to continue the conversation. Start with an agent\'s name ("SEO: …") to ask it.')
EmailType = EmailDeliveryLog.EmailType


RATE_LINK = _("Rate this conversation")


def render(subject: str, text: str, footer: str = "", link: str = "") -> tuple[str, str]:
    """The email's text and HTML; `link`, when given, is shown under the text as "Rate this conversation"."""
    context = {"subject": subject, "text": text, "footer": footer, "link": link, "link_text": RATE_LINK}
    return render_to_string("email/message.txt", context), render_to_string("email/message.html", context)


def sealed_subject(subject: str) -> dict:
    """An inbound email's subject as a message keeps it in its metadata: sealed like the message's text (the
    person's data in it encrypted beside it, `subject_values`), so it is in clear nowhere."""
    sealed, token = seal_for_storage(subject)
    return {"subject": sealed, **({"subject_values": token} if token else {})}


def subject_of(message: Message) -> str:
    """'Re: ' and the subject of the conversation's latest inbound email that had one."""
    row = (
        Message.objects.filter(conversation_id=message.conversation_id, direction=Message.Direction.INBOUND)
        .exclude(metadata__subject="")
        .filter(metadata__has_key="subject")
        .order_by("-created_at")
        .values_list("metadata__subject", "metadata__subject_values")
        .first()
    )
    latest = unseal_from_storage(row[0], row[1] or "") if row else ""
    if not latest:
        return "Walker"
    return latest if latest.lower().startswith("re:") else f"Re: {latest}"


def send_conversation_message(message_id) -> EmailDeliveryLog | None:
    """Email one stored outbound message to its conversation's person. Returns None if it was already handled."""
    message = Message.objects.select_related("conversation__user").get(pk=message_id)
    if message.status != Message.Status.PENDING:
        return None
    conversation = message.conversation
    subject = subject_of(message)
    with speaking(conversation.user):  # the person's language
        text, html = render(subject, signed_text(message), str(REPLY_FOOTER), link=_rating_link(message))
    email = OutgoingEmail(
        to=conversation.user.email,
        subject=subject,
        text=text,
        html=html,
        headers=headers_for(message),
        reply_to=reply_address(conversation),
        custom_args={"walker_message": str(message.pk)},
        from_name=signed_as(message),  # a person's reply comes from them, by name (and is signed: signed_text)
    )
    log = send.send(
        email,
        reference=f"message:{message.pk}",
        email_type=EmailType.OUTCOME if message.metadata.get("approval_id") else EmailType.REPLY,
        tenant_id=message.tenant_id,
        user_id=conversation.user_id,
    )
    Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
        status=Message.Status.SENT,
        channel_message_id=message_id_for(message),
        metadata={**message.metadata, "provider": log.provider, "provider_message_id": log.message_id},
    )
    return log


def _rating_link(message: Message) -> str:
    """A satisfaction ask carries its signed rating link, made as it is sent (the stored text holds no token)."""
    survey_id = (message.metadata or {}).get("satisfaction_survey")
    survey = SatisfactionSurvey.objects.filter(pk=survey_id).first() if survey_id else None
    return rating_url(survey) if survey is not None else ""


def seal_answer(payload: dict) -> str:
    """An answer as its task carries it through the broker: encrypted, since it names who it goes to."""
    return crypto.encrypt(json.dumps(payload))


def open_answer(sealed: str) -> dict:
    return json.loads(crypto.decrypt(sealed))


def send_answer(payload: dict) -> EmailDeliveryLog:
    """An answer to an inbound email outside any conversation (a command's outcome, an unknown sender)."""
    text, html = render(payload["subject"], payload["text"])
    headers = {"Auto-Submitted": "auto-replied"}  # so auto-responders do not answer back
    if payload.get("in_reply_to"):
        headers["In-Reply-To"] = bracketed(payload["in_reply_to"])
        headers["References"] = " ".join(bracketed(mid) for mid in payload["references"][-20:])
    email = OutgoingEmail(to=payload["to"], subject=payload["subject"], text=text, html=html, headers=headers)
    return send.send(
        email,
        reference=payload["reference"],
        email_type=payload["email_type"],
        tenant_id=payload.get("tenant_id"),
        user_id=payload.get("user_id"),
    )
