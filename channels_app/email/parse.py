"""Reading a SendGrid Inbound Parse post (multipart form) into a ParsedEmail; nothing here touches the database."""

import hashlib
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.parser import HeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses, parseaddr

from django.utils.html import strip_tags
from email_reply_parser import EmailReplyParser

from tenants.input_text import UnreadableInput, load_json, text_problem

MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


class MalformedEmail(Exception):
    """The post is not a usable inbound email; the message says why."""


@dataclass(frozen=True)
class ParsedEmail:
    sender: str  # the From address, lower case
    to: list[str]
    subject: str
    text: str  # the full plain text (or the HTML's text)
    body: str  # what the person wrote: quoted history and signature removed
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    attachments: list[dict] = field(default_factory=list)  # {"name", "type"}
    automatic: bool = False  # an auto-reply, bounce or list mail: never answered
    authenticated: bool = False  # SendGrid saw SPF or DKIM pass for the From domain (_authenticated)

    @property
    def dedupe_key(self) -> str:
        """The Message-ID, or (when a sender sends none) a digest of what makes the email itself."""
        if self.message_id:
            return self.message_id[:255]
        digest = hashlib.sha256("\n".join([self.sender, self.subject, self.text]).encode()).hexdigest()
        return f"sha256:{digest}"


def parse(post, files) -> ParsedEmail:
    for name in ("from", "to", "subject", "text", "html", "headers", "envelope"):
        problem = text_problem(post.get(name, ""))
        if problem:
            raise MalformedEmail(f"'{name}': {problem}")
    headers = HeaderParser(policy=default_policy).parsestr(post.get("headers", ""))
    sender = _address(post.get("from") or str(headers.get("From", "")))
    if not sender:
        raise MalformedEmail("The post names no sender ('from').")
    envelope = _envelope(post)
    to = [address for _, address in getaddresses([post.get("to", ""), _envelope_to(envelope)]) if address]
    if not to:
        raise MalformedEmail("The post names no recipient ('to').")
    text = post.get("text") or strip_tags(post.get("html", "")).strip()
    return ParsedEmail(
        sender=sender,
        to=to,
        subject=(post.get("subject") or str(headers.get("Subject", ""))).strip()[:300],
        text=text,
        body=strip_quotes(text),
        message_id=_first_id(str(headers.get("Message-ID", ""))),
        in_reply_to=_first_id(str(headers.get("In-Reply-To", ""))),
        references=MESSAGE_ID.findall(str(headers.get("References", ""))),
        attachments=[{"name": _storable(f.name), "type": _storable(f.content_type)} for f in files.values()],
        automatic=_automatic(headers),
        authenticated=_authenticated(post, sender, envelope),
    )


def _storable(value) -> str:
    return str(value or "").replace("\x00", "")[:255]


def strip_quotes(text: str) -> str:
    """What the person wrote above the quoted history, without their signature."""
    return EmailReplyParser.parse_reply(text.replace("\r\n", "\n")).strip()


def _address(raw: str) -> str:
    _, address = parseaddr(raw)
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        return ""
    return address.strip().lower() if "@" in address else ""


def _envelope(post) -> dict:
    """The SMTP envelope SendGrid saw: "to" (the receiving address) and "from" (MAIL FROM, the return path)."""
    try:
        envelope = load_json(post.get("envelope") or "{}")
    except UnreadableInput as exc:
        raise MalformedEmail(f"'envelope': {exc}") from None
    return envelope if isinstance(envelope, dict) else {}


def _envelope_to(envelope: dict) -> str:
    recipients = envelope.get("to", [])
    return ", ".join(r for r in recipients if isinstance(r, str)) if isinstance(recipients, list) else ""


def _first_id(value: str) -> str | None:
    found = MESSAGE_ID.search(value)
    return found.group(1) if found else (value.strip() or None)


def _automatic(headers) -> bool:
    auto_submitted = str(headers.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(headers.get("Precedence", "")).strip().lower()
    return auto_submitted != "no" or precedence in AUTOMATIC_PRECEDENCE


def _authenticated(post, sender: str, envelope: dict) -> bool:
    """Whether SendGrid saw SPF or DKIM pass for the From address's domain (DMARC's alignment): From can be forged.

    SPF (`SPF`) is checked on the envelope's MAIL FROM domain, whatever the From line says, and DKIM (`dkim`:
    "{@d.com : pass, @e.com : fail}") on each signing domain: a pass counts only for the From domain or a
    subdomain of it (a bounce address like bounces@mail.acme.test), never for the sending party's own domain.
    """
    domain = sender.rpartition("@")[2]
    return_path = envelope.get("from")
    spf_domain = _address(return_path).rpartition("@")[2] if isinstance(return_path, str) else ""
    if post.get("SPF", "").strip().lower() == "pass" and _aligned(spf_domain, domain):
        return True
    passed = re.findall(r"@([^\s:{},]+)\s*:\s*pass\b", post.get("dkim", ""), re.IGNORECASE)
    return any(_aligned(signer, domain) for signer in passed)


def _aligned(authenticated: str, author: str) -> bool:
    authenticated, author = authenticated.lower().rstrip("."), author.lower().rstrip(".")
    return bool(authenticated and author) and (authenticated == author or authenticated.endswith(f".{author}"))
