"""A notify-only rule's firing told to the tenant's admins the way the ad platforms tell them of a connection that
needs them (adplatforms.states): a console notice and an email each, sent once the run's transaction commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from adplatforms.rules import describe
from adplatforms.rules.evaluation import Hit
from adplatforms.rules.models import PerformanceRule
from hitl.console import tell_consoles
from tenants.models import User
from tenants.roles import Role

NOTICE_KIND = "performance_rule"


def _text(rule: PerformanceRule, hit: Hit) -> str:
    return _("Rule “%(rule)s” fired for %(campaign)s: %(figures)s") % {
        "rule": rule.name,
        "campaign": hit.campaign.name,
        "figures": describe.figures(rule, hit),
    }


def tell_admins(rule: PerformanceRule, hit: Hit) -> None:
    link = reverse("admin:adplatforms_performancerule_change", args=[rule.pk])
    tell_consoles(
        rule.tenant_id,
        {
            "type": "console.notice",
            "kind": NOTICE_KIND,
            "text": _text(rule, hit),
            "link": link,
            "tenant_id": str(rule.tenant_id),
        },
    )
    admins = User.objects.filter(tenant_id=rule.tenant_id, role=Role.ADMIN, is_active=True)
    emails = []
    for admin in admins:
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            subject = _("Walker rule “%(rule)s”: %(campaign)s") % {"rule": rule.name, "campaign": hit.campaign.name}
            body = "\n\n".join([_text(rule, hit), f"{settings.PUBLIC_BASE_URL}{link}"])
        email = EmailMessage(subject, body, to=[admin.email])
        # Walker's provider backend logs each delivery against the tenant and the person (channels_app.email).
        email.walker = {"tenant_id": rule.tenant_id, "user_id": admin.pk}
        emails.append(email)
    transaction.on_commit(lambda: [email.send() for email in emails])
