"""What an inbound WhatsApp message is, once its signature and form are checked, and where it goes.

- to a number no tenant uses: refused (404);
- from a phone no active person of that tenant has verified: a 6-digit reply confirms a pending
  code, anything else gets one polite answer on how to get access and a platform event;
- "approve BR-…" / "reject BR-… <reason>" (or a quick-reply button): a decision through hitl;
- a channel command ("brief": today's daily brief, sent to the person's email at once), from channels_app.commands;
- a bare number right after the person was asked to rate their conversation: the rating (conversations.satisfaction),
  taken or refused politely (out of 1-5, late, a second one);
- anything else: the pipeline's accept(), answered by a worker.
Messages handled here outside the pipeline are deduplicated by a receipt keyed on the MessageSid.
"""

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from analytics.events import record
from analytics.models import EventType
from channels_app.commands import command_for
from channels_app.whatsapp import code_replies, commands, numbers
from channels_app.whatsapp.models import WhatsAppReceipt
from channels_app.whatsapp.parse import TwilioMessage
from channels_app.whatsapp.tasks import send_reply
from channels_app.whatsapp.window import in_window, touch_window, window_start
from conversations import satisfaction
from conversations.models import Channel
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline import accept
from core.commit import after_commit
from hitl import replies
from tenants.fields import hash_of
from tenants.languages import speaking
from tenants.models import UserPhoneNumber

CODE = re.compile(r"^\s*(\d{6})\s*$")
NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")  # a rating's reply ("4"); six digits are a code, above
NO_ACCESS = gettext_lazy(
    "Hello! This number belongs to %(tenant)s's Walker assistants, and we don't know this phone yet. "
    "Ask your Walker admin to add your number; you'll get a code here to confirm it."
)


class UnknownNumber(Exception):
    """No tenant uses the number written to."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # "accepted", "duplicate", a WhatsAppReceipt.Kind, or "refused"
    reply: str = ""


def receive(message: TwilioMessage) -> Outcome:
    """The window's timestamp first (the person wrote, whatever comes of it), then what the message leads to, each
    committed on its own: an ordinary message is the pipeline's own transaction, with none around it."""
    tenant, phone = _tenant_and_phone(message)
    if phone is not None and phone.verified:
        touch_window(tenant.pk, message.sender, touched_at=phone.window_touched_at)
    else:
        wrote_recently = in_window(tenant.pk, message.sender)
        touch_window(tenant.pk, message.sender)
        if phone is not None and CODE.match(message.body):
            return _once(
                message,
                tenant,
                WhatsAppReceipt.Kind.VERIFICATION,
                lambda: code_replies.confirm_by_reply(phone, message.body),
            )
        return _once(
            message,
            tenant,
            WhatsAppReceipt.Kind.UNKNOWN_SENDER,
            lambda: _unknown(message, tenant, wrote_recently=wrote_recently),
        )
    if (channel_command := command_for(message.body)) is not None:
        return _once(
            message, tenant, WhatsAppReceipt.Kind(channel_command.name), lambda: _run(channel_command, phone.user)
        )
    reply = replies.read(message.button_payload or message.body)
    if reply is not None:
        return _once(
            message, tenant, WhatsAppReceipt.Kind.DECISION, lambda: commands.decide(phone.user, reply, sid=message.sid)
        )
    if (number := NUMBER.match(message.body)) and (survey := satisfaction.awaiting_reply(phone.user, Channel.WHATSAPP)):
        return _once(message, tenant, WhatsAppReceipt.Kind.RATING, lambda: _rate(survey, int(number.group(1))))
    return _accept(message, tenant, phone.user)


def _rate(survey, score: int) -> str:
    """The person's words back: thanks, or why the rating was not taken."""
    try:
        satisfaction.rate(survey, score)
    except satisfaction.RatingRefused as refused:
        return refused.detail
    return satisfaction.thanks(survey)


def _tenant_and_phone(message: TwilioMessage) -> tuple:
    """The tenant of the number written to (cached, channels_app.whatsapp.numbers), and the sender's phone row
    there with its active person and when its window was last written (None if unknown): one query."""
    tenant = numbers.tenant_for(message.to)
    if tenant is None:
        raise UnknownNumber(f"No Walker tenant uses the WhatsApp number {message.to}.")
    phone = (
        UserPhoneNumber.objects.select_related("user")
        .filter(tenant=tenant, phone_number=message.sender, user__is_active=True)
        .annotate(window_touched_at=window_start(tenant.pk, message.sender))
        .first()
    )
    if phone is not None:
        phone.tenant = phone.user.tenant = tenant  # the phone's tenant is the user's (tenants.models)
    return tenant, phone


def _once(message: TwilioMessage, tenant, kind: str, handle) -> Outcome:
    """Run `handle` (which returns the reply) once per MessageSid, in one transaction with the receipt.

    A retried delivery, even concurrent, finds the receipt and does nothing; a crash leaves
    no receipt, so Twilio's retry tries again.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                WhatsAppReceipt.objects.create(message_sid=message.sid, tenant=tenant, kind=kind)
        except IntegrityError:
            return Outcome("duplicate")
        reply = handle()
        WhatsAppReceipt.objects.filter(message_sid=message.sid).update(outcome=reply[:300])
        if reply:
            _reply_after_commit(tenant.pk, message.sender, reply)
    return Outcome(kind, reply)


def _run(channel_command, user) -> str:
    if told := channel_command.run(user):
        return told
    with speaking(user):
        return str(channel_command.queued_reply)


def _unknown(message: TwilioMessage, tenant, *, wrote_recently: bool) -> str:
    """A platform event each time; the polite answer once a day, so a stranger cannot make Walker chatty."""
    record(EventType.UNKNOWN_SENDER, tenant=tenant, channel=Channel.WHATSAPP, message_sid=message.sid)
    return "" if wrote_recently else NO_ACCESS % {"tenant": tenant.name}


def _accept(message: TwilioMessage, tenant, sender) -> Outcome:
    """The pipeline's accept(), with the sender already known from their verified phone (no second lookup)."""
    inbound = InboundMessage(
        channel=Channel.WHATSAPP,
        text=message.body,
        channel_message_id=message.sid,
        sender_phone=message.sender,
        tenant_id=tenant.pk,
        content_type=message.content_type,
        media_url=message.media[0][0] if message.media else "",
        metadata={
            "whatsapp_from_hash": hash_of("phone", message.sender),  # the number itself stays encrypted
            "whatsapp_to": message.to,
            "media": [{"url": url, "content_type": kind} for url, kind in message.media],
        },
    )
    try:
        accepted = accept(inbound, user=sender)
    except IngestError as error:  # nothing stored; the person learns why
        _reply_after_commit(tenant.pk, message.sender, error.detail)
        return Outcome("refused", error.detail)
    return Outcome("duplicate" if accepted.duplicate else "accepted")


def _reply_after_commit(tenant_id, phone: str, text: str) -> None:
    """The task names the sender by their contact's key (the number's keyed hash; `touch_window` has stored the
    contact): the broker holds no phone in clear."""
    after_commit(send_reply, str(tenant_id), hash_of("phone", phone), text)
