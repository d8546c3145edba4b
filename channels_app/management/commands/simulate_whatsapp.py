"""Write to the running server as a WhatsApp user would: a Twilio-signed webhook, then wait for the reply."""

import time
import uuid

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels_app.whatsapp.models import WhatsAppReceipt, WhatsAppSender
from channels_app.whatsapp.parse import e164
from channels_app.whatsapp.verify import sign
from conversations.models import Message
from tenants.models import UserPhoneNumber

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Post a correctly signed Twilio WhatsApp webhook to the running server and print the reply."

    def add_arguments(self, parser):
        parser.add_argument("text")
        parser.add_argument("--from", dest="sender", required=True, help="the sender's phone, e.g. +14155550105")
        parser.add_argument("--to", help="the tenant's WhatsApp number (default: the sender's tenant's)")
        parser.add_argument("--url", default=settings.PUBLIC_BASE_URL, help="the server (default PUBLIC_BASE_URL)")
        parser.add_argument("--wait", type=float, default=60, help="seconds to wait for the reply")

    def handle(self, text, sender, to, url, wait, **options):
        try:
            sender = e164(sender)
            to = e164(to) if to else self._number_of(sender)
        except ValueError as error:
            raise CommandError(str(error)) from None
        sid = f"SM{uuid.uuid4().hex}"
        form = {
            "MessageSid": sid,
            "AccountSid": settings.TWILIO_ACCOUNT_SID or f"AC{'0' * 32}",
            "From": f"whatsapp:{sender}",
            "To": f"whatsapp:{to}",
            "Body": text,
            "NumMedia": "0",
            "ProfileName": "Walker simulator",
        }
        # The signature covers the public URL the server checks against, whatever address we post to.
        signature = sign(f"{settings.PUBLIC_BASE_URL}/channels/whatsapp/webhook", form)
        try:
            response = httpx.post(
                f"{url.rstrip('/')}/channels/whatsapp/webhook", data=form, headers={"X-Twilio-Signature": signature}
            )
        except httpx.HTTPError as error:
            raise CommandError(f"The server at {url} did not answer ({type(error).__name__}); is it running?") from None
        self.stdout.write(f"→ {sender} to {to}: {text}\n  server answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise CommandError(response.text[:500])
        reply = self._wait_for_reply(sid, wait)
        if reply is None:
            raise CommandError(f"No reply within {wait:g} s (is the Celery worker running?).")
        self.stdout.write(f"← {reply}")

    def _number_of(self, sender: str) -> str:
        phone = UserPhoneNumber.objects.filter(phone_number=sender, verified=True).first()
        senders = WhatsAppSender.objects.all()
        if phone is not None:
            senders = senders.filter(tenant_id=phone.tenant_id)
        numbers = list(senders.values_list("number", flat=True)[:2])
        if len(numbers) != 1:
            raise CommandError("Say which tenant number to write to with --to (set numbers under WhatsApp numbers).")
        return numbers[0]

    def _wait_for_reply(self, sid: str, wait: float) -> str | None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            answer = Message.objects.filter(
                in_reply_to__channel_message_id=sid, direction=Message.Direction.OUTBOUND
            ).first()
            reply = answer.text if answer else None
            if reply is None:
                reply = (
                    WhatsAppReceipt.objects.filter(message_sid=sid)
                    .exclude(outcome="")
                    .values_list("outcome", flat=True)
                    .first()
                )
            if reply is not None:
                return reply
            time.sleep(POLL_SECONDS)
        return None
