"""Post an inbound email to a running Walker as SendGrid Inbound Parse would, and print what Walker sent back."""

import json
import time
import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics.models import EmailDeliveryLog


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("text", help='what the email says, e.g. "approve BR-123456"')
        parser.add_argument("--from", dest="sender", required=True, help="the sender's address")
        parser.add_argument("--to", help="the address written to (default: reply@SENDGRID_INBOUND_DOMAIN)")
        parser.add_argument("--subject", default="Walker")
        parser.add_argument("--in-reply-to", help="the Message-ID this email answers (threading)")
        parser.add_argument("--url", default=settings.PUBLIC_BASE_URL, help="the server (default PUBLIC_BASE_URL)")
        parser.add_argument("--wait", type=float, default=15, help="seconds to wait for the answer")

    def handle(self, *args, text, sender, to, subject, in_reply_to, url, wait, **options):
        to = to or f"reply@{settings.SENDGRID_INBOUND_DOMAIN}"
        message_id = f"{uuid.uuid4()}@simulate.walker.test"
        headers = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Message-ID: <{message_id}>"]
        if in_reply_to:
            headers.append(f"In-Reply-To: <{in_reply_to.strip('<>')}>")
        fields = {
            "from": sender,
            "to": to,
            "subject": subject,
            "text": text,
            "headers": "\n".join(headers) + "\n",
            "envelope": json.dumps({"to": [to], "from": sender}),
            "SPF": "pass",  # what SendGrid reports for a sender whose domain authorises it
            "dkim": "none",
            "charsets": json.dumps({"text": "UTF-8", "subject": "UTF-8"}),
        }
        started = timezone.now()
        try:
            response = httpx.post(
                f"{url.rstrip('/')}/channels/email/inbound",
                data=fields,
                files={"placeholder": ("", b"")},  # makes httpx send multipart, as SendGrid does
                auth=(settings.SENDGRID_INBOUND_USER, settings.SENDGRID_INBOUND_PASSWORD),
                timeout=30,
            )
        except httpx.HTTPError as exc:
            raise CommandError(f"Walker is not answering at {url}: {exc}") from exc
        self.stdout.write(f"Posted <{message_id}>: HTTP {response.status_code} {response.text}")
        if response.status_code != 200:
            raise CommandError("The server refused the email.")
        for log in self._answers(sender, started, wait):
            self._print(log)

    def _answers(self, sender, started, wait):
        """The emails sent to `sender` since the post: waits for the first, then a moment for any more."""
        deadline, seen = time.monotonic() + wait, []
        while time.monotonic() < deadline:
            rows = list(
                EmailDeliveryLog.objects.filter(to_address__iexact=sender, created_at__gte=started)
                .exclude(status=EmailDeliveryLog.Status.QUEUED)
                .order_by("created_at")
            )
            if rows and len(rows) == len(seen):
                return rows
            seen = rows
            time.sleep(0.5)
        if not seen:
            self.stdout.write(f"Nothing was sent back within {wait:g} seconds.")
        return seen

    def _print(self, log: EmailDeliveryLog):
        self.stdout.write(f"\nSent back ({log.get_email_type_display()}, {log.provider}, {log.status}): {log.subject}")
        stored = Path(settings.EMAIL_CONSOLE_DIR) / f"{log.message_id}.eml"
        if log.provider == "console" and stored.exists():
            mime = BytesParser(policy=policy.default).parsebytes(stored.read_bytes())
            self.stdout.write(mime.get_body(("plain",)).get_content().strip())
        elif log.failure_reason:
            self.stdout.write(log.failure_reason)
