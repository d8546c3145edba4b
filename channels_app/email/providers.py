"""The one way an email leaves Walker: the `console` provider (stored in a folder, indexed, one log line) or SendGrid.

`send(email)` returns the provider's id for the email. It raises `ProviderUnavailable` when trying
again later may work (unreachable, 5xx, 429) and `ProviderRefused`, carrying the provider's answer,
when it will not.
"""

import logging
import re
import uuid
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from urllib.error import URLError

from django.conf import settings
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, From, Header, Mail, ReplyTo, To

from channels_app.email import mail_index
from tenants.pii import mask

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
SENDER_NAME = "Walker"
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # every character str.splitlines() breaks at, and more


class ProviderUnavailable(ConnectionError):
    """Worth trying again: the provider could not be reached or asked us to wait."""


class ProviderRefused(Exception):
    """The provider will not send this email; the message holds its answer."""


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # Message-ID, In-Reply-To, References, List-Unsubscribe…
    reply_to: str | None = None
    custom_args: dict[str, str] = field(default_factory=dict)  # come back on every provider event
    from_name: str | None = None  # the sender's display name (a person's reply: theirs); None: SENDER_NAME


def send(email: OutgoingEmail) -> tuple[str, str]:
    """(provider name, provider message id)."""
    email = _on_one_line(email)
    if settings.EMAIL_PROVIDER == "sendgrid":
        return "sendgrid", _send_with_sendgrid(email)
    return "console", _store(email)


def one_line(value: str) -> str:
    """A header value that stays one header: line breaks and other control characters (an inbound subject may hold
    any) become spaces, and "=?" no longer opens an RFC 2047 encoded word, which mail software (Python's own
    email package too) decodes back into any character, line breaks included."""
    return CONTROLS.sub(" ", str(value)).replace("=?", "= ?").strip()


def _on_one_line(email: OutgoingEmail) -> OutgoingEmail:
    return replace(
        email,
        to=one_line(email.to),
        subject=one_line(email.subject),
        headers={name: one_line(value) for name, value in email.headers.items()},
        reply_to=one_line(email.reply_to) if email.reply_to else email.reply_to,
        custom_args={name: one_line(value) for name, value in email.custom_args.items()},
        from_name=one_line(email.from_name) if email.from_name else email.from_name,
    )


def _as_mime(email: OutgoingEmail, *, sender: str) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = formataddr((email.from_name or SENDER_NAME, sender))
    mime["To"], mime["Subject"] = email.to, email.subject
    if email.reply_to:
        mime["Reply-To"] = email.reply_to
    for name, value in email.headers.items():
        mime[name] = value
    for name, value in email.custom_args.items():
        mime[f"X-Walker-{name}"] = value
    mime.set_content(email.text)
    if email.html:
        mime.add_alternative(email.html, subtype="html")
    return mime


def _store(email: OutgoingEmail) -> str:
    """The email as a .eml file in EMAIL_CONSOLE_DIR, a line in its index, and one INFO line (recipient masked)."""
    message_id = f"console-{uuid.uuid4().hex}"
    mime = _as_mime(email, sender=settings.SENDGRID_FROM_EMAIL)
    folder = Path(settings.EMAIL_CONSOLE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    file = f"{message_id}.eml"
    (folder / file).write_bytes(bytes(mime))
    mail_index.add(folder, to=email.to, subject=email.subject, file=file)
    log.info("Email (console) to %s: %s -> %s", mask(email.to), email.subject, folder / file)
    return message_id


def _mail(email: OutgoingEmail) -> Mail:
    mail = Mail(
        from_email=From(settings.SENDGRID_FROM_EMAIL, email.from_name or SENDER_NAME),
        to_emails=To(email.to),
        subject=email.subject,
        plain_text_content=email.text,
        html_content=email.html,
    )
    if email.reply_to:
        mail.reply_to = ReplyTo(email.reply_to)
    for name, value in email.headers.items():
        mail.header = Header(name, value)
    for name, value in email.custom_args.items():
        mail.custom_arg = CustomArg(name, str(value))
    return mail


def _send_with_sendgrid(email: OutgoingEmail) -> str:
    api = SendGridAPIClient(settings.SENDGRID_API_KEY, host=settings.SENDGRID_API_HOST)
    api.client.timeout = TIMEOUT_SECONDS  # the SDK waits forever otherwise
    try:
        response = api.send(_mail(email))
    except HTTPError as exc:
        answer = f"SendGrid answered HTTP {exc.status_code}: {_text(exc.body)}"
        if exc.status_code == 429 or exc.status_code >= 500:
            raise ProviderUnavailable(answer) from None
        raise ProviderRefused(answer) from None
    except (URLError, TimeoutError, ConnectionError) as exc:
        raise ProviderUnavailable(f"SendGrid unreachable: {exc}") from exc
    return response.headers.get("X-Message-Id", "") or ""


def _text(body) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return str(body or "")[:1000]
