"""Changing one's own email address: the new address proves it is theirs by following a signed link (docs/identity.md,
"Invitations and recovery").

Nothing is stored until the link is followed. The link carries the person's id, the new address encrypted under
ENCRYPTION_KEYS (so no address travels or is logged in clear) and the keyed hash of the current address: once the
address changes, every older link stops working (single use). It expires after TTL. The old address is told.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tenants import crypto
from tenants.access import AccessDenied
from tenants.models import User
from tenants.pii import mask

log = logging.getLogger(__name__)

TTL = timedelta(hours=24)
SALT = "walker.email-change"


class EmailChangeError(AccessDenied):
    """The change cannot be asked or confirmed; `detail` says why in plain words."""


def request_change(person: User, new_email: str) -> bool:
    """Email a confirmation link to `new_email`. An address that already has an account gets nothing, with the same
    answer to the asker (no account is revealed); returns whether a link was sent."""
    new_email = new_email.strip().lower()
    if new_email == person.email:
        raise EmailChangeError("unchanged", gettext("That is already your address."))
    if User.objects.filter(email=new_email).exists():
        return False
    token = signing.dumps(
        {"u": str(person.pk), "e": crypto.encrypt(new_email), "h": person.email_hash}, salt=SALT, compress=True
    )
    url = f"{settings.PUBLIC_BASE_URL}{reverse('email_change_confirm', args=[token])}"
    with translation.override(person.language or translation.get_language()):
        subject = gettext("Confirm your new email address for Walker")
        body = "\n\n".join(
            [
                gettext("You asked to use this address for your Walker account."),
                gettext("Open this link while signed in to confirm it: %(url)s") % {"url": url},
                gettext("The link works once, for %(hours)s hours. If you did not ask, ignore this email.")
                % {"hours": int(TTL.total_seconds() // 3600)},
            ]
        )
    _send(person, new_email, subject, body)
    return True


def confirm_change(person: User, token: str) -> str:
    """Make the address in the link `person`'s; returns it. Refused: not their link, expired, already used or
    replaced by another change, or an address taken since."""
    try:
        data = signing.loads(token, salt=SALT, max_age=TTL)
    except signing.SignatureExpired:
        raise EmailChangeError("expired", gettext("This link has expired: ask for the change again.")) from None
    except signing.BadSignature:
        raise EmailChangeError("not_found", gettext("This link is not valid.")) from None
    if data.get("u") != str(person.pk):
        raise EmailChangeError(
            "forbidden", gettext("This link is for another account: sign in as the person who asked for it.")
        )
    new_email = crypto.decrypt(data["e"])
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=person.pk)
        if locked.email_hash != data.get("h"):
            raise EmailChangeError("used", gettext("This link was already used, or your address changed since."))
        if User.objects.filter(email=new_email).exclude(pk=person.pk).exists():
            raise EmailChangeError("already_member", gettext("That address now belongs to another account."))
        old_email = locked.email
        locked.email = new_email
        locked.save(update_fields=["email"])
    person.email, person.email_hash = locked.email, locked.email_hash
    try:
        _tell_old_address(person, old_email)
    except Exception:  # the provider's refusal or outage, recorded on the delivery row: the change stands
        log.exception("The old address of %s was not told of the change", person.pk)
    return new_email


def _tell_old_address(person: User, old_email: str) -> None:
    with translation.override(person.language or translation.get_language()):
        subject = gettext("Your Walker email address was changed")
        body = "\n\n".join(
            [
                gettext("The address of your Walker account is now %(address)s; this one no longer signs in.")
                % {"address": mask(person.email)},
                gettext("If you did not make this change, tell your Walker admin at once."),
            ]
        )
    _send(person, old_email, subject, body)


def _send(person: User, to: str, subject: str, body: str) -> None:
    """Through Walker's provider, logged against the person (channels_app.email.backend)."""
    email = EmailMessage(subject, body, to=[to])
    email.walker = {"tenant_id": person.tenant_id, "user_id": person.pk}
    email.send()
