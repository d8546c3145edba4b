"""Sending on WhatsApp: free-form text inside the 24-hour customer-care window, an approved template outside it.

WhatsApp lets a business write free-form text to a person only within 24 hours of
that person's last message to the business number. Outside the window only an
approved template may be sent; without one that fits, the send is blocked and the
reason recorded where the admin console shows it.
"""

import json
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings

from channels_app.whatsapp import twilio_api
from channels_app.whatsapp.models import SendStatus, WhatsAppSend, WhatsAppSender, WhatsAppTemplate
from channels_app.whatsapp.split import split_text
from channels_app.whatsapp.window import in_window
from tenants.pii import mask

log = logging.getLogger(__name__)
STATUS_PATH = "/channels/whatsapp/status"


class Blocked(ValueError):
    """WhatsApp's rules forbid this send (outside the window with no fitting template, no number): final."""


@dataclass(frozen=True)
class Outgoing:
    tenant_id: object
    to: str  # E.164
    text: str
    purpose: str | None = None  # a TemplatePurpose that may stand in outside the window; None: free-form only
    values: dict = field(default_factory=dict)  # what the template's variables are filled with
    message_id: object = None  # the conversation Message this carries
    notification_id: object = None  # the HITLNotification this carries


def refusal(outgoing: Outgoing) -> str | None:
    """Why `send` would be blocked now (no number; outside the window with no fitting template), else None."""
    try:
        if not WhatsAppSender.objects.filter(tenant_id=outgoing.tenant_id).exists():
            raise Blocked("the tenant has no WhatsApp number configured")
        if not in_window(outgoing.tenant_id, outgoing.to):
            _template(outgoing)
    except Blocked as reason:
        return str(reason)
    return None


def send(outgoing: Outgoing) -> list[str]:
    """Send (parts already sent for the same message are skipped on a retry); returns the SIDs, first part first."""
    sender = WhatsAppSender.objects.filter(tenant_id=outgoing.tenant_id).first()
    if sender is None:
        raise Blocked("the tenant has no WhatsApp number configured")
    if in_window(outgoing.tenant_id, outgoing.to):
        bodies = [{"body": part} for part in split_text(outgoing.text)]
    else:
        template = _template(outgoing)
        variables = template.content_variables(outgoing.values)
        bodies = [{"content_sid": template.content_sid, "content_variables": json.dumps(variables, ensure_ascii=False)}]

    done = {}
    if outgoing.message_id:
        done = dict(WhatsAppSend.objects.filter(message_id=outgoing.message_id).values_list("part", "sid"))
    sids = []
    for part, body in enumerate(bodies, start=1):
        if part in done:
            sids.append(done[part])
            continue
        sid = _create(sender, outgoing.to, body)
        WhatsAppSend.objects.create(
            sid=sid,
            tenant_id=outgoing.tenant_id,
            message_id=outgoing.message_id,
            notification_id=outgoing.notification_id,
            part=part,
            to=outgoing.to,
            template_sid=body.get("content_sid", ""),
            status=SendStatus.SENT if sid.startswith("console-") else SendStatus.QUEUED,
        )
        sids.append(sid)
    return sids


def _template(outgoing: Outgoing) -> WhatsAppTemplate:
    if outgoing.purpose is None:
        raise Blocked("outside the 24-hour window: WhatsApp allows only an approved template, and none fits a reply")
    template = WhatsAppTemplate.objects.filter(tenant_id=outgoing.tenant_id, purpose=outgoing.purpose).first()
    if template is None:
        raise Blocked(
            f"outside the 24-hour window and the tenant has no approved {outgoing.purpose} template; "
            "add one under WhatsApp templates"
        )
    return template


def _create(sender: WhatsAppSender, to: str, body: dict) -> str:
    fields = {**body, "to": f"whatsapp:{to}", "status_callback": f"{settings.PUBLIC_BASE_URL}{STATUS_PATH}"}
    if sender.messaging_service_sid:
        fields["messaging_service_sid"] = sender.messaging_service_sid
    else:
        fields["from_"] = f"whatsapp:{sender.number}"
    if settings.WHATSAPP_PROVIDER == "console":
        shown = body.get("body") or f"[template {body['content_sid']}] {body['content_variables']}"
        # One INFO line per send (a print() in a Celery task is logged at WARNING), the recipient masked.
        log.info("WhatsApp (console) %s -> %s: %s", sender.number, mask(to), " ".join(shown.split()))
        return f"console-{uuid.uuid4().hex}"
    return twilio_api.create_message(**fields)
