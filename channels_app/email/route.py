"""What happens to one parsed inbound email: a command, a message to an agent, or a polite answer.

Only an email that proves its sender (SPF or DKIM passing for the From domain: parse) speaks as a
Walker user: anything else from a known address is remembered as unverified, shown to operators as a
platform event, and answered at most once a day saying why; it reaches no conversation and no agent.
The one exception is a channel command that needs no proof ("brief", which sends the day's brief to the
address itself). Unknown senders get the same one answer a day, and only when their email proved its
address (answers).

Retried posts change nothing: emails outside a conversation are remembered by Message-ID
(ProcessedInboundEmail), emails into one are deduped by the message path on the same id.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from analytics.events import record
from analytics.models import EmailDeliveryLog, EventType
from channels_app.commands import command_for
from channels_app.email import answers, commands
from channels_app.email.deliver import seal_answer, sealed_subject
from channels_app.email.models import ProcessedInboundEmail
from channels_app.email.parse import ParsedEmail
from channels_app.email.tasks import send_answer
from channels_app.email.threading import find_conversation
from conversations.identity import UNKNOWN
from conversations.models import Channel
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline import accept
from core.commit import after_commit
from tenants import crypto
from tenants.languages import speaking
from tenants.models import User

Kind = ProcessedInboundEmail.Kind
EmailType = EmailDeliveryLog.EmailType
UNVERIFIED = _(
    "We could not verify that this email comes from your address (neither SPF nor DKIM passed for your domain), "
    "so Walker did nothing with it. Write from your usual mail server, or use Walker itself; approvals can be "
    "decided with the buttons in the approval email. This is the only such answer you will get today."
)


def receive(email: ParsedEmail) -> str:
    """Handle the email; returns what was done ("command", "message", "unknown_sender", "unverified", …)."""
    if email.automatic:
        _remember(email, Kind.IGNORED, tenant_id=None)
        return "ignored"
    user = _sender(email.sender)
    if user is None:
        first = _remember(email, Kind.UNKNOWN_SENDER, tenant_id=None)
        if first and email.authenticated and answers.claim(email.sender):  # no backscatter to forged senders
            _answer(email, str(UNKNOWN), EmailType.UNKNOWN_SENDER, user=None)
        return "unknown_sender"
    if not email.authenticated and not _safe_unproven(email.body):
        return _unverified(email, user)
    if commands.is_command(email.body):
        with transaction.atomic():
            if not _remember(email, Kind.COMMAND, tenant_id=user.tenant_id):
                return "duplicate"
            with speaking(user):  # answered in the sender's language
                answer = commands.run(user, email.body)
            if answer:
                _answer(email, answer, EmailType.COMMAND, user=user)
        return "command"
    return _to_agent(email, user)


def _safe_unproven(body: str) -> bool:
    """A channel command that needs no proof of its sender ("brief": it answers the address itself)."""
    channel_command = command_for(body)
    return channel_command is not None and not channel_command.proof_needed


def _unverified(email: ParsedEmail, user) -> str:
    """A known address that did not prove itself: nothing reaches their conversations, agents or approvals."""
    with transaction.atomic():
        if not _remember(email, Kind.UNVERIFIED, tenant_id=user.tenant_id):
            return "duplicate"
        record(EventType.UNKNOWN_SENDER, tenant=user.tenant_id, user=user, channel=Channel.EMAIL, reason="unverified")
        if answers.claim(email.sender):
            with speaking(user):
                text = str(UNVERIFIED)
            _answer(email, text, EmailType.UNKNOWN_SENDER, user=user)
    return "unverified"


def _to_agent(email: ParsedEmail, user) -> str:
    addressed = commands.addressed_agent(email.body)
    conversation = find_conversation(user, to=email.to, in_reply_to=email.in_reply_to, references=email.references)
    inbound = InboundMessage(
        channel=Channel.EMAIL,
        text=addressed.text if addressed else email.body,
        channel_message_id=email.dedupe_key,
        sender_email=email.sender,
        tenant_id=user.tenant_id,
        conversation_id=conversation.pk if conversation and conversation.is_open else None,
        # No thread key found its open conversation: a new thread is a new conversation (Chatwoot's order).
        new_conversation=not (conversation and conversation.is_open),
        agent_type=addressed.agent_type if addressed else None,
        metadata={**sealed_subject(email.subject), **sealed_attachments(email.attachments)},
    )
    try:
        accepted = accept(inbound, user=user)
    except IngestError as error:  # empty, too long: the sender hears why, once per email
        if _remember(email, Kind.IGNORED, tenant_id=user.tenant_id):
            with speaking(user):
                text = gettext("Walker could not take this email: %(reason)s") % {"reason": error.detail}
            _answer(email, text, EmailType.SYSTEM, user=user)
        return f"refused:{error.code}"
    return "duplicate" if accepted.duplicate else "message"


def _sender(address: str):
    people = list(User.objects.filter(email__iexact=address, is_active=True, tenant__isnull=False)[:2])
    return people[0] if len(people) == 1 else None


def _remember(email: ParsedEmail, kind: str, *, tenant_id) -> bool:
    """True the first time this email is seen."""
    try:
        with transaction.atomic():
            ProcessedInboundEmail.objects.create(message_id=email.dedupe_key, kind=kind, tenant_id=tenant_id)
    except IntegrityError:
        return False
    return True


def sealed_attachments(attachments: list[dict]) -> dict:
    """An email's attachments as its message keeps them: their types in clear, their names (often personal: "Jane
    Doe passport.pdf") encrypted together beside them, like a subject's values."""
    kept = {"attachments": [{"type": attachment["type"]} for attachment in attachments]}
    if attachments:
        kept["attachment_names"] = crypto.encrypt(json.dumps([attachment["name"] for attachment in attachments]))
    return kept


def attachment_names(message) -> list[str]:
    token = message.metadata.get("attachment_names")
    return json.loads(crypto.decrypt(token)) if token else []


def _answer(email: ParsedEmail, text: str, email_type: str, *, user) -> None:
    """Reply in the email's thread, from a worker, after commit; the task's message is sealed (it names the sender)."""
    subject = email.subject if email.subject.lower().startswith("re:") else f"Re: {email.subject}".strip()
    payload = {
        "to": email.sender,
        "subject": subject[:300],
        "text": text,
        "in_reply_to": email.message_id,
        "references": [*email.references, *([email.message_id] if email.message_id else [])],
        "reference": f"answer:{hashlib.sha256(email.dedupe_key.encode()).hexdigest()[:40]}",
        "email_type": email_type,
        "tenant_id": str(user.tenant_id) if user else None,
        "user_id": str(user.pk) if user else None,
    }
    after_commit(send_answer, seal_answer(payload))
