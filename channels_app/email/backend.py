"""Django's email API on top of Walker's email provider, so `send_mail` and friends go out the same way.

Callers that cannot import this app (hitl) describe their email on the message, in the style of
django-anymail: `message.walker = {"reference", "email_type", "tenant_id", "user_id", "custom_args"}`.
After sending, `message.walker_logs` holds one EmailDeliveryLog row per recipient.
"""

import uuid

from django.core.mail.backends.base import BaseEmailBackend

from analytics.models import EmailDeliveryLog
from channels_app.email import send
from channels_app.email.providers import OutgoingEmail


class ProviderEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            try:
                message.walker_logs = [self._send_one(message, to) for to in message.recipients()]
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent

    def _send_one(self, message, to: str) -> EmailDeliveryLog:
        about = getattr(message, "walker", {})
        html = next((body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), None)
        email = OutgoingEmail(
            to=to,
            subject=message.subject,
            text=message.body,
            html=html,
            headers={name: str(value) for name, value in message.extra_headers.items()},
            reply_to=message.reply_to[0] if message.reply_to else None,
            custom_args=about.get("custom_args", {}),
        )
        reference = about.get("reference") or f"direct:{uuid.uuid4()}"
        if len(message.recipients()) > 1:
            reference = f"{reference}:{to}"[:80]
        return send.send(
            email,
            reference=reference,
            email_type=about.get("email_type", EmailDeliveryLog.EmailType.SYSTEM),
            tenant_id=about.get("tenant_id"),
            user_id=about.get("user_id"),
        )
