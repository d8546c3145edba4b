"""Telling support, besides the console, that a customer asked for a person (conversations.person_asked): by email
to each person who may take the conversation over, or in the tenant's Slack, as the tenant chose
(`Tenant.support_notify_by`). Sent by `conversations.tasks.tell_support`: one task reads the tenant's choice and
posts on Slack or queues one task per email.

Never the customer's words or address: the channel, the conversation, when a reply is due and a link to it. Email goes
through Walker's email provider (logged in the email delivery log); Slack through the direct sender the Slack app
registers with conversations.delivery (channels_app.slack.support_posts), in the site's language as a channel is read
by many.
"""

import logging
from zoneinfo import ZoneInfo

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from analytics.events import record
from analytics.models import EventType
from conversations.access import handlers_for
from conversations.delivery import send_direct
from conversations.models import Conversation
from conversations.person_asked import TELL_TASK, reply_due
from core.commit import after_commit
from core.sending import TransientSendError
from tenants.languages import speaking
from tenants.models import SupportNotice, UndeliverableAddress, User
from tenants.pii import redacted_reason

log = logging.getLogger(__name__)


def tell(conversation_id, recipient_id=None) -> None:
    """Tell support of the ask, as the tenant chose: a post on Slack, or an email to each person who may take the
    conversation over (each queued as its own task, with `recipient_id`, so a retry sends only theirs again). Nothing
    once the ask is over (a retry after a person answered). Raises TransientSendError for what is worth retrying."""
    conversation = Conversation.objects.select_related("tenant").filter(pk=conversation_id).first()
    if conversation is None or conversation.person_requested_at is None:
        return
    if recipient_id is not None:
        person = User.objects.filter(pk=recipient_id, tenant_id=conversation.tenant_id, is_active=True).first()
        if person is not None and not UndeliverableAddress.includes(person.email):
            _email(conversation, person)
    elif conversation.tenant.support_notify_by == SupportNotice.SLACK:
        _post_on_slack(conversation)
    else:
        for person in handlers_for(conversation):
            after_commit(current_app.tasks[TELL_TASK], str(conversation.pk), str(person.pk))


def _post_on_slack(conversation: Conversation) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject, lines = words(conversation)
    try:
        send_direct("slack", "", "\n".join([f"*{subject}*", *lines]), tenant_id=conversation.tenant_id)
    except ValueError as refused:  # no way to post, or Slack refused for good: retrying would change nothing
        record_failure(conversation.pk, SupportNotice.SLACK, refused)


def words(conversation: Conversation) -> tuple[str, list[str]]:
    """The subject and lines, in the active language."""
    zone = ZoneInfo(conversation.tenant.timezone)
    due = timezone.localtime(reply_due(conversation.tenant, conversation.person_requested_at), zone)
    link = settings.PUBLIC_BASE_URL + reverse("admin:conversations_conversation_change", args=[conversation.pk])
    names = {"channel": conversation.get_channel_display(), "ref": str(conversation.pk)[:8]}
    return gettext("A customer asked to talk to a person"), [
        gettext("A customer asked to talk to a person on %(channel)s (conversation %(ref)s).") % names,
        gettext("A reply is due by %(due)s (%(zone)s).")
        % {"due": formats.date_format(due, "DATETIME_FORMAT"), "zone": conversation.tenant.timezone},
        gettext("Take it over in the console: %(link)s") % {"link": link},
    ]


def _email(conversation: Conversation, person: User) -> None:
    with speaking(person):
        subject, lines = words(conversation)
        context = {"subject": subject, "text": "\n".join(lines)}
        text, html = render_to_string("email/message.txt", context), render_to_string("email/message.html", context)
    email = EmailMultiAlternatives(subject, text, to=[person.email])
    email.attach_alternative(html, "text/html")
    email.walker = {  # read by the provider backend (channels_app.email.backend)
        "reference": f"person_asked:{conversation.pk}",
        "email_type": "system",
        "tenant_id": conversation.tenant_id,
        "user_id": person.pk,
    }
    try:
        email.send()
    except ConnectionError as exc:  # the provider is unreachable or asked us to wait
        raise TransientSendError(str(exc)) from exc


def record_failure(conversation_id, channel: str, error) -> None:
    """A notice that could not go, in the platform event log (the console's event log lists it) and the log."""
    conversation = Conversation.objects.filter(pk=conversation_id).values("tenant_id").first()
    reason = redacted_reason(error)
    log.warning("Telling support on %s that a customer asked for a person failed: %s", channel, reason)
    if conversation is not None:
        record(
            EventType.NOTIFICATION_FAILED,
            tenant=conversation["tenant_id"],
            conversation_id=conversation_id,
            channel=channel,
            event="person_asked",
            reason=reason[:200],
        )
